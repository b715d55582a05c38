import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ClusterRoleBinding, RoleBinding } from "../../../api/generated/types.ts";
import type { UserInfo } from "../../authn/user.ts";
import { parseRequestInfo } from "../../request-info.ts";
import { resourceAttributes } from "./attributes.ts";
import { groups, serviceAccount, users } from "./bootstrap-policy.ts";
import { resourceRule, urlRule } from "./policy-rule.ts";
import { RbacAuthorizer } from "./rbac-authorizer.ts";
import { RuleResolver } from "./rule-resolver.ts";
import { MemoryRbacSource } from "./source.ts";

const alice: UserInfo = { username: "alice", groups: ["devs", "system:authenticated"] };
const sa: UserInfo = {
  username: "system:serviceaccount:team:builder",
  groups: ["system:authenticated"],
};

const crb = (name: string, role: string, subjects: ClusterRoleBinding["subjects"]) =>
  ({
    metadata: { name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    ...(subjects ? { subjects } : {}),
  }) as ClusterRoleBinding;
const rb = (
  ns: string,
  name: string,
  kind: string,
  role: string,
  subjects: RoleBinding["subjects"],
) =>
  ({
    metadata: { name, namespace: ns },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind, name: role },
    ...(subjects ? { subjects } : {}),
  }) as RoleBinding;

function setup() {
  const source = new MemoryRbacSource({
    clusterRoles: [
      { metadata: { name: "pod-reader" }, rules: [resourceRule(["get", "list"], [""], ["pods"])] },
      { metadata: { name: "health" }, rules: [urlRule(["get"], ["/healthz", "/readyz/*"])] },
    ],
    roles: [
      {
        metadata: { name: "cm-writer", namespace: "team" },
        rules: [resourceRule(["create", "update"], [""], ["configmaps"])],
      },
    ],
    clusterRoleBindings: [
      crb("devs-read", "pod-reader", groups("devs")),
      crb("everyone-health", "health", groups("system:authenticated")),
      crb("dangling", "missing-role", users("alice")),
    ],
    roleBindings: [
      rb("team", "cm", "Role", "cm-writer", [{ kind: "ServiceAccount", name: "builder" }]),
      rb("team", "sa-group", "ClusterRole", "pod-reader", groups("system:serviceaccounts:team")),
      rb("other", "cross", "Role", "cm-writer", [serviceAccount("team", "builder")]),
    ],
  });
  const resolver = new RuleResolver(source);
  return { source, resolver, authz: new RbacAuthorizer(resolver) };
}

const request = (method: string, path: string) =>
  parseRequestInfo(method, path, new URLSearchParams());

describe("RbacAuthorizer", () => {
  it("allows through a group binding and says which binding", async () => {
    const { authz } = setup();
    const d = await authz.authorize(alice, request("GET", "/api/v1/namespaces/x/pods/p"));
    assert.deepEqual(d, {
      allowed: true,
      reason:
        'RBAC: allowed by ClusterRoleBinding "devs-read" of ClusterRole "pod-reader" to Group "devs"',
    });
  });

  it("denies with the resolution errors as reason", async () => {
    const { authz } = setup();
    const d = await authz.authorize(alice, request("DELETE", "/api/v1/namespaces/x/pods/p"));
    assert.deepEqual(d, {
      allowed: false,
      reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "missing-role" not found',
    });
    const bob = { username: "bob", groups: [] };
    assert.deepEqual(await authz.authorize(bob, request("GET", "/api/v1/pods")), {
      allowed: false,
    });
  });

  it("matches non-resource URLs with the method as verb", async () => {
    const { authz } = setup();
    assert.equal((await authz.authorize(alice, request("GET", "/healthz"))).allowed, true);
    assert.equal((await authz.authorize(alice, request("GET", "/readyz/etcd"))).allowed, true);
    assert.equal((await authz.authorize(alice, request("POST", "/healthz"))).allowed, false);
  });

  it("matches service accounts by username, defaulting the subject namespace", async () => {
    const { authz } = setup();
    const create = await authz.authorize(sa, request("POST", "/api/v1/namespaces/team/configmaps"));
    assert.deepEqual(create, {
      allowed: true,
      reason:
        'RBAC: allowed by RoleBinding "cm/team" of Role "cm-writer" to ServiceAccount "builder/team"',
    });
    // The derived group system:serviceaccounts:team grants pod reading in team only.
    assert.equal(
      (await authz.authorize(sa, request("GET", "/api/v1/namespaces/team/pods"))).allowed,
      true,
    );
    assert.equal(
      (await authz.authorize(sa, request("GET", "/api/v1/namespaces/x/pods"))).allowed,
      false,
    );
    // A RoleBinding in "other" to a Role missing there: an error, not a grant.
    const other = await authz.authorize(sa, request("POST", "/api/v1/namespaces/other/configmaps"));
    assert.deepEqual(other, {
      allowed: false,
      reason: 'RBAC: role.rbac.authorization.k8s.io "cm-writer" not found',
    });
  });

  it("role bindings do not apply to cluster-wide requests", async () => {
    const { authz } = setup();
    assert.equal((await authz.authorize(sa, request("POST", "/api/v1/configmaps"))).allowed, false);
  });

  it("decides synthetic verbs such as bind", () => {
    const { authz, source } = setup();
    source.clusterRoles.push({
      metadata: { name: "binder" },
      rules: [resourceRule(["bind"], ["rbac.authorization.k8s.io"], ["clusterroles"], ["view"])],
    });
    source.clusterRoleBindings.push(crb("alice-binder", "binder", users("alice")));
    const attrs = (name: string) =>
      resourceAttributes({
        verb: "bind",
        apiGroup: "rbac.authorization.k8s.io",
        resource: "clusterroles",
        name,
      });
    assert.equal(authz.authorizeAttributes(alice, attrs("view")).allowed, true);
    assert.equal(authz.authorizeAttributes(alice, attrs("admin")).allowed, false);
  });
});

describe("RuleResolver.rulesFor", () => {
  it("collects cluster and namespace rules and reports errors", () => {
    const { resolver } = setup();
    const { rules, errors } = resolver.rulesFor(sa, "team");
    assert.deepEqual(rules, [
      urlRule(["get"], ["/healthz", "/readyz/*"]),
      resourceRule(["create", "update"], [""], ["configmaps"]),
      resourceRule(["get", "list"], [""], ["pods"]),
    ]);
    assert.deepEqual(errors, []);
    assert.deepEqual(resolver.rulesFor(alice, "").errors, [
      'clusterrole.rbac.authorization.k8s.io "missing-role" not found',
    ]);
  });

  it("splits rules for SelfSubjectRulesReview", () => {
    const { authz } = setup();
    assert.deepEqual(authz.subjectRulesReviewStatus(alice, "x"), {
      resourceRules: [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }],
      nonResourceRules: [{ verbs: ["get"], nonResourceURLs: ["/healthz", "/readyz/*"] }],
      incomplete: false,
      evaluationError: 'clusterrole.rbac.authorization.k8s.io "missing-role" not found',
    });
  });
});

describe("RuleResolver with a source that has a generation", () => {
  /** The setup's source, counting binding walks, with a generation the test moves. */
  function counted() {
    const { source } = setup();
    let walks = 0;
    let generation = 1;
    const list = source.listClusterRoleBindings.bind(source);
    source.listClusterRoleBindings = () => {
      walks++;
      return list();
    };
    Object.assign(source, { generation: () => generation });
    const authz = new RbacAuthorizer(new RuleResolver(source));
    return { source, authz, walks: () => walks, bump: () => generation++ };
  }

  it("walks the bindings once per user and namespace until a role or binding changes", async () => {
    const { source, authz, walks, bump } = counted();
    const get = request("GET", "/api/v1/namespaces/x/pods/p");
    const bob: UserInfo = { username: "bob", groups: ["system:authenticated"] };
    for (let i = 0; i < 3; i++) assert.equal((await authz.authorize(alice, get)).allowed, true);
    assert.equal(walks(), 1);
    assert.equal((await authz.authorize(bob, get)).allowed, false);
    assert.equal((await authz.authorize(alice, request("GET", "/api/v1/pods"))).allowed, true);
    assert.equal(walks(), 3, "another user and another namespace resolve anew");
    // The same denial reason as without the cache: the dangling binding's error.
    const denied = await authz.authorize(alice, request("DELETE", "/api/v1/namespaces/x/pods/p"));
    assert.deepEqual(denied, {
      allowed: false,
      reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "missing-role" not found',
    });
    assert.equal(walks(), 3);
    // A new binding counts once the generation moves.
    source.clusterRoleBindings.push(crb("bob-read", "pod-reader", users("bob")));
    bump();
    assert.equal((await authz.authorize(bob, get)).allowed, true);
    assert.equal(walks(), 4);
  });
});
