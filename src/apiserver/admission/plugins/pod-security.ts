/**
 * PodSecurity (upstream `k8s.io/pod-security-admission`): pods are checked against the Pod
 * Security Standard their namespace's labels select. The enforce level refuses:
 *
 *   pods "x" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation
 *   != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ...
 *
 * the warn level adds `would violate PodSecurity "...": ...` warnings (through the
 * `WarningSink`, by default `attrs.warnings`), also for workload templates (Deployments, Jobs,
 * ...), which are never refused. The audit level is parsed but not recorded (no audit log).
 *
 * Reads namespaces from the `AdmissionReader`; a namespace missing from the cache gets the
 * defaults.
 */
import type {
  Container,
  Namespace,
  ObjectMeta,
  Pod,
  PodSpec,
} from "../../../api/generated/types.ts";
import type { KubeObject } from "../../../api/object.ts";
import type { AdmissionAttributes, AdmissionPlugin } from "../admission.ts";
import { admissionForbidden, isResource } from "./forbidden.ts";
import {
  defaultPolicy,
  evaluatePod,
  forbiddenDetail,
  type LevelVersion,
  levelVersionString,
  type NamespacePolicy,
  policyToEvaluate,
} from "./pod-security-policy.ts";
import { type AdmissionReader, getAs } from "./reader.ts";
import { attributeWarnings, type WarningSink } from "./warnings.ts";

export interface PodSecurityExemptions {
  readonly usernames?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly runtimeClasses?: readonly string[];
}

export interface PodSecurityOptions {
  readonly reader: AdmissionReader;
  /** The cluster defaults (upstream's PodSecurityConfiguration); default privileged:latest. */
  readonly defaults?: NamespacePolicy;
  readonly exemptions?: PodSecurityExemptions;
  readonly onWarning?: WarningSink;
}

type Template = { metadata?: ObjectMeta; spec?: PodSpec } | undefined;

/** Where each workload kind keeps its pod template (upstream `DefaultPodSpecExtractor`). */
const templateOf: Record<string, (obj: KubeObject) => Template> = {
  "/replicationcontrollers": (o) => (o as { spec?: { template?: Template } }).spec?.template,
  "/podtemplates": (o) => (o as { template?: Template }).template,
  "apps/replicasets": (o) => (o as { spec?: { template?: Template } }).spec?.template,
  "apps/deployments": (o) => (o as { spec?: { template?: Template } }).spec?.template,
  "apps/statefulsets": (o) => (o as { spec?: { template?: Template } }).spec?.template,
  "apps/daemonsets": (o) => (o as { spec?: { template?: Template } }).spec?.template,
  "batch/jobs": (o) => (o as { spec?: { template?: Template } }).spec?.template,
  "batch/cronjobs": (o) =>
    (o as { spec?: { jobTemplate?: { spec?: { template?: Template } } } }).spec?.jobTemplate?.spec
      ?.template,
};

function significantContainerUpdate(c: Container, old: Container, pod: Pod, oldPod: Pod): boolean {
  const key = `container.seccomp.security.alpha.kubernetes.io/${c.name}`;
  return (
    c.image !== old.image ||
    pod.metadata?.annotations?.[key] !== oldPod.metadata?.annotations?.[key]
  );
}

/** `isSignificantPodUpdate`: only image, container-count and seccomp-annotation changes count. */
export function isSignificantPodUpdate(pod: Pod, old: Pod): boolean {
  const podKey = "seccomp.security.alpha.kubernetes.io/pod";
  if (pod.metadata?.annotations?.[podKey] !== old.metadata?.annotations?.[podKey]) return true;
  for (const list of ["containers", "initContainers"] as const) {
    const now = pod.spec?.[list] ?? [];
    const before = old.spec?.[list] ?? [];
    if (now.length !== before.length) return true;
    if (now.some((c, i) => significantContainerUpdate(c, before[i] as Container, pod, old)))
      return true;
  }
  return (pod.spec?.ephemeralContainers ?? []).some((c) => {
    const prev = (old.spec?.ephemeralContainers ?? []).find((o) => o.name === c.name);
    return (
      prev === undefined || significantContainerUpdate(c as Container, prev as Container, pod, old)
    );
  });
}

export function podSecurityAdmission(options: PodSecurityOptions): AdmissionPlugin {
  const exempt = options.exemptions ?? {};
  const warn = options.onWarning ?? attributeWarnings;

  const policyFor = (namespace: string): NamespacePolicy => {
    const ns = getAs<Namespace>(options.reader, "", "namespaces", "", namespace);
    return policyToEvaluate(ns?.metadata?.labels, options.defaults ?? defaultPolicy);
  };
  const violations = (lv: LevelVersion, t: Template) =>
    evaluatePod(lv.level, t?.metadata ?? {}, t?.spec ?? { containers: [] });
  const warnIfViolated = (attrs: AdmissionAttributes, lv: LevelVersion, t: Template) => {
    const found = violations(lv, t);
    if (found.length > 0)
      warn(
        attrs,
        `would violate PodSecurity "${levelVersionString(lv)}": ${forbiddenDetail(found)}`,
      );
  };

  const admitPod = (attrs: AdmissionAttributes, pod: Pod) => {
    if (attrs.subresource !== "" && attrs.subresource !== "ephemeralcontainers") return;
    if (attrs.operation !== "CREATE" && attrs.operation !== "UPDATE") return;
    if (attrs.operation === "UPDATE" && attrs.subresource === "" && attrs.oldObject !== undefined) {
      if (!isSignificantPodUpdate(pod, attrs.oldObject as Pod)) return;
    }
    if (exempt.runtimeClasses?.includes(pod.spec?.runtimeClassName ?? "\0")) return;
    const policy = policyFor(attrs.namespace);
    const found = violations(policy.enforce, pod);
    if (found.length > 0) {
      const why = `violates PodSecurity "${levelVersionString(policy.enforce)}": ${forbiddenDetail(found)}`;
      throw admissionForbidden(attrs, why);
    }
    warnIfViolated(attrs, policy.warn, pod);
  };

  const admitTemplate = (attrs: AdmissionAttributes, extract: (o: KubeObject) => Template) => {
    if (attrs.subresource !== "" || attrs.object === undefined) return;
    if (attrs.operation !== "CREATE" && attrs.operation !== "UPDATE") return;
    const template = extract(attrs.object);
    if (template === undefined) return;
    if (
      attrs.oldObject !== undefined &&
      JSON.stringify(extract(attrs.oldObject)) === JSON.stringify(template)
    )
      return;
    if (exempt.runtimeClasses?.includes(template.spec?.runtimeClassName ?? "\0")) return;
    warnIfViolated(attrs, policyFor(attrs.namespace).warn, template);
  };

  return {
    name: "PodSecurity",
    async validate(attrs) {
      if (attrs.object === undefined || attrs.namespace === "") return;
      if (exempt.namespaces?.includes(attrs.namespace)) return;
      if (exempt.usernames?.includes(attrs.user.username)) return;
      if (isResource(attrs, "", "pods")) return admitPod(attrs, attrs.object as Pod);
      const extract = templateOf[`${attrs.resource.group}/${attrs.resource.plural}`];
      if (extract !== undefined) admitTemplate(attrs, extract);
    },
  };
}
