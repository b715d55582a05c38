/**
 * `metav1.ObjectMeta` and its validation on create and update, mirroring apimachinery's
 * `api/validation/objectmeta.go` and `apis/meta/v1/validation`. Every kind's strategy calls these
 * with its own name rule; the results are field errors (values), which the registry turns into a
 * 422 Invalid status.
 *
 * `managedFields` entries are checked in `managed-fields.ts`. Depends only on the other machinery
 * validation files.
 */
import * as field from "./field-errors.ts";
import { type FieldPath, newPath } from "./field-path.ts";
import { byteLength, goQuote, goTimeString } from "./go-format.ts";
import { type ManagedFieldsEntry, validateManagedFields } from "./managed-fields.ts";
import {
  isQualifiedName,
  isValidLabelValue,
  type ValidateNameFunc,
  validateNamespaceName,
} from "./validation.ts";

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export type { ManagedFieldsEntry } from "./managed-fields.ts";

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
}

/** The most bytes all annotation keys and values may take together. */
export const totalAnnotationSizeLimitB = 256 * 1024;
export const fieldImmutableErrorMsg = "field is immutable";
export const isNegativeErrorMsg = "must be greater than or equal to 0";
export const finalizerOrphanDependents = "orphan";
export const finalizerDeleteDependents = "foregroundDeletion";

export interface ValidateObjectMetaOptions {
  /** Whether the kind lives in a namespace (namespace required) or not (namespace forbidden). */
  readonly namespaced: boolean;
  /** The kind's name rule, e.g. `nameIsDNSSubdomain`. */
  readonly nameValidator: ValidateNameFunc;
}

/** `ValidateObjectMeta`: metadata on create (after name generation). */
export function validateObjectMeta(
  meta: ObjectMeta,
  options: ValidateObjectMetaOptions,
  path: FieldPath = newPath("metadata"),
): field.FieldError[] {
  const errs: field.FieldError[] = [];
  const { nameValidator } = options;
  const generateName = meta.generateName ?? "";
  const name = meta.name ?? "";
  const namespace = meta.namespace ?? "";
  if (generateName !== "") {
    for (const msg of nameValidator(generateName, true)) {
      errs.push(field.invalid(path.child("generateName"), generateName, msg));
    }
  }
  if (name === "") {
    errs.push(field.required(path.child("name"), "name or generateName is required"));
  } else {
    for (const msg of nameValidator(name, false)) {
      errs.push(field.invalid(path.child("name"), name, msg));
    }
  }
  if (options.namespaced) {
    if (namespace === "") errs.push(field.required(path.child("namespace")));
    for (const msg of namespace === "" ? [] : validateNamespaceName(namespace, false)) {
      errs.push(field.invalid(path.child("namespace"), namespace, msg));
    }
  } else if (namespace !== "") {
    errs.push(field.forbidden(path.child("namespace"), "not allowed on this type"));
  }
  if ((meta.generation ?? 0) < 0) {
    errs.push(field.invalid(path.child("generation"), meta.generation, isNegativeErrorMsg));
  }
  errs.push(...validateLabels(meta.labels, path.child("labels")));
  errs.push(...validateAnnotations(meta.annotations, path.child("annotations")));
  errs.push(...validateOwnerReferences(meta.ownerReferences, path.child("ownerReferences")));
  errs.push(...validateFinalizers(meta.finalizers, path.child("finalizers")));
  errs.push(...validateManagedFields(meta.managedFields, path.child("managedFields")));
  return errs;
}

/** `ValidateObjectMetaUpdate`: what may not change, plus the create-time checks on the new meta. */
export function validateObjectMetaUpdate(
  next: ObjectMeta,
  old: ObjectMeta,
  path: FieldPath = newPath("metadata"),
): field.FieldError[] {
  const errs: field.FieldError[] = [];
  if (old.deletionTimestamp !== undefined) {
    errs.push(
      ...validateNoNewFinalizers(next.finalizers, old.finalizers, path.child("finalizers")),
    );
  }
  if ((next.resourceVersion ?? "") === "") {
    errs.push(field.invalid(path.child("resourceVersion"), "", "must be specified for an update"));
  }
  if ((next.generation ?? 0) < (old.generation ?? 0)) {
    errs.push(
      field.invalid(path.child("generation"), next.generation ?? 0, "must not be decremented"),
    );
  }
  errs.push(...validateImmutableMeta(next, old, path));
  errs.push(...validateLabels(next.labels, path.child("labels")));
  errs.push(...validateAnnotations(next.annotations, path.child("annotations")));
  errs.push(...validateOwnerReferences(next.ownerReferences, path.child("ownerReferences")));
  errs.push(...validateManagedFields(next.managedFields, path.child("managedFields")));
  return errs;
}

/** name, namespace, uid, creationTimestamp, deletionTimestamp, deletionGracePeriodSeconds. */
function validateImmutableMeta(next: ObjectMeta, old: ObjectMeta, path: FieldPath) {
  const errs: field.FieldError[] = [];
  // The value shown is made only for a change: every update of every object comes through here.
  const immutable = (name: string, a: unknown, b: unknown, shown: () => field.BadValue) => {
    if (a !== b) errs.push(field.invalid(path.child(name), shown(), fieldImmutableErrorMsg));
  };
  immutable("name", next.name ?? "", old.name ?? "", () => next.name ?? "");
  immutable("namespace", next.namespace ?? "", old.namespace ?? "", () => next.namespace ?? "");
  immutable("uid", next.uid ?? "", old.uid ?? "", () => next.uid ?? "");
  // Go prints a metav1.Time with time.Time's String(); a zero time for an absent one.
  const created = next.creationTimestamp;
  if (created !== old.creationTimestamp) {
    immutable(
      "creationTimestamp",
      instant(created),
      instant(old.creationTimestamp),
      () => new field.RawValue(goTimeString(created ?? "0001-01-01T00:00:00Z")),
    );
  }
  const deleted = next.deletionTimestamp;
  if (deleted !== old.deletionTimestamp) {
    immutable("deletionTimestamp", instant(deleted), instant(old.deletionTimestamp), () =>
      deleted === undefined ? null : new field.RawValue(goTimeString(deleted)),
    );
  }
  immutable(
    "deletionGracePeriodSeconds",
    next.deletionGracePeriodSeconds,
    old.deletionGracePeriodSeconds,
    () => next.deletionGracePeriodSeconds ?? null,
  );
  return errs;
}

/** Timestamps compare as instants (the same instant may be written differently). */
function instant(t: string | undefined): number | string | undefined {
  if (t === undefined) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? t : ms;
}

/** Label keys are qualified names and values valid label values; errors name the map, not the key. */
export function validateLabels(
  labels: Record<string, string> | undefined,
  path: FieldPath,
): field.FieldError[] {
  const errs: field.FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const msg of isQualifiedName(k)) errs.push(field.invalid(path, k, msg));
    for (const msg of isValidLabelValue(v)) errs.push(field.invalid(path, v, msg));
  }
  return errs;
}

/** Annotation keys are qualified names (case-insensitively); all of them fit in 256 KiB. */
export function validateAnnotations(
  annotations: Record<string, string> | undefined,
  path: FieldPath,
): field.FieldError[] {
  const errs: field.FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(field.invalid(path, k, msg));
    total += byteLength(k) + byteLength(v);
  }
  if (total > totalAnnotationSizeLimitB) errs.push(field.tooLong(path, totalAnnotationSizeLimitB));
  return errs;
}

/** apiVersion, kind, name and uid set; not an Event; at most one controller. */
export function validateOwnerReferences(
  refs: readonly OwnerReference[] | undefined,
  path: FieldPath,
): field.FieldError[] {
  const errs: field.FieldError[] = [];
  let firstController = "";
  for (const ref of refs ?? []) {
    const [group, version] = parseGroupVersion(ref.apiVersion ?? "");
    if (version === "") {
      errs.push(
        field.invalid(path.child("apiVersion"), ref.apiVersion ?? "", "version must not be empty"),
      );
    }
    for (const key of ["kind", "name", "uid"] as const) {
      if ((ref[key] ?? "") === "")
        errs.push(field.invalid(path.child(key), "", "must not be empty"));
    }
    if (group === "" && version === "v1" && ref.kind === "Event") {
      errs.push(field.invalid(path, ref, "/v1, Kind=Event is disallowed from being an owner"));
    }
    if (ref.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController === "") firstController = current;
      else {
        errs.push(
          field.invalid(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      }
    }
  }
  return errs;
}

/** `schema.ParseGroupVersion`: `apps/v1` → [apps, v1], `v1` → ["", v1]; ["", ""] when invalid. */
function parseGroupVersion(apiVersion: string): [string, string] {
  const parts = apiVersion.split("/");
  if (parts.length === 1) return ["", parts[0]!];
  return parts.length === 2 ? [parts[0]!, parts[1]!] : ["", ""];
}

/** Finalizers are qualified names; `orphan` and `foregroundDeletion` exclude each other. */
export function validateFinalizers(
  finalizers: readonly string[] | undefined,
  path: FieldPath,
): field.FieldError[] {
  const errs: field.FieldError[] = [];
  const list = finalizers ?? [];
  for (const f of list) {
    for (const msg of isQualifiedName(f)) errs.push(field.invalid(path, f, msg));
  }
  if (list.includes(finalizerOrphanDependents) && list.includes(finalizerDeleteDependents)) {
    errs.push(
      field.invalid(
        path,
        list,
        `finalizer ${finalizerOrphanDependents} and ${finalizerDeleteDependents} cannot be both set`,
      ),
    );
  }
  return errs;
}

/** While an object is being deleted, finalizers may be removed but not added. */
export function validateNoNewFinalizers(
  next: readonly string[] | undefined,
  old: readonly string[] | undefined,
  path: FieldPath,
): field.FieldError[] {
  const had = new Set(old ?? []);
  const extra = [...new Set(next ?? [])].filter((f) => !had.has(f)).sort();
  if (extra.length === 0) return [];
  const shown = `[]string{${extra.map(goQuote).join(", ")}}`;
  return [
    field.forbidden(
      path,
      `no new finalizers can be added if the object is being deleted, found new finalizers ${shown}`,
    ),
  ];
}
