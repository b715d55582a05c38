/**
 * The Service field bookkeeping upstream does around an update, before validation: keep
 * allocated values a client left out (`patchAllocatedValues`), keep `clusterIP` and `clusterIPs`
 * in step (`NormalizeClusterIPs`), and clear fields the new type no longer uses
 * (`dropTypeDependentFields`). Nothing here allocates; the registry's allocator does that.
 */
import type { Service, ServiceSpec } from "../../generated/types.ts";
import { type Obj, sameValue } from "./common.ts";

type ServiceObj = Obj<Service>;

function specOf(svc: ServiceObj): ServiceSpec {
  svc.spec ??= {};
  return svc.spec;
}

export const needsClusterIP = (svc: ServiceObj): boolean => svc.spec?.type !== "ExternalName";

export const needsNodePort = (svc: ServiceObj): boolean =>
  svc.spec?.type === "NodePort" || svc.spec?.type === "LoadBalancer";

/** `NeedsHealthCheck`: a LoadBalancer with externalTrafficPolicy Local. */
export const needsHealthCheck = (svc: ServiceObj): boolean =>
  svc.spec?.type === "LoadBalancer" && svc.spec.externalTrafficPolicy === "Local";

/** `ExternallyAccessible`: NodePort, LoadBalancer, or ClusterIP with external IPs. */
export const externallyAccessible = (svc: ServiceObj): boolean =>
  needsNodePort(svc) || (svc.spec?.type === "ClusterIP" && (svc.spec.externalIPs ?? []).length > 0);

/** Copies allocated values the client did not specify from the stored service. */
export function patchAllocatedValues(svc: ServiceObj, old: ServiceObj): void {
  const spec = specOf(svc);
  const oldSpec = old.spec ?? {};
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if ((spec.clusterIP ?? "") === "" && oldSpec.clusterIP !== undefined) {
      spec.clusterIP = oldSpec.clusterIP;
    }
    if ((spec.clusterIPs ?? []).length === 0 && (oldSpec.clusterIPs ?? []).length > 0) {
      spec.clusterIPs = [...(oldSpec.clusterIPs ?? [])];
    }
    // Upstream's allocator keeps the stored families when a client sends none.
    if ((spec.ipFamilies ?? []).length === 0 && (oldSpec.ipFamilies ?? []).length > 0) {
      spec.ipFamilies = [...(oldSpec.ipFamilies ?? [])];
    }
  }
  if (needsNodePort(old) && needsNodePort(svc)) {
    const used = (s: ServiceSpec) => new Set((s.ports ?? []).map((p) => p.nodePort ?? 0));
    const newUsed = used(spec);
    const inBoth = new Set([...used(oldSpec)].filter((n) => newUsed.has(n)));
    const byName = new Map((oldSpec.ports ?? []).map((p) => [p.name ?? "", p.nodePort ?? 0]));
    for (const port of spec.ports ?? []) {
      if ((port.nodePort ?? 0) !== 0) continue;
      const n = byName.get(port.name ?? "");
      if (n !== undefined && n !== 0 && !inBoth.has(n)) port.nodePort = n;
    }
  }
  if (needsHealthCheck(old) && needsHealthCheck(svc) && (spec.healthCheckNodePort ?? 0) === 0) {
    if (oldSpec.healthCheckNodePort !== undefined) {
      spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
    }
  }
}

const sameClusterIPs = (a: ServiceSpec, b: ServiceSpec) =>
  (a.clusterIP ?? "") === (b.clusterIP ?? "") && sameValue(a.clusterIPs ?? [], b.clusterIPs ?? []);

/** `NormalizeClusterIPs`: infers what a client that set only one of the two fields meant. */
export function normalizeClusterIPs(svc: ServiceObj, old: ServiceObj | undefined): void {
  const spec = specOf(svc);
  const clusterIP = spec.clusterIP ?? "";
  if (old === undefined) {
    if (clusterIP !== "" && (spec.clusterIPs ?? []).length === 0) spec.clusterIPs = [clusterIP];
    return;
  }
  const oldSpec = old.spec ?? {};
  const oldClusterIP = oldSpec.clusterIP ?? "";
  if ((oldSpec.clusterIPs ?? []).length > 0 && (spec.clusterIPs ?? []).length === 0) {
    if (oldClusterIP === clusterIP) spec.clusterIPs = [...(oldSpec.clusterIPs ?? [])];
  }
  if (oldClusterIP !== clusterIP && sameValue(oldSpec.clusterIPs ?? [], spec.clusterIPs ?? [])) {
    if (oldClusterIP !== "" && clusterIP === "") delete spec.clusterIPs;
    else spec.clusterIPs = [clusterIP];
  }
}

/** `dropTypeDependentFields`: wipes what a type change made moot, unless the client changed it. */
export function dropTypeDependentFields(svc: ServiceObj, old: ServiceObj): void {
  const spec = specOf(svc);
  const oldSpec = old.spec ?? {};
  if (needsClusterIP(old) && !needsClusterIP(svc)) {
    if (sameClusterIPs(oldSpec, spec)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (sameValue(oldSpec.ipFamilies, spec.ipFamilies)) delete spec.ipFamilies;
    if ((oldSpec.ipFamilyPolicy ?? "") === (spec.ipFamilyPolicy ?? "")) delete spec.ipFamilyPolicy;
  }
  const nodePorts = (s: ServiceSpec) => (s.ports ?? []).map((p) => p.nodePort ?? 0);
  const oldPorts = new Set(nodePorts(oldSpec));
  const sameNodePorts = nodePorts(spec).every((n) => n === 0 || oldPorts.has(n));
  if (needsNodePort(old) && !needsNodePort(svc) && sameNodePorts) {
    for (const port of spec.ports ?? []) delete port.nodePort;
  }
  const sameHC = (oldSpec.healthCheckNodePort ?? 0) === (spec.healthCheckNodePort ?? 0);
  if (needsHealthCheck(old) && !needsHealthCheck(svc) && sameHC) delete spec.healthCheckNodePort;
  if (oldSpec.type === "LoadBalancer" && spec.type !== "LoadBalancer") {
    const a = oldSpec.allocateLoadBalancerNodePorts;
    if (a !== undefined && a === spec.allocateLoadBalancerNodePorts) {
      delete spec.allocateLoadBalancerNodePorts;
    }
    if (oldSpec.loadBalancerClass === spec.loadBalancerClass) delete spec.loadBalancerClass;
  }
  const sameETP = (oldSpec.externalTrafficPolicy ?? "") === (spec.externalTrafficPolicy ?? "");
  if (externallyAccessible(old) && !externallyAccessible(svc) && sameETP) {
    delete spec.externalTrafficPolicy;
  }
  if (spec.type !== "LoadBalancer") svc.status = { ...(svc.status ?? {}), loadBalancer: {} };
}
