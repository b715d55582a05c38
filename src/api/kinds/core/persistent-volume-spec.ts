/**
 * PersistentVolume spec validation (upstream `ValidatePersistentVolumeSpec` for non-inline
 * volumes, `ValidatePersistentVolumeUpdate`). Of the volume sources only hostPath, local, nfs and
 * csi are checked in depth; the others are counted (exactly one source is allowed) and stored as
 * given.
 */
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { byteLength } from "../../../machinery/go-format.ts";
import { isDNS1123Subdomain } from "../../../machinery/validation.ts";
import type { PersistentVolume, PersistentVolumeSpec } from "../../generated/types.ts";
import {
  type FieldErrors,
  type Obj,
  objectDiff,
  sameValue,
  validateImmutableField,
} from "./common.ts";
import {
  quantityAt,
  validateAccessModes,
  validateClassName,
  validatePathNoBacksteps,
  validatePositiveQuantity,
  volumeModes,
} from "./volume-common.ts";

type PVObj = Obj<PersistentVolume>;

/** The volume sources, in the order upstream checks them. */
export const volumeSources = [
  "hostPath",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "glusterfs",
  "flocker",
  "nfs",
  "rbd",
  "quobyte",
  "cephfs",
  "iscsi",
  "cinder",
  "fc",
  "flexVolume",
  "azureFile",
  "vsphereVolume",
  "photonPersistentDisk",
  "portworxVolume",
  "azureDisk",
  "scaleIO",
  "local",
  "storageos",
  "csi",
] as const;

const hostPathTypes = [
  "",
  "BlockDevice",
  "CharDevice",
  "Directory",
  "DirectoryOrCreate",
  "File",
  "FileOrCreate",
  "Socket",
];
const reclaimPolicies = ["Delete", "Recycle", "Retain"];

function validateSource(spec: PersistentVolumeSpec, key: string, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  const requirePath = (value: string | undefined, p: FieldPath) => {
    if ((value ?? "") === "") errs.push(field.required(p));
    return value ?? "";
  };
  if (key === "hostPath") {
    const p = requirePath(spec.hostPath?.path, path.child("path"));
    if (p !== "") errs.push(...validatePathNoBacksteps(p, path.child("path")));
    const type = spec.hostPath?.type;
    if (p !== "" && type !== undefined && !hostPathTypes.includes(type)) {
      errs.push(field.notSupported(path.child("type"), type, hostPathTypes));
    }
  } else if (key === "local") {
    const p = requirePath(spec.local?.path, path.child("path"));
    if (p !== "") errs.push(...validatePathNoBacksteps(p, path.child("path")));
  } else if (key === "nfs") {
    requirePath(spec.nfs?.server, path.child("server"));
    const p = requirePath(spec.nfs?.path, path.child("path"));
    if (!p.startsWith("/"))
      errs.push(field.invalid(path.child("path"), p, "must be an absolute path"));
  } else if (key === "csi") {
    const driver = requirePath(spec.csi?.driver, path.child("driver"));
    if (byteLength(driver) > 63) errs.push(field.tooLong(path.child("driver"), 63));
    for (const msg of driver === "" ? [] : isDNS1123Subdomain(driver.toLowerCase())) {
      errs.push(field.invalid(path.child("driver"), driver, msg));
    }
    requirePath(spec.csi?.volumeHandle, path.child("volumeHandle"));
  }
  return errs;
}

/** Exactly one volume source; local volumes need node affinity. */
function validateSources(spec: PersistentVolumeSpec, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  let count = 0;
  for (const key of volumeSources) {
    if (spec[key] === undefined || spec[key] === null) continue;
    if (count > 0 && key !== "flexVolume") {
      const reported = key === "cephfs" ? "cephFS" : key;
      errs.push(field.forbidden(path.child(reported), "may not specify more than 1 volume type"));
      continue;
    }
    count++;
    errs.push(...validateSource(spec, key, path.child(key)));
    if (key === "local" && spec.nodeAffinity === undefined) {
      errs.push(field.required(path.child("nodeAffinity"), "Local volume requires node affinity"));
    }
  }
  if (count === 0) errs.push(field.required(path, "must specify a volume type"));
  return errs;
}

function validateCapacity(spec: PersistentVolumeSpec, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  const capacity = spec.capacity ?? {};
  const keys = Object.keys(capacity);
  if (keys.length === 0) errs.push(field.required(path));
  if (!keys.includes("storage") || keys.length > 1) {
    errs.push(field.notSupported(path, capacity, ["storage"]));
  }
  for (const key of keys) {
    const q = quantityAt(capacity[key], path.key(key), errs);
    if (q !== undefined) errs.push(...validatePositiveQuantity(q, path.key(key)));
  }
  return errs;
}

/** `ValidatePersistentVolumeSpec` for a PersistentVolume object. */
export function validatePersistentVolumeSpec(spec: PersistentVolumeSpec = {}): FieldErrors {
  const path = newPath("spec");
  const errs: FieldErrors = [];
  const modes = spec.accessModes ?? [];
  if (modes.length === 0) errs.push(field.required(path.child("accessModes")));
  errs.push(...validateAccessModes(modes, path.child("accessModes")));
  errs.push(...validateCapacity(spec, path.child("capacity")));
  const policy = spec.persistentVolumeReclaimPolicy ?? "";
  if (policy !== "" && !reclaimPolicies.includes(policy)) {
    errs.push(
      field.notSupported(path.child("persistentVolumeReclaimPolicy"), policy, reclaimPolicies),
    );
  }
  if (spec.nodeAffinity !== undefined) {
    const required = spec.nodeAffinity.required;
    const p = path.child("nodeAffinity", "required");
    if (required === undefined)
      errs.push(field.required(p, "must specify required node constraints"));
    else if ((required.nodeSelectorTerms ?? []).length === 0) {
      const msg = "must have at least one node selector term";
      errs.push(field.required(p.child("nodeSelectorTerms"), msg));
    }
  }
  errs.push(...validateSources(spec, path));
  const hostRoot = spec.hostPath?.path?.replace(/\/+$/, "") === "";
  if (hostRoot && policy === "Recycle") {
    const msg = "may not be 'recycle' for a hostPath mount of '/'";
    errs.push(field.forbidden(path.child("persistentVolumeReclaimPolicy"), msg));
  }
  if ((spec.storageClassName ?? "") !== "") {
    errs.push(...validateClassName(spec.storageClassName ?? "", path.child("storageClassName")));
  }
  if (spec.volumeMode !== undefined && !volumeModes.includes(spec.volumeMode)) {
    errs.push(field.notSupported(path.child("volumeMode"), spec.volumeMode, volumeModes));
  }
  const vac = spec.volumeAttributesClassName;
  if (vac !== undefined) {
    const p = path.child("volumeAttributesClassName");
    if (vac === "") errs.push(field.required(p, "an empty string is disallowed"));
    else errs.push(...validateClassName(vac, p));
    if (spec.csi === undefined) {
      errs.push(
        field.required(
          path.child("csi"),
          "has to be specified when using volumeAttributesClassName",
        ),
      );
    }
  }
  return errs;
}

const sourceOf = (spec: PersistentVolumeSpec | undefined) =>
  Object.fromEntries(
    volumeSources.filter((k) => spec?.[k] !== undefined).map((k) => [k, spec?.[k]]),
  );

/** `ValidatePersistentVolumeUpdate` beyond the spec checks of the new object. */
export function validatePersistentVolumeUpdateRules(pv: PVObj, old: PVObj): FieldErrors {
  const errs: FieldErrors = [];
  const next = sourceOf(pv.spec);
  const before = sourceOf(old.spec);
  // A CSI controllerExpandSecretRef may be added to a volume that had none.
  const nextCSI = next.csi as Record<string, unknown> | undefined;
  const beforeCSI = before.csi as Record<string, unknown> | undefined;
  if (nextCSI && beforeCSI && beforeCSI.controllerExpandSecretRef === undefined) {
    const { controllerExpandSecretRef: _, ...rest } = nextCSI;
    next.csi = rest;
  }
  if (!sameValue(next, before)) {
    const msg = `spec.persistentvolumesource is immutable after creation\n${objectDiff(before, next)}`;
    errs.push(field.forbidden(newPath("spec", "persistentvolumesource"), msg));
  }
  errs.push(
    ...validateImmutableField(pv.spec?.volumeMode, old.spec?.volumeMode, newPath("volumeMode")),
  );
  if (
    old.spec?.nodeAffinity !== undefined &&
    !sameValue(pv.spec?.nodeAffinity, old.spec.nodeAffinity)
  ) {
    const msg = "field is immutable, except for updating from beta label to GA";
    errs.push(field.invalid(newPath("nodeAffinity"), pv.spec?.nodeAffinity ?? null, msg));
  }
  const oldVAC = old.spec?.volumeAttributesClassName;
  if (oldVAC !== undefined && pv.spec?.volumeAttributesClassName === undefined) {
    const msg = "update from non-nil value to nil is forbidden";
    errs.push(field.forbidden(newPath("spec", "volumeAttributesClassName"), msg));
  }
  return errs;
}
