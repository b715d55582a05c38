import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from "../../generated/types.ts";
import type { Obj } from "../core/common.ts";
import { created, printRow, simulateCreate, simulateUpdate, t0 } from "../core/testing.ts";
import { rbacResources } from "./index.ts";
import { clusterRoleResource, roleResource } from "./role.ts";
import { clusterRoleBindingResource, roleBindingResource } from "./role-binding.ts";

const meta = { name: "r", namespace: "default", creationTimestamp: created };

const role = (rules: NonNullable<Role["rules"]>): Obj<Role> => ({ metadata: meta, rules });
const clusterRole = (extra: Partial<ClusterRole>): Obj<ClusterRole> => ({
  metadata: { name: "cr", creationTimestamp: created },
  ...extra,
});
const binding = (extra: Partial<RoleBinding>): Obj<RoleBinding> => ({
  metadata: meta,
  roleRef: { apiGroup: "", kind: "Role", name: "r" },
  ...extra,
});

describe("rbac resources", () => {
  it("lists the four kinds with path-segment names", () => {
    assert.deepEqual(
      rbacResources.map((d) => [d.kind, d.plural, d.namespaced, d.strategy.nameValidation]),
      [
        ["ClusterRoleBinding", "clusterrolebindings", false, "path"],
        ["ClusterRole", "clusterroles", false, "path"],
        ["RoleBinding", "rolebindings", true, "path"],
        ["Role", "roles", true, "path"],
      ],
    );
  });
});

describe("Role and ClusterRole validation", () => {
  it("accepts a resource rule and a non-resource rule on a cluster role", () => {
    const { errors } = simulateCreate(
      clusterRoleResource,
      clusterRole({
        rules: [
          { apiGroups: [""], resources: ["pods"], verbs: ["get"] },
          { nonResourceURLs: ["/healthz"], verbs: ["get"] },
        ],
      }),
    );
    assert.deepEqual(errors, []);
  });

  it("requires verbs, api groups and resources", () => {
    const { errors } = simulateCreate(roleResource, role([{ verbs: [] }]));
    assert.deepEqual(errors, [
      "rules[0].verbs: Required value: verbs must contain at least one value",
      "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
      "rules[0].resources: Required value: resource rules must supply at least one resource",
    ]);
  });

  it("rejects non-resource URLs in a Role and mixed with resources", () => {
    const { errors } = simulateCreate(
      roleResource,
      role([{ nonResourceURLs: ["/x"], resources: ["pods"], verbs: ["get"] }]),
    );
    assert.deepEqual(errors, [
      'rules[0].nonResourceURLs: Invalid value: []string{"/x"}: namespaced rules cannot apply to non-resource URLs',
      'rules[0].nonResourceURLs: Invalid value: []string{"/x"}: rules cannot apply to both regular resources and non-resource URLs',
    ]);
  });

  it("checks aggregation rules", () => {
    const empty = simulateCreate(clusterRoleResource, clusterRole({ aggregationRule: {} }));
    assert.deepEqual(empty.errors, [
      "aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil",
    ]);
    const bad = simulateCreate(
      clusterRoleResource,
      clusterRole({
        aggregationRule: {
          clusterRoleSelectors: [{ matchExpressions: [{ key: "a", operator: "Bogus" }] }],
        },
      }),
    );
    assert.equal(bad.errors.length, 2);
    assert.match(bad.errors[0]!, /operator: Invalid value: "Bogus": not a valid selector operator/);
    assert.match(bad.errors[1]!, /invalid label selector\.$/);
  });

  it("prints NAME and CREATED AT", () => {
    assert.deepEqual(printRow(roleResource, role([]), t0), {
      Name: "r",
      "Created At": "2026-01-01T00:00:00Z",
    });
  });
});

describe("RoleBinding and ClusterRoleBinding", () => {
  it("defaults the roleRef and User/Group subject api groups", () => {
    const { obj, errors } = simulateCreate(
      roleBindingResource,
      binding({
        subjects: [
          { kind: "User", name: "alice" },
          { kind: "Group", name: "devs" },
          { kind: "ServiceAccount", name: "default" },
        ],
      }),
    );
    assert.deepEqual(errors, []);
    assert.equal(obj.roleRef.apiGroup, "rbac.authorization.k8s.io");
    assert.deepEqual(
      obj.subjects?.map((s) => s.apiGroup),
      ["rbac.authorization.k8s.io", "rbac.authorization.k8s.io", undefined],
    );
  });

  it("rejects unknown kinds, wrong api groups and cluster bindings to a Role", () => {
    const { errors } = simulateCreate(clusterRoleBindingResource, {
      metadata: { name: "b" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "a/b" },
      subjects: [
        { kind: "Robot", name: "r2" },
        { kind: "ServiceAccount", name: "Bad_Name", apiGroup: "x" },
        { kind: "User", name: "", apiGroup: "other" },
      ],
    } as Obj<ClusterRoleBinding>);
    assert.deepEqual(errors, [
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      "roleRef.name: Invalid value: \"a/b\": may not contain '/'",
      'subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
      `subjects[1].name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      'subjects[1].apiGroup: Unsupported value: "x": supported values: ""',
      "subjects[1].namespace: Required value",
      "subjects[2].name: Required value",
      'subjects[2].apiGroup: Unsupported value: "other": supported values: "rbac.authorization.k8s.io"',
    ]);
  });

  it("refuses to change the roleRef", () => {
    const old = simulateCreate(roleBindingResource, binding({})).obj;
    const { errors } = simulateUpdate(
      roleBindingResource,
      binding({ roleRef: { apiGroup: "", kind: "ClusterRole", name: "view" } }),
      old,
    );
    assert.deepEqual(errors, [
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"view"}: cannot change roleRef',
    ]);
    const same = simulateUpdate(roleBindingResource, binding({ subjects: [] }), old);
    assert.deepEqual(same.errors, []);
  });

  it("prints NAME ROLE AGE and, wide, USERS GROUPS SERVICEACCOUNTS", () => {
    const rb = binding({
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [
        { kind: "User", name: "alice" },
        { kind: "User", name: "bob" },
        { kind: "Group", name: "devs" },
        { kind: "ServiceAccount", name: "sa", namespace: "ns1" },
      ],
    });
    assert.deepEqual(printRow(roleBindingResource, rb, t0 + 90_000), {
      Name: "r",
      Role: "ClusterRole/view",
      Age: "90s",
      Users: "alice, bob",
      Groups: "devs",
      ServiceAccounts: "ns1/sa",
    });
    const columns = clusterRoleBindingResource.strategy.printer?.columns ?? [];
    assert.deepEqual(
      columns.map((c) => [c.name, c.priority]),
      [
        ["Name", 0],
        ["Role", 0],
        ["Age", 0],
        ["Users", 1],
        ["Groups", 1],
        ["ServiceAccounts", 1],
      ],
    );
  });
});
