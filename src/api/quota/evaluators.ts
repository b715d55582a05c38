/**
 * Quota evaluators (upstream `pkg/quota/v1/evaluator/core` and the generic object-count
 * evaluator): for one kind of object, which quota resource names it is charged against, what
 * one object uses, and whether it falls inside a quota's scopes.
 */

import { newQuantity } from "../../machinery/quantity.ts";
import type {
  PersistentVolumeClaim,
  Pod,
  ScopedResourceSelectorRequirement,
  Service,
} from "../generated/types.ts";
import { isExtendedResourceName } from "../kinds/policy/resource-names.ts";
import type { KubeObject } from "../object.ts";
import { podMatchesScope, podRequiredResources } from "./pod-scopes.ts";
import {
  addPodOverhead,
  podLimits,
  podRequests,
  type ResourceList,
  toResourceList,
} from "./resource-list.ts";

export interface QuotaEvaluator {
  /** Whether a quota resource name (a key of spec.hard) is charged by these objects. */
  matches(name: string): boolean;
  /** What one object uses. */
  usage(obj: KubeObject): ResourceList;
  /** Whether the object falls inside one scope requirement (no scopes: always). */
  matchesScope(req: ScopedResourceSelectorRequirement, obj: KubeObject): boolean;
  /** Upstream's `Constraints`: a message when the object fails to specify required resources. */
  constraints(required: readonly string[], obj: KubeObject): string | undefined;
}

const one = () => newQuantity(1, "DecimalSI");
const storageClassSuffix = ".storageclass.storage.k8s.io/";

/** `count/<resource>` for the core group, `count/<resource>.<group>` otherwise. */
export const objectCountName = (group: string, plural: string): string =>
  group === "" ? `count/${plural}` : `count/${plural}.${group}`;

function countEvaluator(names: readonly string[]): QuotaEvaluator {
  return {
    matches: (name) => names.includes(name),
    usage: () => new Map(names.map((n) => [n, one()])),
    matchesScope: () => false,
    constraints: () => undefined,
  };
}

const podComputeNames = new Set([
  "pods",
  "cpu",
  "memory",
  "ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.ephemeral-storage",
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
]);

/** `podComputeUsageHelper`: the quota names a pod's requests and limits charge. */
export function podComputeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = new Map([["pods", one()]]);
  for (const r of ["cpu", "memory", "ephemeral-storage"]) {
    const req = requests.get(r);
    if (req) out.set(r, req).set(`requests.${r}`, req);
    const lim = limits.get(r);
    if (lim) out.set(`limits.${r}`, lim);
  }
  for (const [name, req] of requests) {
    if (name.startsWith("hugepages-")) out.set(name, req).set(`requests.${name}`, req);
    if (isExtendedResourceName(name)) out.set(`requests.${name}`, req);
  }
  return out;
}

const isTerminal = (pod: Pod) =>
  pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";

const podEvaluator: QuotaEvaluator = {
  matches: (name) =>
    name === "count/pods" ||
    podComputeNames.has(name) ||
    name.startsWith("hugepages-") ||
    name.startsWith("requests.hugepages-") ||
    (name.startsWith("requests.") && isExtendedResourceName(name.slice("requests.".length))),
  usage(obj) {
    const pod = obj as Pod;
    const out: ResourceList = new Map([["count/pods", one()]]);
    if (isTerminal(pod)) return out;
    const requests = podRequests(pod);
    const limits = podLimits(pod);
    addPodOverhead(pod, requests, limits);
    for (const [k, v] of podComputeUsage(requests, limits)) out.set(k, v);
    return out;
  },
  matchesScope: (req, obj) => podMatchesScope(req, obj as Pod),
  constraints: (required, obj) => podRequiredResources(required, obj as Pod),
};

function serviceUsage(obj: KubeObject): ResourceList {
  const svc = obj as Service;
  const ports = svc.spec?.ports ?? [];
  let nodePorts = 0;
  let loadBalancers = 0;
  if (svc.spec?.type === "NodePort") nodePorts = ports.length;
  if (svc.spec?.type === "LoadBalancer") {
    loadBalancers = 1;
    nodePorts =
      svc.spec.allocateLoadBalancerNodePorts === false
        ? ports.filter((p) => (p.nodePort ?? 0) !== 0).length
        : ports.length;
  }
  return new Map([
    ["count/services", one()],
    ["services", one()],
    ["services.loadbalancers", newQuantity(loadBalancers, "DecimalSI")],
    ["services.nodeports", newQuantity(nodePorts, "DecimalSI")],
  ]);
}

/** The claim's class: spec.storageClassName, else the beta annotation. */
function claimClass(pvc: PersistentVolumeClaim): string {
  return (
    pvc.metadata?.annotations?.["volume.beta.kubernetes.io/storage-class"] ??
    pvc.spec?.storageClassName ??
    ""
  );
}

function pvcUsage(obj: KubeObject): ResourceList {
  const pvc = obj as PersistentVolumeClaim;
  const out: ResourceList = new Map([
    ["persistentvolumeclaims", one()],
    ["count/persistentvolumeclaims", one()],
  ]);
  const cls = claimClass(pvc);
  if (cls !== "") out.set(`${cls}${storageClassSuffix}persistentvolumeclaims`, one());
  const requested = toResourceList(pvc.spec?.resources?.requests).get("storage");
  const allocated = toResourceList(pvc.status?.allocatedResources).get("storage");
  const storage = requested && allocated && allocated.cmp(requested) > 0 ? allocated : requested;
  if (storage) {
    out.set("requests.storage", storage);
    if (cls !== "") out.set(`${cls}${storageClassSuffix}requests.storage`, storage);
  }
  return out;
}

const pvcEvaluator: QuotaEvaluator = {
  matches: (name) =>
    ["persistentvolumeclaims", "count/persistentvolumeclaims", "requests.storage"].includes(name) ||
    (name.includes(storageClassSuffix) &&
      (name.endsWith("/persistentvolumeclaims") || name.endsWith("/requests.storage"))),
  usage: pvcUsage,
  matchesScope: () => false,
  constraints: () => undefined,
};

const serviceEvaluator: QuotaEvaluator = {
  matches: (name) =>
    ["services", "count/services", "services.loadbalancers", "services.nodeports"].includes(name),
  usage: serviceUsage,
  matchesScope: () => false,
  constraints: () => undefined,
};

/** The evaluator for a resource: a core one, or the generic `count/` one. */
export function evaluatorFor(group: string, plural: string): QuotaEvaluator {
  if (group === "") {
    switch (plural) {
      case "pods":
        return podEvaluator;
      case "services":
        return serviceEvaluator;
      case "persistentvolumeclaims":
        return pvcEvaluator;
      case "configmaps":
      case "secrets":
      case "replicationcontrollers":
      case "resourcequotas":
        return countEvaluator([plural, objectCountName(group, plural)]);
    }
  }
  return countEvaluator([objectCountName(group, plural)]);
}
