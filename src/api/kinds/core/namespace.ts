/**
 * core/v1 Namespace (upstream `pkg/registry/core/namespace/strategy.go`, `ValidateNamespace*`).
 * Created Active with the `kubernetes` finalizer; labelled `kubernetes.io/metadata.name=<name>`.
 */
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { isQualifiedName } from "../../../machinery/validation.ts";
import type { Namespace } from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import { ageColumn, ageOf, type FieldErrors, nameColumn, nameOf, type Obj } from "./common.ts";

type NamespaceObj = Obj<Namespace>;

export const labelMetadataName = "kubernetes.io/metadata.name";
export const finalizerKubernetes = "kubernetes";
const standardFinalizers = new Set([finalizerKubernetes, "orphan", "foregroundDeletion"]);

/** Sets the `kubernetes.io/metadata.name` label once the name is known. */
function setNameLabel(ns: NamespaceObj): void {
  const name = ns.metadata?.name ?? "";
  if (name === "") return;
  // Mutates metadata in place: the registry keeps a reference to it across the strategy calls.
  const meta = ns.metadata;
  if (meta !== undefined) meta.labels = { ...meta.labels, [labelMetadataName]: name };
}

/** `validateFinalizerName`: a qualified name, and a standard one when it has no domain. */
function validateFinalizerName(value: string, path: FieldPath): FieldErrors {
  const errs = isQualifiedName(value).map((msg) => field.invalid(path, value, msg));
  if (!value.includes("/") && !standardFinalizers.has(value)) {
    errs.push(
      field.invalid(
        path,
        value,
        "name is neither a standard finalizer name nor is it fully qualified",
      ),
    );
  }
  return errs;
}

/** `ValidateNamespace` beyond object meta (upstream reports every finalizer at the list path). */
export function validateNamespace(ns: NamespaceObj): FieldErrors {
  const path = newPath("spec", "finalizers");
  return (ns.spec?.finalizers ?? []).flatMap((f) => validateFinalizerName(f, path));
}

/** `ValidateNamespaceStatusUpdate`: the phase must agree with the deletion timestamp. */
export function validateNamespaceStatusUpdate(ns: NamespaceObj): FieldErrors {
  const phase = ns.status?.phase ?? "";
  const path = newPath("status", "Phase");
  if (ns.metadata?.deletionTimestamp === undefined) {
    return phase === "Active"
      ? []
      : [field.invalid(path, phase, "may only be 'Active' if `deletionTimestamp` is empty")];
  }
  return phase === "Terminating"
    ? []
    : [field.invalid(path, phase, "may only be 'Terminating' if `deletionTimestamp` is not empty")];
}

/** `ValidateNamespaceFinalizeUpdate`, for the `finalize` subresource. */
export function validateNamespaceFinalizeUpdate(ns: NamespaceObj): FieldErrors {
  const path = newPath("spec", "finalizers");
  return (ns.spec?.finalizers ?? []).flatMap((f, i) => validateFinalizerName(f, path.index(i)));
}

/** The `finalize` subresource writes only spec.finalizers; everything else comes from `old`. */
export function prepareNamespaceFinalize(ns: NamespaceObj, old: NamespaceObj): NamespaceObj {
  const spec = { ...(old.spec ?? {}) };
  if (ns.spec?.finalizers === undefined) delete spec.finalizers;
  else spec.finalizers = ns.spec.finalizers;
  return { ...structuredClone(old), spec };
}

export const namespaceStrategy: Strategy<NamespaceObj> = {
  nameValidation: "dns1123Label",
  defaults(ns) {
    setNameLabel(ns);
    // Go's status is a value, so SetDefaults_NamespaceStatus always runs.
    if ((ns.status?.phase ?? "") === "") ns.status = { ...(ns.status ?? {}), phase: "Active" };
  },
  prepareForCreate(ns) {
    ns.status = { phase: "Active" };
    const finalizers = ns.spec?.finalizers ?? [];
    if (!finalizers.includes(finalizerKubernetes)) {
      ns.spec = { ...(ns.spec ?? {}), finalizers: [...finalizers, finalizerKubernetes] };
    }
  },
  prepareForUpdate(ns, old) {
    const spec = { ...(ns.spec ?? {}) };
    if (old.spec?.finalizers === undefined) delete spec.finalizers;
    else spec.finalizers = old.spec.finalizers;
    ns.spec = spec;
  },
  // Upstream sets the label in Canonicalize, after generateName has produced the name; the
  // strategy has no such hook, and validate is the first call that sees the generated name.
  validate(ns) {
    setNameLabel(ns);
    return validateNamespace(ns);
  },
  validateUpdate(ns) {
    setNameLabel(ns);
    return [];
  },
  validateStatusUpdate: validateNamespaceStatusUpdate,
  // spec.finalizers keep a deleted namespace until the namespace controller empties it.
  blockingFinalizers: (ns) => ns.spec?.finalizers ?? [],
  prepareForDelete(ns) {
    ns.status = { ...ns.status, phase: "Terminating" };
  },
  selectableFields: (ns) => ({ "status.phase": ns.status?.phase ?? "" }),
  printer: {
    columns: [
      nameColumn(),
      column("Status", { description: "The status of the namespace" }),
      ageColumn(),
    ],
    row: (ns, now) => [nameOf(ns), ns.status?.phase ?? "", ageOf(ns, now)],
  },
};

export const namespaceResource: ResourceDefinition<NamespaceObj> = {
  group: "",
  version: "v1",
  kind: "Namespace",
  plural: "namespaces",
  singular: "namespace",
  shortNames: ["ns"],
  namespaced: false,
  subresources: ["status", "finalize"],
  strategy: namespaceStrategy,
};
