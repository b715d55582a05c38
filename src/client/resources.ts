/** The resources components read and write, and the URL paths of their objects. */
export interface GroupVersionResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly namespaced: boolean;
}

const r = (
  group: string,
  version: string,
  resource: string,
  namespaced: boolean,
): GroupVersionResource => ({
  group,
  version,
  resource,
  namespaced,
});

export const resources = {
  namespaces: r("", "v1", "namespaces", false),
  nodes: r("", "v1", "nodes", false),
  pods: r("", "v1", "pods", true),
  services: r("", "v1", "services", true),
  endpoints: r("", "v1", "endpoints", true),
  configmaps: r("", "v1", "configmaps", true),
  resourcequotas: r("", "v1", "resourcequotas", true),
  secrets: r("", "v1", "secrets", true),
  serviceaccounts: r("", "v1", "serviceaccounts", true),
  events: r("", "v1", "events", true),
  persistentvolumes: r("", "v1", "persistentvolumes", false),
  persistentvolumeclaims: r("", "v1", "persistentvolumeclaims", true),
  replicationcontrollers: r("", "v1", "replicationcontrollers", true),
  deployments: r("apps", "v1", "deployments", true),
  replicasets: r("apps", "v1", "replicasets", true),
  statefulsets: r("apps", "v1", "statefulsets", true),
  daemonsets: r("apps", "v1", "daemonsets", true),
  controllerrevisions: r("apps", "v1", "controllerrevisions", true),
  jobs: r("batch", "v1", "jobs", true),
  cronjobs: r("batch", "v1", "cronjobs", true),
  endpointslices: r("discovery.k8s.io", "v1", "endpointslices", true),
  leases: r("coordination.k8s.io", "v1", "leases", true),
  storageclasses: r("storage.k8s.io", "v1", "storageclasses", false),
  csrs: r("certificates.k8s.io", "v1", "certificatesigningrequests", false),
  poddisruptionbudgets: r("policy", "v1", "poddisruptionbudgets", true),
  horizontalpodautoscalers: r("autoscaling", "v2", "horizontalpodautoscalers", true),
  priorityclasses: r("scheduling.k8s.io", "v1", "priorityclasses", false),
  runtimeclasses: r("node.k8s.io", "v1", "runtimeclasses", false),
} as const satisfies Record<string, GroupVersionResource>;

/** `/api/v1/namespaces/ns/pods/name/status` and friends; "" namespace means all namespaces. */
export function resourcePath(
  gvr: GroupVersionResource,
  namespace = "",
  name = "",
  subresource = "",
): string {
  const base = gvr.group ? `/apis/${gvr.group}/${gvr.version}` : `/api/${gvr.version}`;
  const ns = gvr.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  const obj = name ? `/${encodeURIComponent(name)}` : "";
  const sub = name && subresource ? `/${subresource}` : "";
  return `${base}${ns}/${gvr.resource}${obj}${sub}`;
}

export function apiVersionOf(gvr: GroupVersionResource): string {
  return gvr.group ? `${gvr.group}/${gvr.version}` : gvr.version;
}
