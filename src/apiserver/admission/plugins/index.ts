/**
 * The built-in admission plugins beyond NamespaceLifecycle, and upstream's order for them
 * (kube-apiserver's `AllOrderedPlugins`, restricted to what Bosun has). See README.md.
 */
import type { AdmissionPlugin } from "../admission.ts";
import { defaultIngressClassAdmission } from "./default-ingress-class.ts";
import { defaultStorageClassAdmission } from "./default-storage-class.ts";
import { defaultTolerationSecondsAdmission } from "./default-toleration-seconds.ts";
import { limitRangerAdmission } from "./limit-ranger.ts";
import { nodeRestrictionAdmission } from "./node-restriction.ts";
import { type PodSecurityOptions, podSecurityAdmission } from "./pod-security.ts";
import { priorityAdmission } from "./priority.ts";
import type { AdmissionReader } from "./reader.ts";
import { resourceQuotaAdmission } from "./resource-quota.ts";
import { runtimeClassAdmission } from "./runtime-class.ts";
import { type ServiceAccountOptions, serviceAccountAdmission } from "./service-account.ts";
import { storageObjectInUseProtectionAdmission } from "./storage-object-in-use-protection.ts";

export { defaultIngressClassAdmission } from "./default-ingress-class.ts";
export { defaultStorageClassAdmission } from "./default-storage-class.ts";
export { defaultTolerationSecondsAdmission } from "./default-toleration-seconds.ts";
export { limitRangerAdmission } from "./limit-ranger.ts";
export { nodeRestrictionAdmission } from "./node-restriction.ts";
export { podSecurityAdmission } from "./pod-security.ts";
export { priorityAdmission } from "./priority.ts";
export { type AdmissionReader, StaticReader } from "./reader.ts";
export { resourceQuotaAdmission } from "./resource-quota.ts";
export { runtimeClassAdmission } from "./runtime-class.ts";
export { serviceAccountAdmission } from "./service-account.ts";
export { storageObjectInUseProtectionAdmission } from "./storage-object-in-use-protection.ts";
export { attributeWarnings, type WarningSink } from "./warnings.ts";

/** Upstream's plugin order; every admit runs in this order, then every validate. */
export const admissionOrder = [
  "NamespaceLifecycle",
  "LimitRanger",
  "ServiceAccount",
  "NodeRestriction",
  "PodSecurity",
  "Priority",
  "DefaultTolerationSeconds",
  "DefaultStorageClass",
  "StorageObjectInUseProtection",
  "RuntimeClass",
  "DefaultIngressClass",
  "ResourceQuota",
] as const;

export type AdmissionPluginName = (typeof admissionOrder)[number];

/** Sorts plugins into `admissionOrder` (unknown names keep their place after the known ones). */
export function orderPlugins(plugins: readonly AdmissionPlugin[]): AdmissionPlugin[] {
  const rank = (p: AdmissionPlugin) => {
    const i = (admissionOrder as readonly string[]).indexOf(p.name);
    return i < 0 ? admissionOrder.length : i;
  };
  return plugins
    .map((plugin, index) => ({ plugin, index }))
    .sort((a, b) => rank(a.plugin) - rank(b.plugin) || a.index - b.index)
    .map(({ plugin }) => plugin);
}

export interface BuiltinPluginOptions {
  readonly reader: AdmissionReader;
  readonly serviceAccount?: Omit<ServiceAccountOptions, "reader">;
  readonly podSecurity?: Omit<PodSecurityOptions, "reader">;
  readonly defaultTolerationSeconds?: { readonly notReady?: number; readonly unreachable?: number };
}

/** This folder's plugins, in order (NamespaceLifecycle is the caller's to add first). */
export function builtinAdmissionPlugins(options: BuiltinPluginOptions): AdmissionPlugin[] {
  const { reader } = options;
  return [
    limitRangerAdmission({ reader }),
    serviceAccountAdmission({ ...options.serviceAccount, reader }),
    nodeRestrictionAdmission({ reader }),
    podSecurityAdmission({ ...options.podSecurity, reader }),
    priorityAdmission({ reader }),
    defaultTolerationSecondsAdmission(options.defaultTolerationSeconds),
    defaultStorageClassAdmission({ reader }),
    storageObjectInUseProtectionAdmission(),
    runtimeClassAdmission({ reader }),
    defaultIngressClassAdmission({ reader }),
    resourceQuotaAdmission({ reader }),
  ];
}
