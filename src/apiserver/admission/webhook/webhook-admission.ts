/**
 * MutatingAdmissionWebhook and ValidatingAdmissionWebhook (upstream
 * `admission/plugin/webhook/{mutating,validating}`): every write a webhook's rules and selectors
 * match is sent to it as an `admission.k8s.io` AdmissionReview. Mutating webhooks run one after
 * another (configurations by name, webhooks in their order) and may answer a JSON patch, applied
 * to the object in place; those with `reinvocationPolicy: IfNeeded` run once more when a later
 * webhook changed the object. Validating webhooks run together and may only refuse.
 *
 * A refusal becomes the webhook's status ("admission webhook "x" denied the request: …", code 400
 * unless it says otherwise). A webhook that cannot be called, times out or answers nonsense fails
 * the request with an internal error under `failurePolicy: Fail` (the default) and is skipped
 * under `Ignore`. A dry run may only call webhooks whose side effects are None or NoneOnDryRun.
 */
import { randomUUID } from "node:crypto";
import type {
  MutatingWebhookConfiguration,
  Namespace,
  ValidatingWebhookConfiguration,
} from "../../../api/generated/types.ts";
import type { KubeObject } from "../../../api/object.ts";
import type { Logger } from "../../../machinery/log.ts";
import { applyJsonPatch } from "../../../machinery/patch/json-patch.ts";
import {
  newBadRequest,
  newInternalError,
  type Status,
  StatusError,
} from "../../../machinery/status.ts";
import type { AdmissionAttributes, AdmissionPlugin } from "../admission.ts";
import { type AdmissionReader, getAs, listAs } from "../plugins/reader.ts";
import { postReview, resolveTarget, WebhookCallError } from "./call.ts";
import { admissionGroup, isExempt, type Webhook, webhookMatches } from "./matching.ts";

export interface WebhookAdmissionOptions {
  readonly reader: AdmissionReader;
  readonly log: Logger;
}

/** The AdmissionReview versions this server speaks, in preference order. */
const reviewVersions = ["v1", "v1beta1"];

interface Configured {
  readonly webhook: Webhook;
  readonly mutating: boolean;
}

function configured(reader: AdmissionReader, mutating: boolean): Configured[] {
  const plural = mutating ? "mutatingwebhookconfigurations" : "validatingwebhookconfigurations";
  const configs = listAs<MutatingWebhookConfiguration | ValidatingWebhookConfiguration>(
    reader,
    admissionGroup,
    plural,
    "",
  );
  const name = (c: { metadata?: { name?: string } }) => c.metadata?.name ?? "";
  return [...configs]
    .sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0))
    .flatMap((c) => (c.webhooks ?? []).map((webhook) => ({ webhook, mutating })));
}

function apiVersionParts(apiVersion: string | undefined): { group: string; version: string } {
  const [a = "", b] = (apiVersion ?? "").split("/", 2);
  return b === undefined ? { group: "", version: a } : { group: a, version: b };
}

const optionsKind = { CREATE: "CreateOptions", UPDATE: "UpdateOptions", DELETE: "DeleteOptions" };

/** The AdmissionReview a webhook receives (upstream `CreateAdmissionObjects`). */
export function admissionReview(attrs: AdmissionAttributes, version: string, uid: string) {
  const def = attrs.resource;
  const resource = { group: def.group, version: def.version, resource: def.plural };
  const object = attrs.object ?? attrs.oldObject;
  // A subresource may carry another kind (a Binding, an Eviction, a Scale).
  const objectKind =
    object?.kind && attrs.subresource !== ""
      ? { ...apiVersionParts(object.apiVersion), kind: object.kind }
      : { group: def.group, version: def.version, kind: def.kind };
  const kind = optionsKind[attrs.operation as keyof typeof optionsKind];
  return {
    apiVersion: `admission.k8s.io/${version}`,
    kind: "AdmissionReview",
    request: {
      uid,
      kind: objectKind,
      resource,
      ...(attrs.subresource ? { subResource: attrs.subresource } : {}),
      requestKind: objectKind,
      requestResource: resource,
      ...(attrs.subresource ? { requestSubResource: attrs.subresource } : {}),
      name: attrs.name || attrs.object?.metadata?.name || "",
      ...(attrs.namespace ? { namespace: attrs.namespace } : {}),
      operation: attrs.operation,
      userInfo: {
        username: attrs.user.username,
        ...(attrs.user.uid ? { uid: attrs.user.uid } : {}),
        groups: attrs.user.groups,
        ...(attrs.user.extra ? { extra: attrs.user.extra } : {}),
      },
      object: attrs.object ?? null,
      oldObject: attrs.oldObject ?? null,
      dryRun: attrs.dryRun,
      options: kind ? { apiVersion: "meta.k8s.io/v1", kind } : null,
    },
  };
}

interface ReviewResponse {
  readonly allowed: boolean;
  readonly status?: Status;
  readonly patch?: string;
  readonly patchType?: string;
  readonly warnings?: string[];
}

/** Checks the answer's shape (upstream `VerifyAdmissionResponse`). */
export function reviewResponse(answer: unknown, uid: string, mutating: boolean): ReviewResponse {
  const invalid = (why: string) =>
    new WebhookCallError(`received invalid webhook response: ${why}`);
  const review = answer as {
    apiVersion?: string;
    kind?: string;
    response?: ReviewResponse & { uid?: string };
  };
  if (typeof review !== "object" || review === null || review.kind !== "AdmissionReview") {
    throw invalid(
      `expected webhook response of kind AdmissionReview, got ${JSON.stringify(review?.kind ?? "")}`,
    );
  }
  const response = review.response;
  if (!response) throw invalid("response was absent");
  if (response.uid !== uid) {
    throw invalid(
      `expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(response.uid ?? "")}`,
    );
  }
  if (response.patch !== undefined && response.patch !== null) {
    if (!mutating) throw invalid("validating webhooks may not return patches");
    if (response.patchType !== "JSONPatch") {
      throw invalid(`patchType ${JSON.stringify(response.patchType ?? "")} is not supported`);
    }
  }
  return response;
}

/** Upstream `webhookerrors.ToStatusErr`: a refusal as the webhook worded it. */
export function deniedError(name: string, result: Status | undefined): StatusError {
  const deniedBy = `admission webhook "${name}" denied the request`;
  const status: Status = {
    ...result,
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
  };
  if ((status.code ?? 0) < 400) status.code = 400;
  if (result?.message) status.message = `${deniedBy}: ${result.message}`;
  else if (result?.reason) status.message = `${deniedBy}: ${result.reason}`;
  else status.message = `${deniedBy} without explanation`;
  return new StatusError(status);
}

/** Replaces the object's content with `next`'s (mutating plugins change attrs.object in place). */
function replaceContent(target: KubeObject, next: KubeObject): void {
  for (const key of Object.keys(target)) delete (target as Record<string, unknown>)[key];
  Object.assign(target, next);
}

class Dispatcher {
  readonly #reader: AdmissionReader;
  readonly #log: Logger;

  constructor(options: WebhookAdmissionOptions) {
    this.#reader = options.reader;
    this.#log = options.log;
  }

  matching(attrs: AdmissionAttributes, mutating: boolean): Webhook[] {
    if (isExempt(attrs)) return [];
    const all = configured(this.#reader, mutating);
    if (all.length === 0) return [];
    const namespaceLabels = (name: string) =>
      getAs<Namespace>(this.#reader, "", "namespaces", "", name)?.metadata?.labels ?? {};
    return all
      .filter((c) => webhookMatches(c.webhook, attrs, namespaceLabels))
      .map((c) => c.webhook);
  }

  /** Calls one webhook; undefined when it was skipped (failurePolicy Ignore and a failure). */
  async call(
    webhook: Webhook,
    attrs: AdmissionAttributes,
    mutating: boolean,
  ): Promise<ReviewResponse | undefined> {
    const name = webhook.name;
    if (attrs.dryRun && !["None", "NoneOnDryRun"].includes(webhook.sideEffects ?? "")) {
      throw newBadRequest(`admission webhook "${name}" does not support dry run`);
    }
    const version = (webhook.admissionReviewVersions ?? []).find((v) => reviewVersions.includes(v));
    const timeout = webhook.timeoutSeconds ?? 10;
    const uid = randomUUID();
    try {
      if (!version) {
        throw new WebhookCallError(
          `webhook does not accept known AdmissionReview versions (${reviewVersions.join(", ")})`,
        );
      }
      const target = resolveTarget(webhook.clientConfig, timeout, this.#reader);
      const answer = await postReview(
        target,
        webhook.clientConfig.caBundle,
        admissionReview(attrs, version, uid),
        timeout,
      );
      return reviewResponse(answer, uid, mutating);
    } catch (err) {
      if (!(err instanceof WebhookCallError)) throw err;
      const message = `failed calling webhook "${name}": ${err.message}`;
      if ((webhook.failurePolicy ?? "Fail") === "Ignore") {
        this.#log.warn("admission webhook failed; ignored (failurePolicy Ignore)", {
          webhook: name,
          err: message,
        });
        return undefined;
      }
      throw newInternalError(message);
    }
  }
}

export function mutatingWebhookAdmission(options: WebhookAdmissionOptions): AdmissionPlugin {
  const dispatcher = new Dispatcher(options);
  return {
    name: "MutatingAdmissionWebhook",
    async admit(attrs) {
      const webhooks = dispatcher.matching(attrs, true);
      if (webhooks.length === 0) return;
      const run = async (webhook: Webhook): Promise<boolean> => {
        const response = await dispatcher.call(webhook, attrs, true);
        if (!response) return false;
        attrs.warnings.push(...(response.warnings ?? []));
        if (!response.allowed) throw deniedError(webhook.name, response.status);
        if (!response.patch || !attrs.object) return false;
        let patched: KubeObject;
        try {
          const operations = JSON.parse(Buffer.from(response.patch, "base64").toString());
          patched = applyJsonPatch(attrs.object, operations) as KubeObject;
        } catch (err) {
          throw newInternalError(
            `failed calling webhook "${webhook.name}": received invalid webhook response: the patch does not apply: ${(err as Error).message}`,
          );
        }
        if (JSON.stringify(patched) === JSON.stringify(attrs.object)) return false;
        replaceContent(attrs.object, patched);
        return true;
      };
      let lastChange = -1;
      for (const [i, webhook] of webhooks.entries()) if (await run(webhook)) lastChange = i;
      // Webhooks that asked to see the final object and ran before a later one changed it run
      // once more (upstream's reinvocation; a change made then does not start another round).
      for (const webhook of webhooks.slice(0, Math.max(lastChange, 0))) {
        if ((webhook as { reinvocationPolicy?: string }).reinvocationPolicy === "IfNeeded") {
          await run(webhook);
        }
      }
    },
  };
}

export function validatingWebhookAdmission(options: WebhookAdmissionOptions): AdmissionPlugin {
  const dispatcher = new Dispatcher(options);
  return {
    name: "ValidatingAdmissionWebhook",
    async validate(attrs) {
      const webhooks = dispatcher.matching(attrs, false);
      if (webhooks.length === 0) return;
      const outcomes = await Promise.allSettled(
        webhooks.map((w) => dispatcher.call(w, attrs, false)),
      );
      // Warnings from every webhook; the first failure, in configuration order, refuses.
      for (const o of outcomes) {
        if (o.status === "fulfilled") attrs.warnings.push(...(o.value?.warnings ?? []));
      }
      outcomes.forEach((o, i) => {
        if (o.status === "rejected") throw o.reason;
        if (o.value && !o.value.allowed) throw deniedError(webhooks[i]!.name, o.value.status);
      });
    },
  };
}
