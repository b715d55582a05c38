import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ClusterRoleBinding, RoleBinding } from "../../../api/generated/types.ts";
import type { UserInfo } from "../../authn/user.ts";
import { groups, users } from "./bootstrap-policy.ts";
import { compactRules, compactString, covers } from "./covers.ts";
import {
  checkBindingEscalation,
  checkRoleEscalation,
  confirmNoEscalation,
  isOnlyMutatingGCFields,
} from "./escalation.ts";
import { resourceRule, urlRule } from "./policy-rule.ts";
import { RbacAuthorizer } from "./rbac-authorizer.ts";
import { RuleResolver } from "./rule-resolver.ts";
import { MemoryRbacSource } from "./source.ts";

const dev: UserInfo = { username: "dev", groups: ["devs", "system:authenticated"] };
const ref = (kind: string, name: string) => ({
  apiGroup: "rbac.authorization.k8s.io",
  kind,
  name,
});

function setup() {
  const source = new MemoryRbacSource({
    clusterRoles: [
      {
        metadata: { name: "dev" },
        rules: [
          resourceRule(["get", "list", "create"], [""], ["pods", "pods/log"]),
          resourceRule(["*"], ["apps"], ["deployments"]),
          resourceRule(["update"], ["*"], ["*/status"]),
          resourceRule(["get"], [""], ["configmaps"], ["app-config"]),
          urlRule(["get"], ["/logs/*"]),
        ],
      },
      { metadata: { name: "viewer" }, rules: [resourceRule(["get"], [""], ["pods"])] },
      { metadata: { name: "admin" }, rules: [resourceRule(["*"], ["*"], ["*"])] },
      {
        metadata: { name: "bind-admin" },
        rules: [resourceRule(["bind"], ["rbac.authorization.k8s.io"], ["clusterroles"], ["admin"])],
      },
    ],
    clusterRoleBindings: [
      { metadata: { name: "devs" }, roleRef: ref("ClusterRole", "dev"), subjects: groups("devs") },
    ],
  });
  const resolver = new RuleResolver(source);
  return {
    source,
    resolver,
    options: { user: dev, resolver, authorizer: new RbacAuthorizer(resolver) },
  };
}

describe("covers", () => {
  it("covers by verb, group, resource, */subresource, names and URL prefixes", () => {
    const owner = setup().source.clusterRoles[0]!.rules!;
    const ok = [
      resourceRule(["get"], [""], ["pods/log"]),
      resourceRule(["delete", "patch"], ["apps"], ["deployments"]),
      resourceRule(["update"], ["batch"], ["jobs/status"]),
      resourceRule(["get"], [""], ["configmaps"], ["app-config"]),
      urlRule(["get"], ["/logs/kubelet"]),
    ];
    assert.deepEqual(covers(owner, ok), { covered: true, missing: [] });
    const { covered, missing } = covers(owner, [
      resourceRule(["get", "delete"], [""], ["pods", "configmaps"]),
      urlRule(["get"], ["/metrics"]),
    ]);
    assert.equal(covered, false);
    assert.deepEqual(missing.map(compactString), [
      '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}',
      '{APIGroups:[""], Resources:["configmaps"], Verbs:["get"]}',
      '{APIGroups:[""], Resources:["configmaps"], Verbs:["delete"]}',
      '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
    ]);
  });

  it("compacts broken-down rules that differ only by verb", () => {
    const compacted = compactRules([
      resourceRule(["get"], [""], ["pods"]),
      resourceRule(["list"], [""], ["pods"]),
      resourceRule(["get"], [""], ["pods"], ["a"]),
      urlRule(["get"], ["/x"]),
    ]);
    assert.deepEqual(compacted.map(compactString), [
      '{NonResourceURLs:["/x"], Verbs:["get"]}',
      '{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}',
      '{APIGroups:[""], Resources:["pods"], ResourceNames:["a"], Verbs:["get"]}',
    ]);
  });
});

describe("confirmNoEscalation", () => {
  it("passes when the rules are held", () => {
    const { resolver } = setup();
    assert.equal(
      confirmNoEscalation(dev, [resourceRule(["get"], [""], ["pods"])], resolver, "ns"),
      undefined,
    );
  });

  it("lists the missing permissions as upstream does", () => {
    const { resolver } = setup();
    const msg = confirmNoEscalation(
      dev,
      [
        resourceRule(["create", "delete"], [""], ["secrets"]),
        resourceRule(["create"], [""], ["pods"]),
      ],
      resolver,
      "ns",
    );
    assert.equal(
      msg,
      'user "dev" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["create" "delete"]}',
    );
  });
});

describe("checkRoleEscalation", () => {
  const role = (rules: ReturnType<typeof resourceRule>[]) => ({
    metadata: { name: "r", namespace: "ns" },
    rules,
  });

  it("forbids granting what the user does not hold", async () => {
    const { options } = setup();
    const err = await checkRoleEscalation(options, {
      resource: "roles",
      namespace: "ns",
      role: role([resourceRule(["create"], [""], ["secrets"])]),
    });
    assert.equal(err?.status.code, 403);
    assert.equal(
      err?.message,
      'roles.rbac.authorization.k8s.io "r" is forbidden: user "dev" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["create"]}',
    );
  });

  it("allows held rules, system:masters, the escalate verb and GC-only updates", async () => {
    const { options, source } = setup();
    const write = {
      resource: "roles" as const,
      namespace: "ns",
      role: role([resourceRule(["create"], [""], ["secrets"])]),
    };
    const held = { ...write, role: role([resourceRule(["get"], [""], ["pods"])]) };
    assert.equal(await checkRoleEscalation(options, held), undefined);
    const master = { ...options, user: { username: "root", groups: ["system:masters"] } };
    assert.equal(await checkRoleEscalation(master, write), undefined);
    const old = structuredClone(write.role);
    const gcOnly = { ...write.role, metadata: { ...write.role.metadata, finalizers: ["x"] } };
    assert.equal(await checkRoleEscalation(options, { ...write, role: gcOnly, old }), undefined);
    source.clusterRoles.push({
      metadata: { name: "escalator" },
      rules: [resourceRule(["escalate"], ["rbac.authorization.k8s.io"], ["roles"])],
    });
    source.clusterRoleBindings.push({
      metadata: { name: "esc" },
      roleRef: ref("ClusterRole", "escalator"),
      subjects: users("dev"),
    });
    assert.equal(await checkRoleEscalation(options, write), undefined);
  });

  it("requires full authority for an aggregationRule", async () => {
    const { options } = setup();
    const err = await checkRoleEscalation(options, {
      resource: "clusterroles",
      namespace: "",
      role: {
        metadata: { name: "agg" },
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: "b" } }] },
      },
    });
    assert.equal(
      err?.message,
      'clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule',
    );
  });
});

describe("checkBindingEscalation", () => {
  const binding = (roleRef: RoleBinding["roleRef"]): RoleBinding => ({
    metadata: { name: "b", namespace: "ns" },
    roleRef,
    subjects: users("someone"),
  });

  it("allows binding a role whose rules the user holds", async () => {
    const { options } = setup();
    const write = {
      resource: "rolebindings" as const,
      namespace: "ns",
      binding: binding(ref("ClusterRole", "viewer")),
    };
    assert.equal(await checkBindingEscalation(options, write), undefined);
  });

  it("forbids binding a role with more, unless the user may bind it", async () => {
    const { options, source } = setup();
    const write = {
      resource: "clusterrolebindings" as const,
      namespace: "",
      binding: binding(ref("ClusterRole", "admin")) as ClusterRoleBinding,
    };
    const err = await checkBindingEscalation(options, write);
    assert.equal(err?.status.reason, "Forbidden");
    assert.match(
      err?.message ?? "",
      /^clusterrolebindings.rbac.authorization.k8s.io "b" is forbidden: user "dev" \(groups=\["devs" "system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}$/,
    );
    source.clusterRoleBindings.push({
      metadata: { name: "binder" },
      roleRef: ref("ClusterRole", "bind-admin"),
      subjects: groups("devs"),
    });
    assert.equal(await checkBindingEscalation(options, write), undefined);
  });

  it("reports a missing role as NotFound", async () => {
    const { options } = setup();
    const err = await checkBindingEscalation(options, {
      resource: "rolebindings",
      namespace: "ns",
      binding: binding(ref("Role", "nope")),
    });
    assert.equal(err?.status.code, 404);
    assert.equal(err?.message, 'roles.rbac.authorization.k8s.io "nope" not found');
  });

  it("treats owner-reference and finalizer changes as GC-only", () => {
    const a = { metadata: { name: "x", resourceVersion: "1" }, roleRef: ref("Role", "r") };
    const b = {
      metadata: { name: "x", resourceVersion: "2", finalizers: ["f"] },
      roleRef: ref("Role", "r"),
    };
    assert.equal(isOnlyMutatingGCFields(b, a), true);
    assert.equal(isOnlyMutatingGCFields({ ...b, subjects: [] }, a), false);
  });
});
