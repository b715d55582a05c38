/** The RBAC authorizer and its helpers; see README.md. */
export {
  aggregateAll,
  aggregatedRoleNames,
  aggregatedRules,
  aggregationUpdate,
} from "./aggregation.ts";
export { type Attributes, attributesFromRequestInfo, resourceAttributes } from "./attributes.ts";
export {
  autoUpdateAnnotation,
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  bootstrapNamespaceRoleBindings,
  bootstrapNamespaceRoles,
  bootstrappingLabel,
} from "./bootstrap-policy.ts";
export { nodeRules } from "./bootstrap-system-roles.ts";
export { compactString, covers } from "./covers.ts";
export {
  type AttributesAuthorizer,
  type BindingWrite,
  bindingAuthorized,
  checkBindingEscalation,
  checkRoleEscalation,
  confirmNoEscalation,
  type EscalationOptions,
  escalationAllowed,
  type RoleWrite,
} from "./escalation.ts";
export { RbacAuthorizer } from "./rbac-authorizer.ts";
export { ruleAllows, rulesAllow } from "./rule-match.ts";
export { RuleResolver } from "./rule-resolver.ts";
export { MemoryRbacSource, type RbacSource } from "./source.ts";
