/**
 * The rules of `system:kube-controller-manager`. Upstream gives this identity little (its
 * controllers run as per-controller service accounts, `system:controller:*`); Bosun's controller
 * manager runs every controller as the one user `system:kube-controller-manager`, so this role is
 * upstream's rules plus the union of what the controller roles Bosun runs need:
 *
 * - garbage collector and namespace deleter: read, update, patch and delete anything;
 * - workload controllers: create pods, replica sets, controller revisions, jobs, claims;
 * - endpoints / EndpointSlice, service-account, token and root-CA controllers: their objects;
 * - node lifecycle and PV binder: nodes, pods, volumes (covered by the `*` rule);
 * - CSR approving and signing: approve and sign for the built-in signers;
 * - ClusterRole aggregation: `escalate` on clusterroles, so it may write rules it does not hold.
 */
import type { PolicyRule } from "../../../api/generated/types.ts";
import { eventsRule, resourceRule as rule } from "./policy-rule.ts";

const builtinSigners = [
  "kubernetes.io/kube-apiserver-client",
  "kubernetes.io/kube-apiserver-client-kubelet",
  "kubernetes.io/kubelet-serving",
  "kubernetes.io/legacy-unknown",
];

export const kubeControllerManagerRules: readonly PolicyRule[] = [
  // Upstream's own system:kube-controller-manager rules.
  eventsRule(),
  rule(["create"], ["coordination.k8s.io"], ["leases"]),
  rule(["get", "update"], ["coordination.k8s.io"], ["leases"], ["kube-controller-manager"]),
  rule(["create"], [""], ["secrets", "serviceaccounts"]),
  rule(["delete"], [""], ["secrets"]),
  rule(["get"], [""], ["configmaps", "namespaces", "secrets", "serviceaccounts"]),
  rule(["update"], [""], ["secrets", "serviceaccounts"]),
  rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
  rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
  rule(["list", "watch"], ["*"], ["*"]),
  rule(["create"], [""], ["serviceaccounts/token"]),
  // The controllers Bosun runs under this identity.
  rule(["delete", "deletecollection", "get", "list", "patch", "update", "watch"], ["*"], ["*"]),
  rule(
    ["create"],
    [""],
    [
      "configmaps",
      "endpoints",
      "events",
      "persistentvolumeclaims",
      "persistentvolumes",
      "pods",
      "pods/eviction",
      "resourcequotas",
    ],
  ),
  rule(["create"], ["apps"], ["controllerrevisions", "replicasets"]),
  rule(["create"], ["batch"], ["jobs"]),
  rule(["create"], ["discovery.k8s.io"], ["endpointslices"]),
  rule(["create"], ["networking.k8s.io"], ["ipaddresses", "servicecidrs"]),
  rule(["approve", "sign"], ["certificates.k8s.io"], ["signers"], builtinSigners),
  rule(["escalate"], ["rbac.authorization.k8s.io"], ["clusterroles"]),
];
