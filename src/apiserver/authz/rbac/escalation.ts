/**
 * Privilege-escalation prevention for RBAC writes (upstream `ConfirmNoEscalation` and the
 * `policybased` storages of roles, cluster roles and their bindings):
 *
 * - creating or updating a (Cluster)Role needs every rule it grants to be held already, or the
 *   `escalate` verb on it; an aggregationRule needs full authority (`*` on `*.*` and URLs);
 * - creating or updating a (Cluster)RoleBinding needs the `bind` verb on the role it refers to,
 *   or every rule of that role held already (in the binding's namespace).
 *
 * Members of `system:masters` skip all of it. The checks return the StatusError to send (a
 * Forbidden, or a NotFound for a binding to a missing role), or undefined to go ahead.
 */
import { isDeepStrictEqual } from "node:util";
import type {
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  Role,
  RoleBinding,
} from "../../../api/generated/types.ts";
import { aggregateMessages } from "../../../machinery/field-errors.ts";
import { goQuote } from "../../../machinery/go-format.ts";
import {
  newForbidden,
  newInternalError,
  newNotFound,
  type StatusError,
} from "../../../machinery/status.ts";
import type { UserInfo } from "../../authn/user.ts";
import type { Decision } from "../authorizer.ts";
import { type Attributes, resourceAttributes } from "./attributes.ts";
import { compactRules, compactString, covers, goQuoteList } from "./covers.ts";
import type { RuleResolver } from "./rule-resolver.ts";

const rbacGroup = "rbac.authorization.k8s.io";

/** `fullAuthority`: what the aggregationRule requires. */
export const fullAuthority: readonly PolicyRule[] = [
  { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
  { nonResourceURLs: ["*"], verbs: ["*"] },
];

/** Decides checks with verbs no request has (`bind`, `escalate`); `RbacAuthorizer` is one. */
export interface AttributesAuthorizer {
  authorizeAttributes(user: UserInfo, attrs: Attributes): Decision | Promise<Decision>;
}

export interface EscalationOptions {
  readonly user: UserInfo;
  readonly resolver: RuleResolver;
  /** Asked for `escalate` and `bind`; without it only held rules count. */
  readonly authorizer?: AttributesAuthorizer;
}

/**
 * `ConfirmNoEscalation`: undefined when the user holds all of `rules` in `namespace`, else the
 * upstream message listing what is missing.
 */
export function confirmNoEscalation(
  user: UserInfo,
  rules: readonly PolicyRule[],
  resolver: RuleResolver,
  namespace: string,
): string | undefined {
  const owner = resolver.rulesFor(user, namespace);
  const { covered, missing } = covers(owner.rules, rules);
  if (covered) return undefined;
  const descriptions = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${goQuote(user.username)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${descriptions.join("\n")}`;
  if (owner.errors.length > 0) {
    msg += `; resolution errors: [${aggregateMessages(owner.errors)}]`;
  }
  return msg;
}

/** `EscalationAllowed`: members of system:masters may grant anything. */
export function escalationAllowed(user: UserInfo): boolean {
  return user.groups.includes("system:masters");
}

async function authorized(options: EscalationOptions, attrs: Attributes): Promise<boolean> {
  if (!options.authorizer) return false;
  return (await options.authorizer.authorizeAttributes(options.user, attrs)).allowed;
}

/**
 * `IsOnlyMutatingGCFields`: an update that changes nothing but owner references and finalizers
 * (what the garbage collector writes) is not checked.
 */
export function isOnlyMutatingGCFields(obj: object, old: object): boolean {
  const strip = (o: object) => {
    const copy = structuredClone(o) as { metadata?: Record<string, unknown> };
    for (const key of ["ownerReferences", "finalizers", "managedFields", "resourceVersion"]) {
      delete copy.metadata?.[key];
    }
    return copy;
  };
  return isDeepStrictEqual(strip(obj), strip(old));
}

export interface RoleWrite {
  readonly resource: "roles" | "clusterroles";
  /** The role's namespace ("" for cluster roles). */
  readonly namespace: string;
  readonly role: Role | ClusterRole;
  /** The stored object, on update. */
  readonly old?: Role | ClusterRole;
}

/** The check around creating or updating a Role or ClusterRole. */
export async function checkRoleEscalation(
  options: EscalationOptions,
  write: RoleWrite,
): Promise<StatusError | undefined> {
  const { user, resolver } = options;
  const { resource, namespace, role, old } = write;
  if (old && isOnlyMutatingGCFields(role, old)) return undefined;
  if (escalationAllowed(user)) return undefined;
  const name = role.metadata?.name ?? "";
  const escalate = resourceAttributes({
    verb: "escalate",
    apiGroup: rbacGroup,
    resource,
    name,
    namespace,
  });
  if (await authorized(options, escalate)) return undefined;
  const gr = { group: rbacGroup, resource };
  const msg = confirmNoEscalation(user, role.rules ?? [], resolver, namespace);
  if (msg !== undefined) return newForbidden(gr, name, msg);
  const aggregates = (r: Role | ClusterRole | undefined) =>
    r !== undefined && "aggregationRule" in r && r.aggregationRule != null;
  if (resource === "clusterroles" && (aggregates(role) || aggregates(old))) {
    if (confirmNoEscalation(user, fullAuthority, resolver, "") !== undefined) {
      return newForbidden(
        gr,
        name,
        "must have cluster-admin privileges to use the aggregationRule",
      );
    }
  }
  return undefined;
}

export interface BindingWrite {
  readonly resource: "rolebindings" | "clusterrolebindings";
  /** The binding's namespace ("" for cluster role bindings). */
  readonly namespace: string;
  readonly binding: RoleBinding | ClusterRoleBinding;
  readonly old?: RoleBinding | ClusterRoleBinding;
}

/** `BindingAuthorized`: the `bind` verb on the referenced role, in the binding's namespace. */
export async function bindingAuthorized(
  options: EscalationOptions,
  binding: RoleBinding | ClusterRoleBinding,
  namespace: string,
): Promise<boolean> {
  const ref = binding.roleRef;
  const resource = ref.kind === "ClusterRole" ? "clusterroles" : ref.kind === "Role" ? "roles" : "";
  if (!resource) return false;
  const attrs = resourceAttributes({
    verb: "bind",
    apiGroup: ref.apiGroup,
    resource,
    name: ref.name,
    namespace,
  });
  return authorized(options, attrs);
}

/** The check around creating or updating a RoleBinding or ClusterRoleBinding. */
export async function checkBindingEscalation(
  options: EscalationOptions,
  write: BindingWrite,
): Promise<StatusError | undefined> {
  const { user, resolver } = options;
  const { resource, namespace, binding, old } = write;
  if (old && isOnlyMutatingGCFields(binding, old)) return undefined;
  if (escalationAllowed(user)) return undefined;
  if (await bindingAuthorized(options, binding, namespace)) return undefined;
  const resolved = resolver.getRoleReferenceRules(binding.roleRef, namespace);
  if (resolved.error !== undefined) {
    if (!resolved.notFound) return newInternalError(resolved.error);
    const plural = binding.roleRef.kind === "Role" ? "roles" : "clusterroles";
    return newNotFound({ group: rbacGroup, resource: plural }, binding.roleRef.name);
  }
  const msg = confirmNoEscalation(user, resolved.rules, resolver, namespace);
  if (msg === undefined) return undefined;
  return newForbidden({ group: rbacGroup, resource }, binding.metadata?.name ?? "", msg);
}
