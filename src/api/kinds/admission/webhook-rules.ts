/**
 * A webhook's `rules` (upstream `validateRuleWithOperations`, `validateRule`,
 * `validateResources`): what operations on which groups, versions, resources and subresources
 * the webhook is called for.
 */
import * as field from "../../../machinery/field-errors.ts";
import type { FieldPath } from "../../../machinery/field-path.ts";
import { goQuote } from "../../../machinery/go-format.ts";
import type { RuleWithOperations } from "../../generated/types.ts";
import type { FieldErrors } from "../core/common.ts";

/** `supportedOperations.List()` (sorted). */
const supportedOperations = ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"];
/** `validScopes.List()` (sorted). */
const validScopes = ["*", "Cluster", "Namespaced"];

const hasWildcard = (list: readonly string[]) => list.includes("*");

/** `validateResources`: subresource forms "x", "x/y", "*", "x/*", "*\/y", "*\/*". */
function validateResources(resources: readonly string[], path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  if (resources.length === 0) errs.push(field.required(path, ""));
  const resourcesWithWildcardSubresources = new Set<string>(); // x/*
  const subresourcesWithWildcardResource = new Set<string>(); // */x
  let hasDoubleWildcard = false;
  let hasSingleWildcard = false;
  let hasResourceWithoutSubresource = false;
  resources.forEach((resSub, i) => {
    if (resSub === "") {
      errs.push(field.required(path.index(i), ""));
      return;
    }
    if (resSub === "*/*") hasDoubleWildcard = true;
    if (resSub === "*") hasSingleWildcard = true;
    const slash = resSub.indexOf("/");
    if (slash < 0) {
      // As upstream: the last resource without a subresource decides.
      hasResourceWithoutSubresource = resSub !== "*";
      return;
    }
    const res = resSub.slice(0, slash);
    const sub = resSub.slice(slash + 1);
    if (resourcesWithWildcardSubresources.has(res)) {
      errs.push(
        field.invalid(
          path.index(i),
          resSub,
          `if '${res}/*' is present, must not specify ${resSub}`,
        ),
      );
    }
    if (subresourcesWithWildcardResource.has(sub)) {
      errs.push(
        field.invalid(
          path.index(i),
          resSub,
          `if '*/${sub}' is present, must not specify ${resSub}`,
        ),
      );
    }
    if (sub === "*") resourcesWithWildcardSubresources.add(res);
    if (res === "*") subresourcesWithWildcardResource.add(sub);
  });
  if (resources.length > 1 && hasDoubleWildcard) {
    errs.push(
      field.invalid(path, resources, "if '*/*' is present, must not specify other resources"),
    );
  }
  if (hasSingleWildcard && hasResourceWithoutSubresource) {
    errs.push(
      field.invalid(
        path,
        resources,
        "if '*' is present, must not specify other resources without subresources",
      ),
    );
  }
  return errs;
}

/** `validateRule` with subresources allowed. */
function validateRule(rule: RuleWithOperations, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  const apiGroups = rule.apiGroups ?? [];
  const apiVersions = rule.apiVersions ?? [];
  if (apiGroups.length === 0) errs.push(field.required(path.child("apiGroups"), ""));
  if (apiGroups.length > 1 && hasWildcard(apiGroups)) {
    errs.push(
      field.invalid(
        path.child("apiGroups"),
        apiGroups,
        "if '*' is present, must not specify other API groups",
      ),
    );
  }
  // An empty group is the core group: no check of the entries.
  if (apiVersions.length === 0) errs.push(field.required(path.child("apiVersions"), ""));
  if (apiVersions.length > 1 && hasWildcard(apiVersions)) {
    errs.push(
      field.invalid(
        path.child("apiVersions"),
        apiVersions,
        "if '*' is present, must not specify other API versions",
      ),
    );
  }
  apiVersions.forEach((version, i) => {
    if (version === "") errs.push(field.required(path.child("apiVersions").index(i), ""));
  });
  errs.push(...validateResources(rule.resources ?? [], path.child("resources")));
  if (rule.scope !== undefined && rule.scope !== null && !validScopes.includes(rule.scope)) {
    errs.push(field.notSupported(path.child("scope"), rule.scope, validScopes));
  }
  return errs;
}

/** `validateRuleWithOperations`. */
export function validateRuleWithOperations(rule: RuleWithOperations, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  const operations: readonly string[] = rule.operations ?? [];
  if (operations.length === 0) errs.push(field.required(path.child("operations"), ""));
  if (operations.length > 1 && hasWildcard(operations)) {
    // Go prints the typed slice with %#v.
    const shown = `[]admissionregistration.OperationType{${operations.map(goQuote).join(", ")}}`;
    errs.push(
      field.invalid(
        path.child("operations"),
        new field.RawValue(shown),
        "if '*' is present, must not specify other operations",
      ),
    );
  }
  operations.forEach((op, i) => {
    if (!supportedOperations.includes(op)) {
      errs.push(field.notSupported(path.child("operations").index(i), op, supportedOperations));
    }
  });
  errs.push(...validateRule(rule, path));
  return errs;
}
