/**
 * rbac.authorization.k8s.io/v1 RoleBinding and ClusterRoleBinding (upstream
 * `ValidateRoleBinding`, `ValidateClusterRoleBinding`, their `...Update` forms, the v1 defaults
 * and `printRoleBinding` / `printClusterRoleBinding`). The roleRef is fixed at creation; the
 * "bind" check (a user may only bind roles they hold or may bind) lives in
 * `apiserver/authz/rbac/escalation.ts`.
 */
import type { ClusterRoleBinding, RbacV1Subject, RoleBinding } from "../../generated/types.ts";
import { column, type Printer } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import { ageColumn, ageOf, nameColumn, nameOf, type Obj } from "../core/common.ts";
import {
  defaultRoleRef,
  defaultSubjects,
  validateRoleRef,
  validateRoleRefUnchanged,
  validateSubjects,
} from "./validation.ts";

type RoleBindingObj = Obj<RoleBinding>;
type ClusterRoleBindingObj = Obj<ClusterRoleBinding>;

/** `rbac.SubjectsStrings`: users, groups and service accounts (`ns/name`) of a binding. */
export function subjectsStrings(subjects: readonly RbacV1Subject[] | undefined) {
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const s of subjects ?? []) {
    if (s.kind === "User") users.push(s.name);
    else if (s.kind === "Group") groups.push(s.name);
    else if (s.kind === "ServiceAccount") {
      serviceAccounts.push(s.namespace ? `${s.namespace}/${s.name}` : s.name);
    }
  }
  return { users, groups, serviceAccounts };
}

function bindingPrinter<T extends RoleBindingObj | ClusterRoleBindingObj>(
  roleRefDescription: string,
): Printer<T> {
  return {
    columns: [
      nameColumn(),
      column("Role", { description: roleRefDescription }),
      ageColumn(),
      column("Users", { priority: 1, description: "Users in the roleBinding" }),
      column("Groups", { priority: 1, description: "Groups in the roleBinding" }),
      column("ServiceAccounts", { priority: 1, description: "ServiceAccounts in the roleBinding" }),
    ],
    row: (obj, now) => {
      const { users, groups, serviceAccounts } = subjectsStrings(obj.subjects);
      return [
        nameOf(obj),
        `${obj.roleRef?.kind ?? ""}/${obj.roleRef?.name ?? ""}`,
        ageOf(obj, now),
        users.join(", "),
        groups.join(", "),
        serviceAccounts.join(", "),
      ];
    },
  };
}

function defaultBinding(obj: RoleBindingObj | ClusterRoleBindingObj): void {
  defaultRoleRef(obj.roleRef);
  defaultSubjects(obj.subjects);
}

export const roleBindingStrategy: Strategy<RoleBindingObj> = {
  defaults: defaultBinding,
  validate: (rb) => [
    ...validateRoleRef(rb.roleRef, ["Role", "ClusterRole"]),
    ...validateSubjects(rb.subjects, true),
  ],
  validateUpdate: (rb, old) => [
    ...validateRoleRef(rb.roleRef, ["Role", "ClusterRole"]),
    ...validateSubjects(rb.subjects, true),
    ...validateRoleRefUnchanged(rb.roleRef, old.roleRef),
  ],
  nameValidation: "path",
  printer: bindingPrinter<RoleBindingObj>(
    "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
  ),
};

export const clusterRoleBindingStrategy: Strategy<ClusterRoleBindingObj> = {
  defaults: defaultBinding,
  validate: (crb) => [
    ...validateRoleRef(crb.roleRef, ["ClusterRole"]),
    ...validateSubjects(crb.subjects, false),
  ],
  validateUpdate: (crb, old) => [
    ...validateRoleRef(crb.roleRef, ["ClusterRole"]),
    ...validateSubjects(crb.subjects, false),
    ...validateRoleRefUnchanged(crb.roleRef, old.roleRef),
  ],
  nameValidation: "path",
  printer: bindingPrinter<ClusterRoleBindingObj>(
    "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.",
  ),
};

export const roleBindingResource: ResourceDefinition<RoleBindingObj> = {
  group: "rbac.authorization.k8s.io",
  version: "v1",
  kind: "RoleBinding",
  plural: "rolebindings",
  singular: "rolebinding",
  namespaced: true,
  strategy: roleBindingStrategy,
};

export const clusterRoleBindingResource: ResourceDefinition<ClusterRoleBindingObj> = {
  group: "rbac.authorization.k8s.io",
  version: "v1",
  kind: "ClusterRoleBinding",
  plural: "clusterrolebindings",
  singular: "clusterrolebinding",
  namespaced: false,
  strategy: clusterRoleBindingStrategy,
};
