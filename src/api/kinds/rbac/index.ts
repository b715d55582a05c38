/**
 * The rbac.authorization.k8s.io/v1 kinds, as the resource table wants them, in upstream's
 * discovery order. See README.md.
 */
import type { ResourceDefinition } from "../../resource.ts";
import { clusterRoleResource, roleResource } from "./role.ts";
import { clusterRoleBindingResource, roleBindingResource } from "./role-binding.ts";

export const rbacResources: ResourceDefinition[] = [
  clusterRoleBindingResource,
  clusterRoleResource,
  roleBindingResource,
  roleResource,
] as unknown as ResourceDefinition[];

export { clusterRoleResource, roleResource } from "./role.ts";
export {
  clusterRoleBindingResource,
  roleBindingResource,
  subjectsStrings,
} from "./role-binding.ts";
export { rbacGroup } from "./validation.ts";
