/**
 * Where RBAC reads roles and bindings from: synchronous reads of the current objects. The API
 * server backs it with its watch caches; `MemoryRbacSource` is the in-memory fake tests use.
 */
import type {
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
} from "../../../api/generated/types.ts";

export interface RbacSource {
  getRole(namespace: string, name: string): Role | undefined;
  getClusterRole(name: string): ClusterRole | undefined;
  listRoleBindings(namespace: string): readonly RoleBinding[];
  listClusterRoleBindings(): readonly ClusterRoleBinding[];
  /**
   * A number that changes whenever any role or binding does, if the source can tell: the rules
   * that apply to a user are then resolved once per user and namespace until it changes.
   */
  generation?(): number;
}

/** An `RbacSource` over plain arrays (objects are looked up by metadata name and namespace). */
export class MemoryRbacSource implements RbacSource {
  roles: Role[];
  clusterRoles: ClusterRole[];
  roleBindings: RoleBinding[];
  clusterRoleBindings: ClusterRoleBinding[];

  constructor(
    init: {
      roles?: Role[];
      clusterRoles?: ClusterRole[];
      roleBindings?: RoleBinding[];
      clusterRoleBindings?: ClusterRoleBinding[];
    } = {},
  ) {
    this.roles = init.roles ?? [];
    this.clusterRoles = init.clusterRoles ?? [];
    this.roleBindings = init.roleBindings ?? [];
    this.clusterRoleBindings = init.clusterRoleBindings ?? [];
  }

  getRole(namespace: string, name: string): Role | undefined {
    return this.roles.find((r) => r.metadata?.namespace === namespace && r.metadata?.name === name);
  }

  getClusterRole(name: string): ClusterRole | undefined {
    return this.clusterRoles.find((r) => r.metadata?.name === name);
  }

  listRoleBindings(namespace: string): readonly RoleBinding[] {
    return this.roleBindings.filter((b) => b.metadata?.namespace === namespace);
  }

  listClusterRoleBindings(): readonly ClusterRoleBinding[] {
    return this.clusterRoleBindings;
  }
}
