/**
 * PersistentVolumeClaim validation (upstream `ValidatePersistentVolumeClaimSpec`,
 * `ValidatePersistentVolumeClaimUpdate`, `ValidatePersistentVolumeClaimStatusUpdate`). A claim's
 * spec is immutable, except that volumeName may be set once, the storage class may be filled in
 * from nil or the beta annotation, and a bound claim may grow its storage request.
 */
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { newQuantity } from "../../../machinery/quantity.ts";
import { isDNS1123Subdomain } from "../../../machinery/validation.ts";
import type {
  PersistentVolumeClaim,
  PersistentVolumeClaimSpec,
  TypedObjectReference,
} from "../../generated/types.ts";
import {
  type FieldErrors,
  type Obj,
  objectDiff,
  sameValue,
  validateImmutableField,
} from "./common.ts";
import { validateLabelSelector } from "./extra-validation.ts";
import {
  betaStorageClassAnnotation,
  quantityAt,
  validateAccessModes,
  validateClassName,
  validatePositiveQuantity,
  volumeModes,
} from "./volume-common.ts";

type PVCObj = Obj<PersistentVolumeClaim>;

function validateDataSource(ref: TypedObjectReference, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  if ((ref.name ?? "") === "") errs.push(field.required(path.child("name")));
  if ((ref.kind ?? "") === "") errs.push(field.required(path.child("kind")));
  const apiGroup = ref.apiGroup ?? "";
  if (apiGroup === "" && ref.kind !== "PersistentVolumeClaim") {
    const msg = "must be 'PersistentVolumeClaim' when referencing the default apiGroup";
    errs.push(field.invalid(path, ref.kind ?? "", msg));
  }
  for (const msg of apiGroup === "" ? [] : isDNS1123Subdomain(apiGroup)) {
    errs.push(field.invalid(path.child("apiGroup"), apiGroup, msg));
  }
  return errs;
}

function validateStorageRequest(spec: PersistentVolumeClaimSpec, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  const p = path.child("resources").key("storage");
  const raw = spec.resources?.requests?.storage;
  if (raw === undefined) return [field.required(p)];
  const q = quantityAt(raw, p, errs);
  if (q !== undefined) errs.push(...validatePositiveQuantity(q, p));
  return errs;
}

/** `ValidatePersistentVolumeClaimSpec`. */
export function validatePersistentVolumeClaimSpec(
  spec: PersistentVolumeClaimSpec = {},
): FieldErrors {
  const path = newPath("spec");
  const errs: FieldErrors = [];
  const modes = spec.accessModes ?? [];
  if (modes.length === 0) {
    errs.push(field.required(path.child("accessModes"), "at least 1 access mode is required"));
  }
  errs.push(...validateLabelSelector(spec.selector, path.child("selector")));
  errs.push(...validateAccessModes(modes, path.child("accessModes")));
  errs.push(...validateStorageRequest(spec, path));
  if ((spec.storageClassName ?? "") !== "") {
    errs.push(...validateClassName(spec.storageClassName ?? "", path.child("storageClassName")));
  }
  if (spec.volumeMode !== undefined && !volumeModes.includes(spec.volumeMode)) {
    errs.push(field.notSupported(path.child("volumeMode"), spec.volumeMode, volumeModes));
  }
  if (spec.dataSource) errs.push(...validateDataSource(spec.dataSource, path.child("dataSource")));
  if (spec.dataSourceRef) {
    errs.push(...validateDataSource(spec.dataSourceRef, path.child("dataSourceRef")));
  }
  const ref = spec.dataSourceRef;
  if (ref && (ref.namespace ?? "") !== "" && spec.dataSource) {
    const msg = "may not be specified when dataSourceRef.namespace is specified";
    errs.push(field.invalid(path, new field.RawValue("spec.dataSource"), msg));
  } else if (spec.dataSource && ref) {
    const same =
      (spec.dataSource.apiGroup ?? null) === (ref.apiGroup ?? null) &&
      spec.dataSource.kind === ref.kind &&
      spec.dataSource.name === ref.name;
    if (!same) {
      errs.push(
        field.invalid(path, new field.RawValue("spec.dataSource"), "must match dataSourceRef"),
      );
    }
  }
  if ((spec.volumeAttributesClassName ?? "") !== "") {
    const p = path.child("volumeAttributesClassName");
    errs.push(...validateClassName(spec.volumeAttributesClassName ?? "", p));
  }
  return errs;
}

/** Whether the storage class may go from nil to a value (from the beta annotation or nil). */
function storageClassUpgrade(pvc: PVCObj, old: PVCObj): "annotation" | "nil" | "none" {
  const oldAnnotation = old.metadata?.annotations?.[betaStorageClassAnnotation];
  const newAnnotation = pvc.metadata?.annotations?.[betaStorageClassAnnotation];
  const oldName = old.spec?.storageClassName;
  const newName = pvc.spec?.storageClassName;
  if (
    oldAnnotation !== undefined &&
    oldName === undefined &&
    newName === oldAnnotation &&
    (newAnnotation === undefined || newAnnotation === oldAnnotation)
  ) {
    return "annotation";
  }
  if (newName !== undefined && oldName === undefined) {
    if (oldAnnotation === undefined || newName === oldAnnotation) return "nil";
  }
  return "none";
}

/** The spec comparison of `ValidatePersistentVolumeClaimUpdate`. */
function validateSpecImmutable(pvc: PVCObj, old: PVCObj): FieldErrors {
  const next = structuredClone(pvc.spec ?? {});
  const before = structuredClone(old.spec ?? {});
  const errs: FieldErrors = [];
  if ((old.spec?.volumeName ?? "") === "") {
    if (next.volumeName === undefined) delete before.volumeName;
    else before.volumeName = next.volumeName;
  }
  const upgrade = storageClassUpgrade(pvc, old);
  if (upgrade === "annotation") delete next.storageClassName;
  else {
    const a = pvc.metadata?.annotations?.[betaStorageClassAnnotation] ?? "";
    const b = old.metadata?.annotations?.[betaStorageClassAnnotation] ?? "";
    if (a !== b) {
      const path = newPath("metadata", "annotations", betaStorageClassAnnotation);
      errs.push(field.invalid(path, a, "field is immutable"));
    }
    if (upgrade === "nil") delete next.storageClassName;
  }
  const bound = pvc.status?.phase === "Bound";
  if (bound && next.resources?.requests !== undefined) {
    const oldStorage = old.spec?.resources?.requests?.storage;
    if (oldStorage === undefined) delete next.resources.requests.storage;
    else next.resources.requests.storage = oldStorage;
  }
  if (bound && next.volumeAttributesClassName !== undefined) {
    if (before.volumeAttributesClassName === undefined) delete next.volumeAttributesClassName;
    else next.volumeAttributesClassName = before.volumeAttributesClassName;
  }
  if (!sameValue(next, before)) {
    const msg = `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${objectDiff(before, next)}`;
    errs.push(field.forbidden(newPath("spec"), msg));
  }
  return errs;
}

/** `ValidatePersistentVolumeClaimUpdate` beyond the spec checks of the new object. */
export function validatePersistentVolumeClaimUpdateRules(pvc: PVCObj, old: PVCObj): FieldErrors {
  const errs = validateSpecImmutable(pvc, old);
  const ignore: FieldErrors = [];
  const zero = newQuantity(0, "DecimalSI");
  const p = newPath("spec", "resources", "requests", "storage");
  const newSize = quantityAt(pvc.spec?.resources?.requests?.storage, p, ignore) ?? zero;
  const oldSize = quantityAt(old.spec?.resources?.requests?.storage, p, ignore) ?? zero;
  const statusSize = quantityAt(old.status?.capacity?.storage, p, ignore) ?? zero;
  if (newSize.cmp(oldSize) < 0 && newSize.cmp(statusSize) <= 0) {
    errs.push(field.forbidden(p, "field can not be less than status.capacity"));
  }
  errs.push(
    ...validateImmutableField(pvc.spec?.volumeMode, old.spec?.volumeMode, newPath("volumeMode")),
  );
  const oldVAC = old.spec?.volumeAttributesClassName;
  const newVAC = pvc.spec?.volumeAttributesClassName;
  const vacPath = newPath("spec", "volumeAttributesClassName");
  if (oldVAC !== undefined && newVAC === undefined) {
    errs.push(field.forbidden(vacPath, "update from non-nil value to nil is forbidden"));
  } else if (oldVAC !== undefined && oldVAC !== newVAC && newVAC === "") {
    errs.push(
      field.forbidden(vacPath, "update from non-nil value to an empty string is forbidden"),
    );
  }
  return errs;
}

/** `ValidatePersistentVolumeClaimStatusUpdate` (capacity quantities; access modes present). */
export function validatePersistentVolumeClaimStatus(pvc: PVCObj): FieldErrors {
  const errs: FieldErrors = [];
  if ((pvc.spec?.accessModes ?? []).length === 0) {
    errs.push(field.required(newPath("Spec", "accessModes")));
  }
  for (const [name, raw] of Object.entries(pvc.status?.capacity ?? {})) {
    const p = newPath("status", "capacity").key(name);
    const q = quantityAt(raw, p, errs);
    if (q !== undefined && q.value() < 0) {
      errs.push(field.invalid(p, q.value(), "must be a valid resource quantity"));
    }
  }
  return errs;
}
