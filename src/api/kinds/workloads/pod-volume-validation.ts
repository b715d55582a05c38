/**
 * Volume validation (upstream `ValidateVolumes` / `validateVolumeSource`): unique DNS-1123 names,
 * exactly one source, and the required fields of the common sources. Returns the names of the
 * volumes that passed, which volume mounts may refer to.
 */

import * as field from "../../../machinery/field-errors.ts";
import type { FieldPath } from "../../../machinery/field-path.ts";
import { isDNS1123Label } from "../../../machinery/validation.ts";
import type { Volume } from "../../generated/types.ts";
import type { FieldErrors } from "./common.ts";
import { volumeSourceFields } from "./pod-defaults.ts";

const fileModeErrorMsg = "must be a number between 0 and 0777 (octal), both inclusive";

export function validateVolumes(
  volumes: readonly Volume[] | undefined,
  path: FieldPath,
): { errors: FieldErrors; names: Set<string> } {
  const errors: FieldErrors = [];
  const names = new Set<string>();
  (volumes ?? []).forEach((vol, i) => {
    const idxPath = path.index(i);
    const namePath = idxPath.child("name");
    const el = validateVolumeSource(vol, idxPath);
    if (!vol.name) el.push(field.required(namePath, ""));
    else
      for (const msg of isDNS1123Label(vol.name)) el.push(field.invalid(namePath, vol.name, msg));
    if (names.has(vol.name)) el.push(field.duplicate(namePath, vol.name));
    if (el.length === 0) names.add(vol.name);
    else errors.push(...el);
  });
  return { errors, names };
}

function validateVolumeSource(vol: Volume, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  let count = 0;
  for (const name of volumeSourceFields) {
    if (vol[name] === undefined || vol[name] === null) continue;
    if (count > 0) {
      errs.push(field.forbidden(path.child(name), "may not specify more than 1 volume type"));
    } else {
      errs.push(...validateSource(vol, name, path.child(name)));
    }
    count++;
  }
  if (count === 0) errs.push(field.required(path, "must specify a volume type"));
  return errs;
}

type SourceName = (typeof volumeSourceFields)[number];

function validateSource(vol: Volume, name: SourceName, path: FieldPath): FieldErrors {
  switch (name) {
    case "hostPath":
      return vol.hostPath?.path ? [] : [field.required(path.child("path"), "")];
    case "secret":
      return [
        ...(vol.secret?.secretName ? [] : [field.required(path.child("secretName"), "")]),
        ...validateFileMode(vol.secret?.defaultMode, path.child("defaultMode")),
      ];
    case "configMap":
      return [
        ...(vol.configMap?.name ? [] : [field.required(path.child("name"), "")]),
        ...validateFileMode(vol.configMap?.defaultMode, path.child("defaultMode")),
      ];
    case "persistentVolumeClaim":
      return vol.persistentVolumeClaim?.claimName
        ? []
        : [field.required(path.child("claimName"), "")];
    case "downwardAPI":
      return validateFileMode(vol.downwardAPI?.defaultMode, path.child("defaultMode"));
    case "projected":
      return validateFileMode(vol.projected?.defaultMode, path.child("defaultMode"));
    case "nfs":
      return [
        ...(vol.nfs?.server ? [] : [field.required(path.child("server"), "")]),
        ...(vol.nfs?.path ? [] : [field.required(path.child("path"), "")]),
      ];
    default:
      return [];
  }
}

function validateFileMode(mode: number | undefined, path: FieldPath): FieldErrors {
  if (mode === undefined || mode === null) return [];
  return mode < 0 || mode > 0o777 ? [field.invalid(path, mode, fileModeErrorMsg)] : [];
}
