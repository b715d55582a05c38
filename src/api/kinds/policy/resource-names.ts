/**
 * Resource-name rules shared by LimitRange, ResourceQuota and the quota admission plugin
 * (upstream `pkg/apis/core/helper`: `IsStandardResourceName`, `IsStandardQuotaResourceName`,
 * `IsExtendedResourceName`, `IsIntegerResourceName`; `pkg/apis/core/validation`:
 * `validateResourceName`, `ValidateResourceQuantityValue`).
 */
import * as field from "../../../machinery/field-errors.ts";
import type { FieldPath } from "../../../machinery/field-path.ts";
import { isNegativeErrorMsg } from "../../../machinery/object-meta.ts";
import { type Quantity, quantityFromJSON } from "../../../machinery/quantity.ts";
import { isQualifiedName } from "../../../machinery/validation.ts";

const standardResources = new Set([
  "cpu",
  "memory",
  "ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.ephemeral-storage",
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
  "pods",
  "services",
  "replicationcontrollers",
  "resourcequotas",
  "secrets",
  "configmaps",
  "persistentvolumeclaims",
  "storage",
  "requests.storage",
  "services.nodeports",
  "services.loadbalancers",
]);

const standardQuotaResources = new Set([...standardResources].filter((name) => name !== "storage"));

const standardContainerResources = new Set(["cpu", "memory", "ephemeral-storage"]);

const integerResources = new Set([
  "pods",
  "services",
  "replicationcontrollers",
  "resourcequotas",
  "secrets",
  "configmaps",
  "persistentvolumeclaims",
  "services.nodeports",
  "services.loadbalancers",
]);

export const isHugePageResourceName = (name: string): boolean => name.startsWith("hugepages-");

/** `IsNativeResource`: no domain, or one under kubernetes.io. */
export const isNativeResource = (name: string): boolean =>
  !name.includes("/") || name.includes("kubernetes.io/");

/** `IsExtendedResourceName`: not native, not `requests.`-prefixed, and quota-able. */
export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith("requests.")) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

export function isStandardResourceName(name: string): boolean {
  return (
    standardResources.has(name) ||
    isHugePageResourceName(name) ||
    name.startsWith("requests.hugepages-")
  );
}

export function isStandardQuotaResourceName(name: string): boolean {
  return (
    standardQuotaResources.has(name) ||
    isHugePageResourceName(name) ||
    name.startsWith("requests.hugepages-")
  );
}

export function isStandardContainerResourceName(name: string): boolean {
  return standardContainerResources.has(name) || isHugePageResourceName(name);
}

export function isIntegerResourceName(name: string): boolean {
  return integerResources.has(name) || isExtendedResourceName(name);
}

/** `validateResourceName`: qualified, and standard unless domain-qualified. */
export function validateResourceName(name: string, path: FieldPath): field.FieldError[] {
  const errs = isQualifiedName(name).map((msg) => field.invalid(path, name, msg));
  if (errs.length > 0) return errs;
  if (!name.includes("/") && !isStandardResourceName(name)) {
    errs.push(field.invalid(path, name, "must be a standard resource type or fully qualified"));
  }
  return errs;
}

/** `validateContainerResourceName`. */
export function validateContainerResourceName(name: string, path: FieldPath): field.FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes("/")) {
    if (!isStandardContainerResourceName(name)) {
      errs.push(field.invalid(path, name, "must be a standard resource for containers"));
    }
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    errs.push(field.invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** `ValidateResourceQuotaResourceName`. */
export function validateQuotaResourceName(name: string, path: FieldPath): field.FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes("/") && !isStandardQuotaResourceName(name)) {
    errs.push(field.invalid(path, name, "must be a standard resource for quota"));
  }
  return errs;
}

/** A quantity as upstream prints a `resource.Quantity` bad value (its string form). */
export const quantityValue = (q: Quantity): field.RawValue => new field.RawValue(q.toString());

/** Parses a stored quantity; an error value when it does not parse. */
export function parseStored(value: unknown): Quantity | Error {
  try {
    return quantityFromJSON(value);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * `ValidateResourceQuantityValue` (plus the parse error the decoder would have reported):
 * non-negative, and whole for integer resources.
 */
export function validateResourceQuantityValue(
  name: string,
  raw: unknown,
  path: FieldPath,
): field.FieldError[] {
  const q = parseStored(raw);
  if (q instanceof Error) return [field.invalid(path, String(raw), q.message)];
  const errs: field.FieldError[] = [];
  if (q.sign() < 0) errs.push(field.invalid(path, q.toString(), isNegativeErrorMsg));
  if (isIntegerResourceName(name) && q.milliValue() % 1000 !== 0) {
    errs.push(field.invalid(path, quantityValue(q), "must be an integer"));
  }
  return errs;
}
