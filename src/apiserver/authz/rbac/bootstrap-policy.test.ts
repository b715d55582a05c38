import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { messages } from "../../../api/kinds/core/testing.ts";
import { rbacResources } from "../../../api/kinds/rbac/index.ts";
import type { KubeObject } from "../../../api/object.ts";
import type { ResourceDefinition } from "../../../api/resource.ts";
import type { UserInfo } from "../../authn/user.ts";
import { parseRequestInfo } from "../../request-info.ts";
import { aggregateAll } from "./aggregation.ts";
import {
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  bootstrapNamespaceRoleBindings,
  bootstrapNamespaceRoles,
} from "./bootstrap-policy.ts";
import { covers } from "./covers.ts";
import { RbacAuthorizer } from "./rbac-authorizer.ts";
import { RuleResolver } from "./rule-resolver.ts";
import { MemoryRbacSource } from "./source.ts";

function bootstrapSource(): MemoryRbacSource {
  return new MemoryRbacSource({
    clusterRoles: aggregateAll(bootstrapClusterRoles()),
    clusterRoleBindings: bootstrapClusterRoleBindings(),
    roles: bootstrapNamespaceRoles(),
    roleBindings: bootstrapNamespaceRoleBindings(),
  });
}

const definition = (kind: string) => rbacResources.find((d) => d.kind === kind)!;
const validate = (def: ResourceDefinition, obj: KubeObject) =>
  messages(def.strategy.validate?.(obj) ?? []);

describe("bootstrap policy", () => {
  it("passes validation and carries the bootstrapping label and autoupdate annotation", () => {
    const all: [string, KubeObject[]][] = [
      ["ClusterRole", bootstrapClusterRoles() as unknown as KubeObject[]],
      ["ClusterRoleBinding", bootstrapClusterRoleBindings() as unknown as KubeObject[]],
      ["Role", bootstrapNamespaceRoles() as unknown as KubeObject[]],
      ["RoleBinding", bootstrapNamespaceRoleBindings() as unknown as KubeObject[]],
    ];
    for (const [kind, objects] of all) {
      for (const obj of objects) {
        assert.equal(obj.kind, kind);
        assert.deepEqual(validate(definition(kind), obj), [], obj.metadata?.name);
        assert.equal(obj.metadata?.labels?.["kubernetes.io/bootstrapping"], "rbac-defaults");
        assert.equal(
          obj.metadata?.annotations?.["rbac.authorization.kubernetes.io/autoupdate"],
          "true",
        );
      }
    }
  });

  it("binds only to roles that exist", () => {
    const roles = new Set(bootstrapClusterRoles().map((r) => r.metadata?.name));
    for (const b of bootstrapClusterRoleBindings())
      assert.ok(roles.has(b.roleRef.name), b.roleRef.name);
  });

  it("aggregates view into edit into admin", () => {
    const source = bootstrapSource();
    const rules = (name: string) => source.getClusterRole(name)?.rules ?? [];
    assert.ok(rules("view").length > 0);
    assert.equal(covers(rules("edit"), rules("view")).covered, true);
    assert.equal(covers(rules("admin"), rules("edit")).covered, true);
    assert.equal(covers(rules("view"), rules("edit")).covered, false);
  });

  const cases: [string, UserInfo, string, string, boolean][] = [
    [
      "masters do anything",
      { username: "root", groups: ["system:masters"] },
      "DELETE",
      "/api/v1/nodes/n1",
      true,
    ],
    [
      "authenticated users discover",
      { username: "u", groups: ["system:authenticated"] },
      "GET",
      "/apis/apps/v1",
      true,
    ],
    [
      "authenticated users may not list pods",
      { username: "u", groups: ["system:authenticated"] },
      "GET",
      "/api/v1/pods",
      false,
    ],
    [
      "anonymous may read /healthz",
      { username: "system:anonymous", groups: ["system:unauthenticated"] },
      "GET",
      "/healthz",
      true,
    ],
    [
      "anonymous may not discover",
      { username: "system:anonymous", groups: ["system:unauthenticated"] },
      "GET",
      "/api",
      false,
    ],
    [
      "basic users review themselves",
      { username: "u", groups: ["system:authenticated"] },
      "POST",
      "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
      true,
    ],
    [
      "the scheduler binds pods",
      { username: "system:kube-scheduler", groups: ["system:authenticated"] },
      "POST",
      "/api/v1/namespaces/a/pods/p/binding",
      true,
    ],
    [
      "the scheduler renews its lease",
      { username: "system:kube-scheduler", groups: [] },
      "PUT",
      "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler",
      true,
    ],
    [
      "the controller manager creates pods",
      { username: "system:kube-controller-manager", groups: [] },
      "POST",
      "/api/v1/namespaces/a/pods",
      true,
    ],
    [
      "the controller manager deletes anything",
      { username: "system:kube-controller-manager", groups: [] },
      "DELETE",
      "/apis/apps/v1/namespaces/a/replicasets/r",
      true,
    ],
    [
      "the controller manager may not create secrets in rbac",
      { username: "system:kube-controller-manager", groups: [] },
      "POST",
      "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
      false,
    ],
    [
      "bootstrappers create CSRs",
      { username: "system:bootstrap:abc", groups: ["system:bootstrappers"] },
      "POST",
      "/apis/certificates.k8s.io/v1/certificatesigningrequests",
      true,
    ],
    ...(
      [
        ["bootstrappers", "system:bootstrap:abc", "system:bootstrappers", "nodeclient", true],
        ["bootstrappers", "system:bootstrap:abc", "system:bootstrappers", "selfnodeclient", false],
        ["nodes", "system:node:n1", "system:nodes", "selfnodeclient", true],
        ["nodes", "system:node:n1", "system:nodes", "nodeclient", false],
        ["other users", "alice", "system:authenticated", "nodeclient", false],
      ] as const
    ).map(([who, username, group, sub, want]): [string, UserInfo, string, string, boolean] => [
      `${who} ${want ? "may" : "may not"} have ${sub} CSRs auto-approved (kubeadm's bindings)`,
      { username, groups: [group] },
      "POST",
      `/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-1/${sub}`,
      want,
    ]),
    [
      "kube-proxy watches slices",
      { username: "system:kube-proxy", groups: [] },
      "GET",
      "/apis/discovery.k8s.io/v1/endpointslices",
      true,
    ],
    [
      "nodes watch slices for the proxy in their agent (bosun:node-proxier)",
      { username: "system:node:n1", groups: ["system:nodes", "system:authenticated"] },
      "GET",
      "/apis/discovery.k8s.io/v1/endpointslices",
      true,
    ],
    [
      "nodes list namespaces for cluster DNS in their agent (bosun:node-dns)",
      { username: "system:node:n1", groups: ["system:nodes", "system:authenticated"] },
      "GET",
      "/api/v1/namespaces",
      true,
    ],
    [
      "nodes list ingresses for the ingress controller in their agent (bosun:node-ingress)",
      { username: "system:node:n1", groups: ["system:nodes", "system:authenticated"] },
      "GET",
      "/apis/networking.k8s.io/v1/ingresses",
      true,
    ],
    [
      "nodes may not list secrets through RBAC",
      { username: "system:node:n1", groups: ["system:nodes", "system:authenticated"] },
      "GET",
      "/api/v1/secrets",
      false,
    ],
    [
      "nodes still may not write slices",
      { username: "system:node:n1", groups: ["system:nodes", "system:authenticated"] },
      "POST",
      "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
      false,
    ],
  ];
  for (const [name, user, method, path, want] of cases) {
    it(name, async () => {
      const authz = new RbacAuthorizer(new RuleResolver(bootstrapSource()));
      const decision = await authz.authorize(
        user,
        parseRequestInfo(method, path, new URLSearchParams()),
      );
      assert.equal(decision.allowed, want, decision.reason);
    });
  }

  it("lets namespace admins (admin bound in a namespace) manage roles there", async () => {
    const source = bootstrapSource();
    source.roleBindings.push({
      metadata: { name: "ns-admin", namespace: "team" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "lead" }],
    });
    const authz = new RbacAuthorizer(new RuleResolver(source));
    const lead = { username: "lead", groups: ["system:authenticated"] };
    const req = (m: string, p: string) =>
      authz.authorize(lead, parseRequestInfo(m, p, new URLSearchParams()));
    assert.equal(
      (await req("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles")).allowed,
      true,
    );
    assert.equal((await req("POST", "/api/v1/namespaces/team/pods/p/exec")).allowed, true);
    assert.equal((await req("GET", "/api/v1/namespaces/other/pods")).allowed, false);
  });
});
