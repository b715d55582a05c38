/**
 * rbac.authorization.k8s.io validation (upstream `pkg/apis/rbac/validation`): policy rules,
 * role references, binding subjects and aggregation rules. Object meta (names as path segments)
 * is checked by the generic registry through `nameValidation: "path"`.
 */
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { goQuote } from "../../../machinery/go-format.ts";
import { selectorFromLabelSelector } from "../../../machinery/labels.ts";
import { isDNS1123Subdomain, validatePathSegmentName } from "../../../machinery/validation.ts";
import type { AggregationRule, PolicyRule, RbacV1Subject, RoleRef } from "../../generated/types.ts";
import type { FieldErrors } from "../core/common.ts";
import { validateLabelSelector } from "../core/extra-validation.ts";

/** `rbac.GroupName`. */
export const rbacGroup = "rbac.authorization.k8s.io";

/** `ValidatePolicyRule`: verbs always; nonResourceURLs alone and only cluster-wide. */
export function validatePolicyRule(
  rule: PolicyRule,
  isNamespaced: boolean,
  path: FieldPath,
): FieldErrors {
  const errs: FieldErrors = [];
  if ((rule.verbs ?? []).length === 0) {
    errs.push(field.required(path.child("verbs"), "verbs must contain at least one value"));
  }
  const urls = rule.nonResourceURLs ?? [];
  if (urls.length > 0) {
    if (isNamespaced) {
      errs.push(
        field.invalid(
          path.child("nonResourceURLs"),
          urls,
          "namespaced rules cannot apply to non-resource URLs",
        ),
      );
    }
    const resourceParts = [rule.apiGroups, rule.resources, rule.resourceNames];
    if (resourceParts.some((list) => (list ?? []).length > 0)) {
      errs.push(
        field.invalid(
          path.child("nonResourceURLs"),
          urls,
          "rules cannot apply to both regular resources and non-resource URLs",
        ),
      );
    }
    return errs;
  }
  if ((rule.apiGroups ?? []).length === 0) {
    errs.push(
      field.required(path.child("apiGroups"), "resource rules must supply at least one api group"),
    );
  }
  if ((rule.resources ?? []).length === 0) {
    errs.push(
      field.required(path.child("resources"), "resource rules must supply at least one resource"),
    );
  }
  return errs;
}

export function validateRules(rules: PolicyRule[] | undefined, isNamespaced: boolean): FieldErrors {
  const path = newPath("rules");
  return (rules ?? []).flatMap((rule, i) => validatePolicyRule(rule, isNamespaced, path.index(i)));
}

/** The aggregation-rule part of `ValidateClusterRole`. */
export function validateAggregationRule(rule: AggregationRule | undefined): FieldErrors {
  if (rule === undefined || rule === null) return [];
  const path = newPath("aggregationRule", "clusterRoleSelectors");
  const selectors = rule.clusterRoleSelectors ?? [];
  const errs: FieldErrors = [];
  if (selectors.length === 0) {
    errs.push(
      field.required(
        path,
        "at least one clusterRoleSelector required if aggregationRule is non-nil",
      ),
    );
  }
  selectors.forEach((selector, i) => {
    errs.push(...validateLabelSelector(selector, path.index(i)));
    try {
      selectorFromLabelSelector(selector);
    } catch {
      errs.push(field.invalid(path.index(i), selector, "invalid label selector."));
    }
  });
  return errs;
}

/** The roleRef part of `ValidateRoleBinding` / `ValidateClusterRoleBinding`. */
export function validateRoleRef(ref: RoleRef | undefined, kinds: readonly string[]): FieldErrors {
  const path = newPath("roleRef");
  const errs: FieldErrors = [];
  const apiGroup = ref?.apiGroup ?? "";
  if (apiGroup !== rbacGroup) {
    errs.push(field.notSupported(path.child("apiGroup"), apiGroup, [rbacGroup]));
  }
  const kind = ref?.kind ?? "";
  if (!kinds.includes(kind)) errs.push(field.notSupported(path.child("kind"), kind, kinds));
  const name = ref?.name ?? "";
  if (name.length === 0) errs.push(field.required(path.child("name")));
  else {
    for (const msg of validatePathSegmentName(name, false)) {
      errs.push(field.invalid(path.child("name"), name, msg));
    }
  }
  return errs;
}

/** `ValidateRoleBindingSubject`. */
export function validateSubject(
  subject: RbacV1Subject,
  isNamespaced: boolean,
  path: FieldPath,
): FieldErrors {
  const errs: FieldErrors = [];
  const name = subject.name ?? "";
  const apiGroup = subject.apiGroup ?? "";
  if (name.length === 0) errs.push(field.required(path.child("name")));
  switch (subject.kind) {
    case "ServiceAccount":
      if (name.length > 0) {
        for (const msg of isDNS1123Subdomain(name)) {
          errs.push(field.invalid(path.child("name"), name, msg));
        }
      }
      if (apiGroup.length > 0)
        errs.push(field.notSupported(path.child("apiGroup"), apiGroup, [""]));
      if (!isNamespaced && (subject.namespace ?? "").length === 0) {
        errs.push(field.required(path.child("namespace")));
      }
      break;
    case "User":
    case "Group":
      if (apiGroup !== rbacGroup) {
        errs.push(field.notSupported(path.child("apiGroup"), apiGroup, [rbacGroup]));
      }
      break;
    default:
      errs.push(
        field.notSupported(path.child("kind"), subject.kind ?? "", [
          "ServiceAccount",
          "User",
          "Group",
        ]),
      );
  }
  return errs;
}

export function validateSubjects(
  subjects: RbacV1Subject[] | undefined,
  isNamespaced: boolean,
): FieldErrors {
  const path = newPath("subjects");
  return (subjects ?? []).flatMap((s, i) => validateSubject(s, isNamespaced, path.index(i)));
}

/** `ValidateRoleBindingUpdate`: `roleRef: Invalid value: {...}: cannot change roleRef`. */
export function validateRoleRefUnchanged(next: RoleRef, old: RoleRef): FieldErrors {
  const same =
    next?.apiGroup === old?.apiGroup && next?.kind === old?.kind && next?.name === old?.name;
  if (same) return [];
  return [field.invalid(newPath("roleRef"), roleRefValue(next), "cannot change roleRef")];
}

/** How Go prints the internal `rbac.RoleRef` struct (`%#v`) in the error. */
function roleRefValue(ref: RoleRef | undefined): field.RawValue {
  const [group, kind, name] = [ref?.apiGroup ?? "", ref?.kind ?? "", ref?.name ?? ""].map(goQuote);
  return new field.RawValue(`rbac.RoleRef{APIGroup:${group}, Kind:${kind}, Name:${name}}`);
}

/** `SetDefaults_Subject`: User and Group subjects get the RBAC API group. */
export function defaultSubjects(subjects: RbacV1Subject[] | undefined): void {
  for (const s of subjects ?? []) {
    if ((s.apiGroup ?? "") === "" && (s.kind === "User" || s.kind === "Group")) {
      s.apiGroup = rbacGroup;
    }
  }
}

/** `SetDefaults_(Cluster)RoleBinding`: the roleRef's API group. */
export function defaultRoleRef(ref: RoleRef | undefined): void {
  if (ref && (ref.apiGroup ?? "") === "") ref.apiGroup = rbacGroup;
}
