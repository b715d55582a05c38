/**
 * rbac.authorization.k8s.io/v1 Role and ClusterRole (upstream `ValidateRole`,
 * `ValidateClusterRole`, `printRole`, `printClusterRole`). Names are path segments; namespaced
 * rules may not name non-resource URLs. Escalation checks (a user may only grant what they
 * hold) live in `apiserver/authz/rbac/escalation.ts`, run by the API server around the registry.
 */

import { formatTime } from "../../../machinery/time.ts";
import type { ClusterRole, Role } from "../../generated/types.ts";
import { column, type Printer } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import { nameColumn, nameOf, type Obj } from "../core/common.ts";
import { validateAggregationRule, validateRules } from "./validation.ts";

type RoleObj = Obj<Role>;
type ClusterRoleObj = Obj<ClusterRole>;

/** `metav1.Time` as the printer formats it: RFC 3339 in UTC, whole seconds. */
export function createdAt(timestamp: string | undefined): string | null {
  if (!timestamp) return null;
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) return timestamp;
  return formatTime(ms);
}

/** NAME, CREATED AT: the columns upstream prints for roles and cluster roles. */
function rolePrinter<T extends RoleObj | ClusterRoleObj>(): Printer<T> {
  return {
    columns: [
      nameColumn(),
      column("Created At", {
        type: "date",
        description:
          "CreationTimestamp is a timestamp representing the server time when this object was created.",
      }),
    ],
    row: (obj) => [nameOf(obj), createdAt(obj.metadata?.creationTimestamp)],
  };
}

export const roleStrategy: Strategy<RoleObj> = {
  validate: (role) => validateRules(role.rules, true),
  nameValidation: "path",
  printer: rolePrinter<RoleObj>(),
};

export const clusterRoleStrategy: Strategy<ClusterRoleObj> = {
  validate: (role) => [
    ...validateRules(role.rules, false),
    ...validateAggregationRule(role.aggregationRule),
  ],
  nameValidation: "path",
  printer: rolePrinter<ClusterRoleObj>(),
};

export const roleResource: ResourceDefinition<RoleObj> = {
  group: "rbac.authorization.k8s.io",
  version: "v1",
  kind: "Role",
  plural: "roles",
  singular: "role",
  namespaced: true,
  strategy: roleStrategy,
};

export const clusterRoleResource: ResourceDefinition<ClusterRoleObj> = {
  group: "rbac.authorization.k8s.io",
  version: "v1",
  kind: "ClusterRole",
  plural: "clusterroles",
  singular: "clusterrole",
  namespaced: false,
  strategy: clusterRoleStrategy,
};
