/**
 * The RBAC authorizer (upstream `plugin/pkg/auth/authorizer/rbac`): allow when any rule bound to
 * the user allows the request; otherwise no opinion, with the resolution errors met on the way
 * as the reason (`RBAC: clusterrole.rbac.authorization.k8s.io "x" not found`). The API server
 * builds the Forbidden message; this only returns `{ allowed, reason }`.
 */
import type { ResourceRule, SubjectRulesReviewStatus } from "../../../api/generated/types.ts";
import { aggregateMessages } from "../../../machinery/field-errors.ts";
import type { UserInfo } from "../../authn/user.ts";
import type { RequestInfo } from "../../request-info.ts";
import type { Authorizer, Decision } from "../authorizer.ts";
import { type Attributes, attributesFromRequestInfo } from "./attributes.ts";
import { ruleAllows } from "./rule-match.ts";
import { describeRuleSource, type RuleResolver, type RuleSource } from "./rule-resolver.ts";

/** Each source's description, made once (resolutions are replayed: their sources recur). */
const descriptions = new WeakMap<RuleSource, string>();

function described(source: RuleSource): string {
  let text = descriptions.get(source);
  if (text === undefined) {
    text = describeRuleSource(source);
    descriptions.set(source, text);
  }
  return text;
}

export class RbacAuthorizer implements Authorizer {
  readonly #resolver: RuleResolver;

  constructor(resolver: RuleResolver) {
    this.#resolver = resolver;
  }

  async authorize(user: UserInfo, info: RequestInfo): Promise<Decision> {
    return this.authorizeAttributes(user, attributesFromRequestInfo(info));
  }

  /** The decision for any attributes, including verbs no request has (bind, escalate...). */
  authorizeAttributes(user: UserInfo, attrs: Attributes): Decision {
    let allowedBy: string | undefined;
    const errors: string[] = [];
    this.#resolver.visitRulesFor(user, attrs.namespace, (source, rule, error) => {
      if (source && rule && ruleAllows(attrs, rule)) {
        allowedBy = described(source);
        return false;
      }
      if (error !== undefined) errors.push(error);
      return true;
    });
    if (allowedBy !== undefined) return { allowed: true, reason: `RBAC: allowed by ${allowedBy}` };
    if (errors.length === 0) return { allowed: false };
    return { allowed: false, reason: `RBAC: ${aggregateMessages(errors)}` };
  }

  /**
   * `RulesFor` as SelfSubjectRulesReview reports it: resource and non-resource rules apart, and
   * resolution errors as the evaluation error. RBAC always answers completely.
   */
  subjectRulesReviewStatus(user: UserInfo, namespace: string): SubjectRulesReviewStatus {
    const { rules, errors } = this.#resolver.rulesFor(user, namespace);
    const status: SubjectRulesReviewStatus = {
      resourceRules: [],
      nonResourceRules: [],
      incomplete: false,
    };
    for (const rule of rules) {
      if ((rule.resources ?? []).length > 0) {
        const r: ResourceRule = { verbs: rule.verbs ?? [] };
        if (rule.apiGroups) r.apiGroups = rule.apiGroups;
        r.resources = rule.resources ?? [];
        if (rule.resourceNames) r.resourceNames = rule.resourceNames;
        status.resourceRules.push(r);
      }
      if ((rule.nonResourceURLs ?? []).length > 0) {
        status.nonResourceRules.push({
          verbs: rule.verbs ?? [],
          nonResourceURLs: rule.nonResourceURLs ?? [],
        });
      }
    }
    if (errors.length > 0) status.evaluationError = aggregateMessages(errors);
    return status;
  }
}
