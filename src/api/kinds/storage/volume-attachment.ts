/**
 * storage.k8s.io/v1 VolumeAttachment (upstream `ValidateVolumeAttachment`,
 * `ValidateVolumeAttachmentV1`, `ValidateVolumeAttachmentUpdate`, `printVolumeAttachment`).
 * Cluster-scoped, with a status subresource; the spec is fixed once created. Stored and served
 * only: Bosun runs no attach/detach controller and its kubelet has no CSI support, so nothing
 * creates these objects or waits for `status.attached`.
 */
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { byteLength } from "../../../machinery/go-format.ts";
import { fieldImmutableErrorMsg } from "../../../machinery/object-meta.ts";
import { inclusiveRangeError, nameIsDNSSubdomain } from "../../../machinery/validation.ts";
import type {
  VolumeAttachment,
  VolumeAttachmentSource,
  VolumeAttachmentStatus,
  VolumeError,
} from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import {
  ageColumn,
  ageOf,
  type FieldErrors,
  invalidEach,
  nameColumn,
  nameOf,
  type Obj,
  sameValue,
} from "../core/common.ts";
import { validatePersistentVolumeSpec } from "../core/persistent-volume-spec.ts";
import { validateCSIDriverName } from "./csi-driver-name.ts";

type VolumeAttachmentObj = Obj<VolumeAttachment>;

const maxAttachedVolumeMetadataSize = 256 * 1024;
const maxVolumeErrorMessageSize = 1024;
const exactlyOneSource = "must specify exactly one of inlineVolumeSpec and persistentVolumeName";

/**
 * `ValidatePersistentVolumeSpec` with `validateInlinePersistentVolumeSpec`: no capacity or claim
 * reference, and a CSI source. Reuses the PersistentVolume checks and moves their paths.
 */
function validateInlineVolumeSpec(
  spec: NonNullable<VolumeAttachmentSource["inlineVolumeSpec"]>,
  path: FieldPath,
): FieldErrors {
  const prefix = path.toString();
  const errs = validatePersistentVolumeSpec(spec)
    .filter((e) => !e.field.startsWith("spec.capacity"))
    .map((e) => ({ ...e, field: e.field.replace(/^spec/, prefix) }));
  if (spec.claimRef !== undefined) {
    const msg = "may not be specified in the context of inline volumes";
    errs.push(field.forbidden(path.child("claimRef"), msg));
  }
  if (Object.keys(spec.capacity ?? {}).length > 0) {
    const msg = "may not be specified in the context of inline volumes";
    errs.push(field.forbidden(path.child("capacity"), msg));
  }
  if (spec.csi === undefined) {
    const msg = "has to be specified in the context of inline volumes";
    errs.push(field.required(path.child("csi"), msg));
  }
  return errs;
}

/** `validateVolumeAttachmentSource`: exactly one of the two sources. */
function validateSource(source: VolumeAttachmentSource, path: FieldPath): FieldErrors {
  const pv = source.persistentVolumeName;
  const inline = source.inlineVolumeSpec;
  if (pv === undefined && inline === undefined) return [field.required(path, exactlyOneSource)];
  if (pv !== undefined && inline !== undefined) return [field.forbidden(path, exactlyOneSource)];
  if (inline !== undefined) return validateInlineVolumeSpec(inline, path.child("inlineVolumeSpec"));
  const pvPath = path.child("persistentVolumeName");
  if (pv === "") return [field.required(pvPath, "must specify non empty persistentVolumeName")];
  // `ValidateVolumeAttachmentV1`: the name must be a valid PersistentVolume name.
  return invalidEach(pvPath, pv ?? "", nameIsDNSSubdomain(pv ?? "", false));
}

function validateVolumeError(e: VolumeError | undefined, path: FieldPath): FieldErrors {
  if (!e) return [];
  const errs: FieldErrors = [];
  // Upstream reports the metadata limit here, not the 1024-byte message limit it checks.
  if (byteLength(e.message ?? "") > maxVolumeErrorMessageSize) {
    errs.push(field.tooLong(path.child("message"), maxAttachedVolumeMetadataSize));
  }
  if (e.errorCode !== undefined && e.errorCode < 0) {
    const msg = inclusiveRangeError(0, 2 ** 31 - 1);
    errs.push(field.invalid(path.child("errorCode"), e.errorCode, msg));
  }
  return errs;
}

/** `validateVolumeAttachmentStatus`. */
function validateStatus(status: VolumeAttachmentStatus | undefined): FieldErrors {
  const path = newPath("status");
  const errs: FieldErrors = [];
  let size = 0;
  for (const [k, v] of Object.entries(status?.attachmentMetadata ?? {})) {
    size += byteLength(k) + byteLength(v);
  }
  if (size > maxAttachedVolumeMetadataSize) {
    errs.push(field.tooLong(path.child("attachmentMetadata"), maxAttachedVolumeMetadataSize));
  }
  errs.push(...validateVolumeError(status?.attachError, path.child("attachError")));
  errs.push(...validateVolumeError(status?.detachError, path.child("detachError")));
  return errs;
}

/** `ValidateVolumeAttachment` and `ValidateVolumeAttachmentV1`. */
export function validateVolumeAttachment(va: VolumeAttachmentObj): FieldErrors {
  const path = newPath("spec");
  const spec = va.spec ?? {};
  const attacher = spec.attacher ?? "";
  const nodeName = spec.nodeName ?? "";
  return [
    ...(attacher === "" ? [field.required(path.child("attacher"), "")] : []),
    ...validateSource(spec.source ?? {}, path.child("source")),
    ...invalidEach(path.child("nodeName"), nodeName, nameIsDNSSubdomain(nodeName, false)),
    ...validateStatus(va.status),
    ...validateCSIDriverName(attacher, path.child("attacher")),
  ];
}

/** `ValidateVolumeAttachmentUpdate`: the spec is read-only. */
export function validateVolumeAttachmentUpdate(
  va: VolumeAttachmentObj,
  old: VolumeAttachmentObj,
): FieldErrors {
  const errs = validateVolumeAttachment(va);
  if (!sameValue(va.spec, old.spec)) {
    errs.push(field.invalid(newPath("spec"), va.spec ?? null, fieldImmutableErrorMsg));
  }
  return errs;
}

export const volumeAttachmentStrategy: Strategy<VolumeAttachmentObj> = {
  validate: validateVolumeAttachment,
  validateUpdate: validateVolumeAttachmentUpdate,
  validateStatusUpdate: validateVolumeAttachmentUpdate,
  printer: {
    columns: [
      nameColumn(),
      column("Attacher", {
        format: "name",
        description:
          "attacher indicates the name of the volume driver that MUST handle this request.",
      }),
      column("PV", {
        format: "name",
        description: "persistentVolumeName represents the name of the persistent volume to attach.",
      }),
      column("Node", {
        format: "name",
        description: "nodeName represents the node that the volume should be attached to.",
      }),
      column("Attached", {
        type: "boolean",
        description: "attached indicates the volume is successfully attached.",
      }),
      ageColumn(),
    ],
    row: (va, now) => [
      nameOf(va),
      va.spec?.attacher ?? "",
      va.spec?.source?.persistentVolumeName ?? "",
      va.spec?.nodeName ?? "",
      va.status?.attached ?? false,
      ageOf(va, now),
    ],
  },
};

export const volumeAttachmentResource: ResourceDefinition<VolumeAttachmentObj> = {
  group: "storage.k8s.io",
  version: "v1",
  kind: "VolumeAttachment",
  plural: "volumeattachments",
  singular: "volumeattachment",
  namespaced: false,
  subresources: ["status"],
  strategy: volumeAttachmentStrategy,
};
