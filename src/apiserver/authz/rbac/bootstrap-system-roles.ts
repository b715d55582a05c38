/**
 * Rules of the `system:*` ClusterRoles for cluster components (upstream
 * `bootstrappolicy/policy.go`, sorted as `testdata/cluster-roles.yaml` shows them).
 */
import type { PolicyRule } from "../../../api/generated/types.ts";
import { eventsRule, resourceRule as rule, urlRule } from "./policy-rule.ts";

const read = ["get", "list", "watch"];

/** `system:node`; also the Node authorizer's static rules (`NodeRules()`). */
export const nodeRules: readonly PolicyRule[] = [
  rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
  rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews", "subjectaccessreviews"]),
  rule(read, [""], ["services"]),
  rule(["create", "get", "list", "watch"], [""], ["nodes"]),
  rule(["patch", "update"], [""], ["nodes/status"]),
  rule(["patch", "update"], [""], ["nodes"]),
  rule(["create", "patch", "update"], [""], ["events"]),
  rule(read, [""], ["pods"]),
  rule(["create", "delete"], [""], ["pods"]),
  rule(["patch", "update"], [""], ["pods/status"]),
  rule(["create"], [""], ["pods/eviction"]),
  rule(read, [""], ["configmaps", "secrets"]),
  rule(["get"], [""], ["persistentvolumeclaims", "persistentvolumes"]),
  rule(["get"], [""], ["endpoints"]),
  rule(["create", "get", "list", "watch"], ["certificates.k8s.io"], ["certificatesigningrequests"]),
  rule(["create", "delete", "get", "patch", "update"], ["coordination.k8s.io"], ["leases"]),
  rule(["get"], ["storage.k8s.io"], ["volumeattachments"]),
  rule(["create"], [""], ["serviceaccounts/token"]),
  rule(["get", "patch", "update"], [""], ["persistentvolumeclaims/status"]),
  rule(read, ["storage.k8s.io"], ["csidrivers"]),
  rule(["create", "delete", "get", "patch", "update"], ["storage.k8s.io"], ["csinodes"]),
  rule(read, ["node.k8s.io"], ["runtimeclasses"]),
];

export const kubeSchedulerRules: readonly PolicyRule[] = [
  eventsRule(),
  rule(["create"], ["coordination.k8s.io"], ["leases"]),
  rule(["get", "update"], ["coordination.k8s.io"], ["leases"], ["kube-scheduler"]),
  rule(read, [""], ["nodes"]),
  rule(["delete", "get", "list", "watch"], [""], ["pods"]),
  rule(["create"], [""], ["bindings", "pods/binding"]),
  rule(["patch", "update"], [""], ["pods/status"]),
  rule(read, [""], ["replicationcontrollers", "services"]),
  rule(read, ["apps", "extensions"], ["replicasets"]),
  rule(read, ["apps"], ["statefulsets"]),
  rule(read, ["policy"], ["poddisruptionbudgets"]),
  rule(read, [""], ["persistentvolumeclaims", "persistentvolumes"]),
  rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
  rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
  rule(read, ["storage.k8s.io"], ["csinodes"]),
  rule(read, [""], ["namespaces"]),
  rule(read, ["storage.k8s.io"], ["csidrivers"]),
  rule(read, ["storage.k8s.io"], ["csistoragecapacities"]),
];

export const volumeSchedulerRules: readonly PolicyRule[] = [
  rule(["get", "list", "patch", "update", "watch"], [""], ["persistentvolumes"]),
  rule(read, ["storage.k8s.io"], ["storageclasses"]),
  rule(["get", "list", "patch", "update", "watch"], [""], ["persistentvolumeclaims"]),
];

export const nodeProxierRules: readonly PolicyRule[] = [
  rule(["list", "watch"], [""], ["endpoints", "services"]),
  rule(read, [""], ["nodes"]),
  eventsRule(),
  rule(["list", "watch"], ["discovery.k8s.io"], ["endpointslices"]),
];

/**
 * `system:kube-dns` (upstream: list/watch endpoints and services), widened to what CoreDNS's
 * `system:coredns` role reads: also namespaces, pods and EndpointSlices.
 */
export const kubeDNSRules: readonly PolicyRule[] = [
  rule(["list", "watch"], [""], ["endpoints", "services"]),
  rule(["list", "watch"], [""], ["namespaces", "pods"]),
  rule(["list", "watch"], ["discovery.k8s.io"], ["endpointslices"]),
];

/**
 * `bosun:node-ingress`: what the built-in ingress controller in each node's agent reads besides
 * Services and EndpointSlices (`system:node-proxier`). Its TLS Secrets are not granted here.
 */
export const nodeIngressRules: readonly PolicyRule[] = [
  rule(["list", "watch"], ["networking.k8s.io"], ["ingressclasses", "ingresses"]),
];

export const kubeletAPIAdminRules: readonly PolicyRule[] = [
  rule(read, [""], ["nodes"]),
  rule(["proxy"], [""], ["nodes"]),
  rule(["*"], [""], ["nodes/log", "nodes/metrics", "nodes/proxy", "nodes/stats"]),
];

export const discoveryRules: readonly PolicyRule[] = [
  urlRule(
    ["get"],
    [
      "/api",
      "/api/*",
      "/apis",
      "/apis/*",
      "/healthz",
      "/livez",
      "/openapi",
      "/openapi/*",
      "/readyz",
      "/version",
      "/version/",
    ],
  ),
];

export const publicInfoViewerRules: readonly PolicyRule[] = [
  urlRule(["get"], ["/healthz", "/livez", "/readyz", "/version", "/version/"]),
];

export const monitoringRules: readonly PolicyRule[] = [
  urlRule(
    ["get"],
    [
      "/healthz",
      "/healthz/*",
      "/livez",
      "/livez/*",
      "/metrics",
      "/metrics/slis",
      "/readyz",
      "/readyz/*",
    ],
  ),
];

export const basicUserRules: readonly PolicyRule[] = [
  rule(
    ["create"],
    ["authorization.k8s.io"],
    ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
  ),
  rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]),
];

export const authDelegatorRules: readonly PolicyRule[] = [
  rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
  rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
];

export const nodeBootstrapperRules: readonly PolicyRule[] = [
  rule(["create", "get", "list", "watch"], ["certificates.k8s.io"], ["certificatesigningrequests"]),
];

export const nodeClientRules: readonly PolicyRule[] = [
  rule(["create"], ["certificates.k8s.io"], ["certificatesigningrequests/nodeclient"]),
];

export const selfNodeClientRules: readonly PolicyRule[] = [
  rule(["create"], ["certificates.k8s.io"], ["certificatesigningrequests/selfnodeclient"]),
];

export const serviceAccountIssuerDiscoveryRules: readonly PolicyRule[] = [
  urlRule(["get"], ["/.well-known/openid-configuration", "/openid/v1/jwks"]),
];
