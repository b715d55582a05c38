/**
 * RBAC escalation prevention (upstream's RBAC REST storage checks, done here as a validating
 * admission step): a user may create or update a Role/ClusterRole only with rules they hold, and
 * a binding only to a role whose rules they hold or may `bind`.
 */
import type {
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
} from "../../api/generated/types.ts";
import type { AttributesAuthorizer } from "../authz/rbac/escalation.ts";
import { checkBindingEscalation, checkRoleEscalation } from "../authz/rbac/escalation.ts";
import type { RuleResolver } from "../authz/rbac/rule-resolver.ts";
import type { AdmissionPlugin } from "./admission.ts";

export function rbacEscalation(
  resolver: RuleResolver,
  authorizer: AttributesAuthorizer,
): AdmissionPlugin {
  return {
    name: "RBACEscalation",
    async validate(attrs) {
      const def = attrs.resource;
      if (def.group !== "rbac.authorization.k8s.io" || !attrs.object) return;
      if (attrs.operation !== "CREATE" && attrs.operation !== "UPDATE") return;
      const options = { user: attrs.user, resolver, authorizer };
      const namespace = attrs.namespace;
      let err: Error | undefined;
      if (def.plural === "roles" || def.plural === "clusterroles") {
        err = await checkRoleEscalation(options, {
          resource: def.plural,
          namespace,
          role: attrs.object as unknown as Role | ClusterRole,
          ...(attrs.oldObject ? { old: attrs.oldObject as unknown as Role | ClusterRole } : {}),
        });
      } else if (def.plural === "rolebindings" || def.plural === "clusterrolebindings") {
        err = await checkBindingEscalation(options, {
          resource: def.plural,
          namespace,
          binding: attrs.object as unknown as RoleBinding | ClusterRoleBinding,
          ...(attrs.oldObject
            ? { old: attrs.oldObject as unknown as RoleBinding | ClusterRoleBinding }
            : {}),
        });
      }
      if (err) throw err;
    },
  };
}
