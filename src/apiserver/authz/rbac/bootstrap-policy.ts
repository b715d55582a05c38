/**
 * The default RBAC policy the API server creates at start-up (upstream
 * `plugin/pkg/auth/authorizer/rbac/bootstrappolicy`): ClusterRoles, ClusterRoleBindings and the
 * kube-system Roles and RoleBindings, each labelled `kubernetes.io/bootstrapping: rbac-defaults`
 * and annotated `rbac.authorization.kubernetes.io/autoupdate: "true"` (reconciled at every start
 * unless a user sets the annotation to "false").
 *
 * Beyond upstream's set, Bosun binds the kubelet TLS-bootstrap roles as kubeadm does: node
 * bootstrapper and CSR "nodeclient" auto-approval to group `system:bootstrappers`, and
 * "selfnodeclient" renewal to group `system:nodes`; and `bosun:node-proxier` gives nodes
 * `system:node-proxier`, because the service proxy runs in the node agent as the node, as do
 * cluster DNS (`bosun:node-dns`: `system:kube-dns`) and the ingress controller
 * (`bosun:node-ingress`).
 */
import type {
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  RbacV1Subject,
  Role,
  RoleBinding,
} from "../../../api/generated/types.ts";
import {
  aggregateToAdminRules,
  aggregateToEditRules,
  aggregateToViewRules,
} from "./bootstrap-aggregate-roles.ts";
import { kubeControllerManagerRules } from "./bootstrap-controller-manager-role.ts";
import * as sys from "./bootstrap-system-roles.ts";
import { resourceRule, urlRule } from "./policy-rule.ts";

export const bootstrappingLabel = { "kubernetes.io/bootstrapping": "rbac-defaults" } as const;
export const autoUpdateAnnotation = "rbac.authorization.kubernetes.io/autoupdate";
const rbacGroup = "rbac.authorization.k8s.io";
const apiVersion = "rbac.authorization.k8s.io/v1";

function metadata(name: string, labels: Record<string, string> = {}, namespace?: string) {
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    labels: { ...bootstrappingLabel, ...labels },
    annotations: { [autoUpdateAnnotation]: "true" },
  };
}

function clusterRole(
  name: string,
  rules: readonly PolicyRule[],
  labels: Record<string, string> = {},
): ClusterRole {
  return { apiVersion, kind: "ClusterRole", metadata: metadata(name, labels), rules: [...rules] };
}

function aggregated(name: string, selectorLabel: string, labels: Record<string, string> = {}) {
  return {
    ...clusterRole(name, [], labels),
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [selectorLabel]: "true" } }] },
  } satisfies ClusterRole;
}

export const users = (...names: string[]): RbacV1Subject[] =>
  names.map((name) => ({ apiGroup: rbacGroup, kind: "User", name }));
export const groups = (...names: string[]): RbacV1Subject[] =>
  names.map((name) => ({ apiGroup: rbacGroup, kind: "Group", name }));
export const serviceAccount = (namespace: string, name: string): RbacV1Subject => ({
  kind: "ServiceAccount",
  name,
  namespace,
});

function clusterBinding(name: string, subjects: RbacV1Subject[], role = name): ClusterRoleBinding {
  const binding: ClusterRoleBinding = {
    apiVersion,
    kind: "ClusterRoleBinding",
    metadata: metadata(name),
    roleRef: { apiGroup: rbacGroup, kind: "ClusterRole", name: role },
  };
  if (subjects.length > 0) binding.subjects = subjects;
  return binding;
}

const aggregateTo = (role: string) => `rbac.authorization.k8s.io/aggregate-to-${role}`;

/** `ClusterRoles()`: the default cluster roles, admin/edit/view aggregated (rules filled in later). */
export function bootstrapClusterRoles(): ClusterRole[] {
  return [
    clusterRole("cluster-admin", [resourceRule(["*"], ["*"], ["*"]), urlRule(["*"], ["*"])]),
    aggregated("admin", aggregateTo("admin")),
    aggregated("edit", aggregateTo("edit"), { [aggregateTo("admin")]: "true" }),
    aggregated("view", aggregateTo("view"), { [aggregateTo("edit")]: "true" }),
    clusterRole("system:aggregate-to-admin", aggregateToAdminRules, {
      [aggregateTo("admin")]: "true",
    }),
    clusterRole("system:aggregate-to-edit", aggregateToEditRules, {
      [aggregateTo("edit")]: "true",
    }),
    clusterRole("system:aggregate-to-view", aggregateToViewRules, {
      [aggregateTo("view")]: "true",
    }),
    // What metrics-server installs upstream (k3s ships it): whoever may view may read usage.
    clusterRole(
      "system:aggregated-metrics-reader",
      [resourceRule(["get", "list", "watch"], ["metrics.k8s.io"], ["pods", "nodes"])],
      {
        [aggregateTo("view")]: "true",
        [aggregateTo("edit")]: "true",
        [aggregateTo("admin")]: "true",
      },
    ),
    clusterRole("system:discovery", sys.discoveryRules),
    clusterRole("system:basic-user", sys.basicUserRules),
    clusterRole("system:public-info-viewer", sys.publicInfoViewerRules),
    clusterRole("system:monitoring", sys.monitoringRules),
    clusterRole("system:auth-delegator", sys.authDelegatorRules),
    clusterRole("system:node", sys.nodeRules),
    clusterRole("system:node-bootstrapper", sys.nodeBootstrapperRules),
    clusterRole("system:node-proxier", sys.nodeProxierRules),
    clusterRole("system:kubelet-api-admin", sys.kubeletAPIAdminRules),
    clusterRole("system:kube-scheduler", sys.kubeSchedulerRules),
    clusterRole("system:volume-scheduler", sys.volumeSchedulerRules),
    clusterRole("system:kube-controller-manager", kubeControllerManagerRules),
    clusterRole("system:kube-dns", sys.kubeDNSRules),
    clusterRole("bosun:node-ingress", sys.nodeIngressRules),
    clusterRole(
      "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
      sys.nodeClientRules,
    ),
    clusterRole(
      "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
      sys.selfNodeClientRules,
    ),
    clusterRole("system:service-account-issuer-discovery", sys.serviceAccountIssuerDiscoveryRules),
  ];
}

/** `ClusterRoleBindings()`: the default cluster role bindings. */
export function bootstrapClusterRoleBindings(): ClusterRoleBinding[] {
  return [
    clusterBinding("cluster-admin", groups("system:masters")),
    clusterBinding("system:monitoring", groups("system:monitoring")),
    clusterBinding("system:discovery", groups("system:authenticated")),
    clusterBinding("system:basic-user", groups("system:authenticated")),
    clusterBinding(
      "system:public-info-viewer",
      groups("system:authenticated", "system:unauthenticated"),
    ),
    // Upstream binds system:node to nobody: the Node authorizer grants nodes these rules.
    clusterBinding("system:node", []),
    clusterBinding("system:node-proxier", users("system:kube-proxy")),
    clusterBinding("system:kube-controller-manager", users("system:kube-controller-manager")),
    clusterBinding("system:kube-dns", [serviceAccount("kube-system", "kube-dns")]),
    clusterBinding("system:kube-scheduler", users("system:kube-scheduler")),
    clusterBinding("system:volume-scheduler", users("system:kube-scheduler")),
    clusterBinding("system:service-account-issuer-discovery", groups("system:serviceaccounts")),
    // kubeadm's kubelet TLS bootstrap bindings (not upstream defaults).
    clusterBinding("system:node-bootstrapper", groups("system:bootstrappers")),
    clusterBinding(
      "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
      groups("system:bootstrappers"),
    ),
    clusterBinding(
      "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
      groups("system:nodes"),
    ),
    // The API server's identity towards kubelets (logs, exec, port-forward), as k3s binds it.
    clusterBinding(
      "kube-apiserver-kubelet-admin",
      users("kube-apiserver-kubelet-client"),
      "system:kubelet-api-admin",
    ),
    // Bosun's service proxy runs inside the node agent with the node's identity (k3s gives its
    // kube-proxy a certificate of its own): nodes may watch what kube-proxy watches.
    clusterBinding("bosun:node-proxier", groups("system:nodes"), "system:node-proxier"),
    // Cluster DNS and the ingress controller run in the node agent as well.
    clusterBinding("bosun:node-dns", groups("system:nodes"), "system:kube-dns"),
    clusterBinding("bosun:node-ingress", groups("system:nodes")),
  ];
}

/** `NamespaceRoles()` for kube-system: the authentication config reader and leader locks. */
export function bootstrapNamespaceRoles(): Role[] {
  const role = (name: string, rules: PolicyRule[]): Role => ({
    apiVersion,
    kind: "Role",
    metadata: metadata(name, {}, "kube-system"),
    rules,
  });
  const leaderLock = (component: string) =>
    role(`system::leader-locking-${component}`, [
      resourceRule(["watch"], [""], ["configmaps"]),
      resourceRule(["get", "update"], [""], ["configmaps"], [component]),
    ]);
  return [
    role("extension-apiserver-authentication-reader", [
      resourceRule(
        ["get", "list", "watch"],
        [""],
        ["configmaps"],
        ["extension-apiserver-authentication"],
      ),
    ]),
    leaderLock("kube-controller-manager"),
    leaderLock("kube-scheduler"),
  ];
}

/** `NamespaceRoleBindings()` for kube-system. */
export function bootstrapNamespaceRoleBindings(): RoleBinding[] {
  const binding = (name: string, role: string, subjects: RbacV1Subject[]): RoleBinding => ({
    apiVersion,
    kind: "RoleBinding",
    metadata: metadata(name, {}, "kube-system"),
    roleRef: { apiGroup: rbacGroup, kind: "Role", name: role },
    subjects,
  });
  return [
    binding(
      "system::extension-apiserver-authentication-reader",
      "extension-apiserver-authentication-reader",
      users("system:kube-controller-manager", "system:kube-scheduler"),
    ),
    binding(
      "system::leader-locking-kube-controller-manager",
      "system::leader-locking-kube-controller-manager",
      [
        ...users("system:kube-controller-manager"),
        serviceAccount("kube-system", "kube-controller-manager"),
      ],
    ),
    binding("system::leader-locking-kube-scheduler", "system::leader-locking-kube-scheduler", [
      ...users("system:kube-scheduler"),
      serviceAccount("kube-system", "kube-scheduler"),
    ]),
  ];
}
