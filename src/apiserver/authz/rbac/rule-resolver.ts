/**
 * Which rules apply to a user in a namespace (upstream `DefaultRuleResolver`): every
 * ClusterRoleBinding naming the user, then, for a namespaced request, every RoleBinding in that
 * namespace naming the user. A binding names a user by username (User), by one of the user's
 * groups (Group), or as a service account (`system:serviceaccount:<ns>:<name>`; a RoleBinding's
 * ServiceAccount subject without a namespace means the binding's namespace).
 *
 * Missing roles are not fatal: the visitor receives an error (`clusterrole.rbac.authorization.k8s.io
 * "x" not found`, as the listers word it) and resolution goes on.
 */
import type {
  ClusterRoleBinding,
  PolicyRule,
  RbacV1Subject,
  RoleBinding,
  RoleRef,
} from "../../../api/generated/types.ts";
import { goQuote } from "../../../machinery/go-format.ts";
import type { UserInfo } from "../../authn/user.ts";
import type { RbacSource } from "./source.ts";

/** The binding and subject that granted a rule (upstream's `*BindingDescriber`). */
export interface RuleSource {
  readonly kind: "ClusterRoleBinding" | "RoleBinding";
  readonly binding: ClusterRoleBinding | RoleBinding;
  readonly subject: RbacV1Subject;
}

/** Return false to stop visiting. Either `rule` (with its source) or `error` is set. */
export type RuleVisitor = (
  source: RuleSource | undefined,
  rule: PolicyRule | undefined,
  error: string | undefined,
) => boolean;

export type RoleRefRules =
  | { readonly rules: readonly PolicyRule[]; readonly error?: undefined }
  | { readonly rules?: undefined; readonly error: string; readonly notFound: boolean };

const serviceAccountPrefix = "system:serviceaccount:";

/**
 * The user's groups, plus the service-account groups a service-account username implies
 * (`system:serviceaccounts`, `system:serviceaccounts:<ns>`) in case the authenticator left them out.
 */
export function effectiveGroups(user: UserInfo): ReadonlySet<string> {
  const groups = new Set(user.groups);
  if (user.username.startsWith(serviceAccountPrefix)) {
    const [namespace, name] = user.username.slice(serviceAccountPrefix.length).split(":");
    if (namespace && name) {
      groups.add("system:serviceaccounts");
      groups.add(`system:serviceaccounts:${namespace}`);
    }
  }
  return groups;
}

/** `appliesToUser`: does one binding subject name this user? */
export function appliesToUser(
  user: UserInfo,
  groups: ReadonlySet<string>,
  subject: RbacV1Subject,
  namespace: string,
): boolean {
  switch (subject.kind) {
    case "User":
      return user.username === subject.name;
    case "Group":
      return groups.has(subject.name);
    case "ServiceAccount": {
      const saNamespace = subject.namespace || namespace;
      if (!saNamespace) return false;
      return user.username === `${serviceAccountPrefix}${saNamespace}:${subject.name}`;
    }
    default:
      return false;
  }
}

/** `describeSubject` + the describers' String(): `ClusterRoleBinding "x" of ClusterRole "y" to User "z"`. */
export function describeRuleSource(source: RuleSource): string {
  const { binding, subject } = source;
  const bindingNamespace = binding.metadata?.namespace ?? "";
  const name = binding.metadata?.name ?? "";
  const bindingName = source.kind === "RoleBinding" ? `${name}/${bindingNamespace}` : name;
  let who: string;
  if (subject.kind === "ServiceAccount") {
    const ns = subject.namespace || (source.kind === "RoleBinding" ? bindingNamespace : "");
    who = `${subject.kind} ${goQuote(`${subject.name}/${ns}`)}`;
  } else {
    who = `${subject.kind} ${goQuote(subject.name)}`;
  }
  const ref = binding.roleRef;
  return `${source.kind} ${goQuote(bindingName)} of ${ref.kind} ${goQuote(ref.name)} to ${who}`;
}

/** One step of a resolution, as the visitor receives it. */
interface Resolved {
  readonly source?: RuleSource;
  readonly rule?: PolicyRule;
  readonly error?: string;
}

/** Most users × namespaces whose resolutions are kept (all are dropped when it is reached). */
const maxResolved = 10_000;

export class RuleResolver {
  readonly #source: RbacSource;
  /** Resolutions by user, groups and namespace, valid while the source's generation holds. */
  #resolved = new Map<string, readonly Resolved[]>();
  #generation: number | undefined;

  constructor(source: RbacSource) {
    this.#source = source;
  }

  /** `GetRoleReferenceRules`: the rules of the role a binding refers to. */
  getRoleReferenceRules(ref: RoleRef, bindingNamespace: string): RoleRefRules {
    switch (ref.kind) {
      case "Role": {
        const role = this.#source.getRole(bindingNamespace, ref.name);
        if (role) return { rules: role.rules ?? [] };
        const error = `role.rbac.authorization.k8s.io ${goQuote(ref.name)} not found`;
        return { error, notFound: true };
      }
      case "ClusterRole": {
        const role = this.#source.getClusterRole(ref.name);
        if (role) return { rules: role.rules ?? [] };
        const error = `clusterrole.rbac.authorization.k8s.io ${goQuote(ref.name)} not found`;
        return { error, notFound: true };
      }
      default:
        return { error: `unsupported role reference kind: ${goQuote(ref.kind)}`, notFound: false };
    }
  }

  /**
   * `VisitRulesFor`: cluster role bindings first, then role bindings of `namespace`. Every request
   * asks this; with a source that has a generation, the walk over all bindings is done once per
   * user and namespace and replayed until a role or binding changes.
   */
  visitRulesFor(user: UserInfo, namespace: string, visitor: RuleVisitor): void {
    const generation = this.#source.generation?.();
    if (generation === undefined) {
      this.#visit(user, namespace, visitor);
      return;
    }
    if (generation !== this.#generation || this.#resolved.size >= maxResolved) {
      this.#resolved = new Map();
      this.#generation = generation;
    }
    const key = `${namespace}\n${user.username}\n${user.groups.join("\n")}`;
    let resolved = this.#resolved.get(key);
    if (!resolved) {
      const steps: Resolved[] = [];
      this.#visit(user, namespace, (source, rule, error) => {
        steps.push(error !== undefined ? { error } : { source: source!, rule: rule! });
        return true;
      });
      resolved = steps;
      this.#resolved.set(key, resolved);
    }
    for (const step of resolved) if (!visitor(step.source, step.rule, step.error)) return;
  }

  #visit(user: UserInfo, namespace: string, visitor: RuleVisitor): void {
    const groups = effectiveGroups(user);
    const clusterBindings = this.#source.listClusterRoleBindings();
    const visitBindings = (
      kind: RuleSource["kind"],
      bindings: readonly (ClusterRoleBinding | RoleBinding)[],
      ns: string,
    ): boolean => {
      for (const binding of bindings) {
        const subject = (binding.subjects ?? []).find((s) => appliesToUser(user, groups, s, ns));
        if (!subject) continue;
        const resolved = this.getRoleReferenceRules(binding.roleRef, ns);
        if (resolved.error !== undefined) {
          if (!visitor(undefined, undefined, resolved.error)) return false;
          continue;
        }
        const source: RuleSource = { kind, binding, subject };
        for (const rule of resolved.rules) {
          if (!visitor(source, rule, undefined)) return false;
        }
      }
      return true;
    };
    if (!visitBindings("ClusterRoleBinding", clusterBindings, "")) return;
    if (namespace)
      visitBindings("RoleBinding", this.#source.listRoleBindings(namespace), namespace);
  }

  /**
   * `RulesFor`: every rule that applies, and the resolution errors met on the way (a non-empty
   * list means the rules may be incomplete, as SelfSubjectRulesReview reports).
   */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.visitRulesFor(user, namespace, (_source, rule, error) => {
      if (rule) rules.push(rule);
      if (error !== undefined) errors.push(error);
      return true;
    });
    return { rules, errors };
  }
}
