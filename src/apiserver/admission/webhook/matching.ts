/**
 * Which admission webhooks a request calls (upstream `admission/plugin/webhook/predicates`):
 * a rule that matches operation, group, version, resource and subresource, and scope; the
 * namespace selector on the request's namespace labels; the object selector on the new or old
 * object's labels. Requests on the admission configuration kinds themselves never call webhooks,
 * so that a broken webhook cannot lock its own configuration.
 */
import type {
  LabelSelector,
  MutatingWebhook,
  RuleWithOperations,
  ValidatingWebhook,
} from "../../../api/generated/types.ts";
import { selectorFromLabelSelector } from "../../../machinery/labels.ts";
import type { AdmissionAttributes } from "../admission.ts";

export type Webhook = ValidatingWebhook | MutatingWebhook;

export const admissionGroup = "admissionregistration.k8s.io";

/** Upstream `IsExemptAdmissionConfigurationResource`. */
const exemptResources = new Set([
  "validatingwebhookconfigurations",
  "mutatingwebhookconfigurations",
  "validatingadmissionpolicies",
  "validatingadmissionpolicybindings",
  "mutatingadmissionpolicies",
  "mutatingadmissionpolicybindings",
]);

export function isExempt(attrs: AdmissionAttributes): boolean {
  return attrs.resource.group === admissionGroup && exemptResources.has(attrs.resource.plural);
}

const isNamespaceRequest = (attrs: AdmissionAttributes) =>
  attrs.resource.group === "" && attrs.resource.plural === "namespaces";

/** `rules.Matcher`. With matchPolicy Equivalent a rule naming another version still matches. */
export function ruleMatches(
  rule: RuleWithOperations,
  attrs: AdmissionAttributes,
  equivalent: boolean,
): boolean {
  const star = (list: readonly string[] | undefined, value: string) =>
    (list ?? []).some((v) => v === "*" || v === value);
  const scope = rule.scope ?? "*";
  const namespaced = attrs.namespace !== "" && !isNamespaceRequest(attrs);
  if (scope === "Cluster" && namespaced) return false;
  if (scope === "Namespaced" && !namespaced) return false;
  if (!star(rule.operations, attrs.operation)) return false;
  if (!star(rule.apiGroups, attrs.resource.group)) return false;
  if (!equivalent && !star(rule.apiVersions, attrs.resource.version)) return false;
  if (equivalent && (rule.apiVersions ?? []).length === 0) return false;
  return (rule.resources ?? []).some((entry) => {
    const [res, sub = ""] = entry.split("/", 2) as [string, string?];
    if (res === "*" && sub === "*") return true;
    return (
      (res === "*" || res === attrs.resource.plural) && (sub === "*" || sub === attrs.subresource)
    );
  });
}

function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  // Defaulting stores {} (everything); an absent selector from an old object means the same.
  return selector === undefined || selectorFromLabelSelector(selector).matches(labels);
}

/** `MatchNamespaceSelector`: cluster-scoped requests other than namespaces always match. */
function namespaceMatches(
  webhook: Webhook,
  attrs: AdmissionAttributes,
  namespaceLabels: (name: string) => Readonly<Record<string, string>>,
): boolean {
  const selector = webhook.namespaceSelector;
  if (isNamespaceRequest(attrs)) {
    const labels = (attrs.object ?? attrs.oldObject)?.metadata?.labels ?? {};
    return selectorMatches(selector, labels);
  }
  if (attrs.namespace === "") return true;
  return selectorMatches(selector, namespaceLabels(attrs.namespace));
}

/** `MatchObjectSelector`: the new object's labels or the old one's. */
function objectMatches(webhook: Webhook, attrs: AdmissionAttributes): boolean {
  const objects = [attrs.object, attrs.oldObject].filter((o) => o !== undefined);
  if (objects.length === 0) return selectorMatches(webhook.objectSelector, {});
  return objects.some((o) => selectorMatches(webhook.objectSelector, o.metadata?.labels ?? {}));
}

/** Whether `webhook` is called for this request. */
export function webhookMatches(
  webhook: Webhook,
  attrs: AdmissionAttributes,
  namespaceLabels: (name: string) => Readonly<Record<string, string>>,
): boolean {
  const equivalent = (webhook.matchPolicy ?? "Equivalent") === "Equivalent";
  if (!(webhook.rules ?? []).some((r) => ruleMatches(r, attrs, equivalent))) return false;
  return namespaceMatches(webhook, attrs, namespaceLabels) && objectMatches(webhook, attrs);
}
