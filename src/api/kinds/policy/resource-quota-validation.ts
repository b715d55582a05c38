/**
 * `ValidateResourceQuota` and friends: hard and used quantities, scopes and the scope selector
 * (upstream `pkg/apis/core/validation`, `validateResourceQuotaScopes`,
 * `validateScopedResourceSelectorRequirement`).
 */
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { goQuote } from "../../../machinery/go-format.ts";
import { fieldImmutableErrorMsg } from "../../../machinery/object-meta.ts";
import type { ResourceQuota, ResourceQuotaSpec } from "../../generated/types.ts";
import type { FieldErrors } from "../core/common.ts";
import {
  isStandardQuotaResourceName,
  validateQuotaResourceName,
  validateResourceQuantityValue,
} from "./resource-names.ts";

export const quotaScopes = [
  "Terminating",
  "NotTerminating",
  "BestEffort",
  "NotBestEffort",
  "PriorityClass",
  "CrossNamespacePodAffinity",
  "VolumeAttributesClass",
];

const podCountResources = new Set(["pods"]);
const podComputeResources = new Set([
  "cpu",
  "memory",
  "limits.cpu",
  "limits.memory",
  "requests.cpu",
  "requests.memory",
]);
const pvcResources = new Set(["persistentvolumeclaims", "requests.storage"]);

/** `IsResourceQuotaScopeValidForResource`. */
export function isScopeValidForResource(scope: string, resource: string): boolean {
  switch (scope) {
    case "Terminating":
    case "NotTerminating":
    case "NotBestEffort":
    case "PriorityClass":
    case "CrossNamespacePodAffinity":
      return podCountResources.has(resource) || podComputeResources.has(resource);
    case "BestEffort":
      return podCountResources.has(resource);
    case "VolumeAttributesClass":
      return pvcResources.has(resource);
    default:
      return true;
  }
}

/** The scopes list as Go prints it (`%#v` of `[]core.ResourceQuotaScope`). */
function goScopes(scopes: readonly string[] | undefined): field.RawValue {
  if (scopes === undefined || scopes.length === 0) {
    return new field.RawValue("[]core.ResourceQuotaScope(nil)");
  }
  return new field.RawValue(`[]core.ResourceQuotaScope{${scopes.map(goQuote).join(", ")}}`);
}

const invalidPairs = [
  ["BestEffort", "NotBestEffort"],
  ["Terminating", "NotTerminating"],
] as const;

const hasConflict = (set: Set<string>) => invalidPairs.some(([a, b]) => set.has(a) && set.has(b));

function validateScopes(spec: ResourceQuotaSpec, path: FieldPath): FieldErrors {
  const scopes = spec.scopes ?? [];
  if (scopes.length === 0) return [];
  const errs: FieldErrors = [];
  const scopesPath = path.child("scopes");
  const hard = Object.keys(spec.hard ?? {}).sort();
  for (const scope of scopes) {
    if (!quotaScopes.includes(scope)) {
      errs.push(field.invalid(scopesPath, goScopes(scopes), "unsupported scope"));
    }
    for (const k of hard) {
      if (isStandardQuotaResourceName(k) && !isScopeValidForResource(scope, k)) {
        errs.push(
          field.invalid(scopesPath, goScopes(scopes), "unsupported scope applied to resource"),
        );
      }
    }
  }
  if (hasConflict(new Set<string>(scopes))) {
    errs.push(field.invalid(scopesPath, goScopes(scopes), "conflicting scopes"));
  }
  return errs;
}

const existsOnlyScopes = [
  "BestEffort",
  "NotBestEffort",
  "Terminating",
  "NotTerminating",
  "CrossNamespacePodAffinity",
];

function validateScopeSelector(spec: ResourceQuotaSpec, path: FieldPath): FieldErrors {
  if (!spec.scopeSelector) return [];
  const errs: FieldErrors = [];
  const exprPath = path.child("scopeSelector", "matchExpressions");
  const hard = Object.keys(spec.hard ?? {}).sort();
  const seen = new Set<string>();
  for (const req of spec.scopeSelector.matchExpressions ?? []) {
    if (!quotaScopes.includes(req.scopeName)) {
      errs.push(field.invalid(exprPath.child("scopeName"), req.scopeName, "unsupported scope"));
    }
    for (const k of hard) {
      if (isStandardQuotaResourceName(k) && !isScopeValidForResource(req.scopeName, k)) {
        const msg = "unsupported scope applied to resource";
        errs.push(field.invalid(exprPath, spec.scopeSelector, msg));
      }
    }
    if (existsOnlyScopes.includes(req.scopeName) && req.operator !== "Exists") {
      errs.push(
        field.invalid(
          exprPath.child("operator"),
          req.operator,
          "must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
        ),
      );
    }
    errs.push(...validateSelectorOperator(req.operator, req.values, exprPath));
    seen.add(req.scopeName);
  }
  if (hasConflict(seen))
    errs.push(field.invalid(exprPath, goScopes(spec.scopes), "conflicting scopes"));
  return errs;
}

function validateSelectorOperator(op: string, values: string[] | undefined, path: FieldPath) {
  const n = (values ?? []).length;
  switch (op) {
    case "In":
    case "NotIn":
      if (n > 0) return [];
      return [
        field.required(
          path.child("values"),
          "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
        ),
      ];
    case "Exists":
    case "DoesNotExist":
      if (n === 0) return [];
      return [
        field.invalid(
          path.child("values"),
          values ?? [],
          "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
        ),
      ];
    default:
      return [field.invalid(path.child("operator"), op, "not a valid selector operator")];
  }
}

/** Names and values of a hard/used list. */
function validateQuantities(list: Record<string, unknown> | undefined, path: FieldPath) {
  const errs: FieldErrors = [];
  for (const [name, value] of Object.entries(list ?? {})) {
    const p = path.key(name);
    errs.push(
      ...validateQuotaResourceName(name, p),
      ...validateResourceQuantityValue(name, value, p),
    );
  }
  return errs;
}

/** `ValidateResourceQuotaSpec`. */
export function validateResourceQuotaSpec(spec: ResourceQuotaSpec | undefined): FieldErrors {
  const s = spec ?? {};
  const path = newPath("spec");
  return [
    ...validateQuantities(s.hard, path.child("hard")),
    ...validateScopes(s, path),
    ...validateScopeSelector(s, path),
  ];
}

/** `ValidateResourceQuotaStatus`. */
export function validateResourceQuotaStatus(rq: ResourceQuota): FieldErrors {
  const path = newPath("status");
  return [
    ...validateQuantities(rq.status?.hard, path.child("hard")),
    ...validateQuantities(rq.status?.used, path.child("used")),
  ];
}

export function validateResourceQuota(rq: ResourceQuota): FieldErrors {
  return [...validateResourceQuotaSpec(rq.spec), ...validateResourceQuotaStatus(rq)];
}

/** `ValidateResourceQuotaUpdate`: the spec as on create, and the set of scopes is fixed. */
export function validateResourceQuotaUpdate(rq: ResourceQuota, old: ResourceQuota): FieldErrors {
  const errs = validateResourceQuotaSpec(rq.spec);
  const next = new Set(rq.spec?.scopes ?? []);
  const prev = new Set(old.spec?.scopes ?? []);
  if (next.size !== prev.size || [...next].some((s) => !prev.has(s))) {
    errs.push(
      field.invalid(newPath("spec", "scopes"), goScopes(rq.spec?.scopes), fieldImmutableErrorMsg),
    );
  }
  return errs;
}
