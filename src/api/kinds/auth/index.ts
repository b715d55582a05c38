/**
 * The review APIs: create-only resources that are answered, not stored (TokenReview,
 * SelfSubjectReview, SubjectAccessReview and its self, local and rules variants).
 */
import type { ResourceDefinition } from "../../resource.ts";

const review = (
  group: string,
  kind: string,
  plural: string,
  namespaced = false,
): ResourceDefinition => ({
  group,
  version: "v1",
  kind,
  plural,
  singular: plural.replace(/s$/, ""),
  namespaced,
  verbs: ["create"],
  virtual: true,
  strategy: {},
});

export const reviewResources: ResourceDefinition[] = [
  review("authentication.k8s.io", "TokenReview", "tokenreviews"),
  review("authentication.k8s.io", "SelfSubjectReview", "selfsubjectreviews"),
  review("authorization.k8s.io", "SubjectAccessReview", "subjectaccessreviews"),
  review("authorization.k8s.io", "SelfSubjectAccessReview", "selfsubjectaccessreviews"),
  review("authorization.k8s.io", "LocalSubjectAccessReview", "localsubjectaccessreviews", true),
  review("authorization.k8s.io", "SelfSubjectRulesReview", "selfsubjectrulesreviews"),
];
