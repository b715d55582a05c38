/**
 * What PersistentVolume and PersistentVolumeClaim share: access-mode rules and their short
 * printed form, the storage class (beta annotation first), quantity checks.
 */
import * as field from "../../../machinery/field-errors.ts";
import type { FieldPath } from "../../../machinery/field-path.ts";
import { parseQuantity, type Quantity } from "../../../machinery/quantity.ts";
import { nameIsDNSSubdomain } from "../../../machinery/validation.ts";
import type { FieldErrors } from "./common.ts";

export const betaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class";
export const accessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
export const volumeModes = ["Block", "Filesystem"];

/** Each mode must be known; ReadWriteOncePod excludes every other mode. */
export function validateAccessModes(modes: readonly string[], path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  let rwop = false;
  let other = false;
  for (const mode of modes) {
    if (!accessModes.includes(mode)) errs.push(field.notSupported(path, mode, accessModes));
    if (mode === "ReadWriteOncePod") rwop = true;
    else if (accessModes.includes(mode)) other = true;
  }
  if (rwop && other) {
    errs.push(field.forbidden(path, "may not use ReadWriteOncePod with other access modes"));
  }
  return errs;
}

/** `GetAccessModesAsString`: RWO,ROX,RWX,RWOP in that order, each once. */
export function accessModesString(modes: readonly string[] | undefined): string {
  const short: [string, string][] = [
    ["ReadWriteOnce", "RWO"],
    ["ReadOnlyMany", "ROX"],
    ["ReadWriteMany", "RWX"],
    ["ReadWriteOncePod", "RWOP"],
  ];
  return short
    .filter(([mode]) => (modes ?? []).includes(mode))
    .map(([, s]) => s)
    .join(",");
}

/** The storage class of a PV or PVC: the beta annotation wins over the field. */
export function storageClassOf(
  annotations: Record<string, string> | undefined,
  className: string | undefined,
): string {
  return annotations?.[betaStorageClassAnnotation] ?? className ?? "";
}

/** `ValidateClassName` errors for a storage or volume-attributes class name. */
export function validateClassName(name: string, path: FieldPath): FieldErrors {
  return nameIsDNSSubdomain(name, false).map((msg) => field.invalid(path, name, msg));
}

/** Parses a stored quantity; unparseable values are reported at `path`. */
export function quantityAt(
  raw: string | number | undefined,
  path: FieldPath,
  errs: FieldErrors,
): Quantity | undefined {
  if (raw === undefined) return undefined;
  try {
    return parseQuantity(String(raw).trim());
  } catch (err) {
    errs.push(field.invalid(path, String(raw), (err as Error).message));
    return undefined;
  }
}

/** `validateBasicResource` and `ValidatePositiveQuantityValue`. */
export function validatePositiveQuantity(q: Quantity, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  if (q.value() < 0) errs.push(field.invalid(path, q.value(), "must be a valid resource quantity"));
  if (q.sign() <= 0) errs.push(field.invalid(path, q.toString(), "must be greater than zero"));
  return errs;
}

/** `validatePathNoBacksteps`: no `..` element. */
export function validatePathNoBacksteps(value: string, path: FieldPath): FieldErrors {
  return value.split("/").includes("..")
    ? [field.invalid(path, value, "must not contain '..'")]
    : [];
}
