/**
 * `ValidateCSIDriverName` (core `apivalidation`): the name every storage kind uses for a CSI
 * driver (CSIDriver objects, CSINode drivers, VolumeAttachment attachers).
 */
import * as field from "../../../machinery/field-errors.ts";
import type { FieldPath } from "../../../machinery/field-path.ts";
import { byteLength } from "../../../machinery/go-format.ts";
import { isDNS1123Subdomain } from "../../../machinery/validation.ts";
import type { FieldErrors } from "../core/common.ts";

const maxDriverNameLength = 63;

/** Required, at most 63 characters, and a DNS subdomain once lowercased. */
export function validateCSIDriverName(name: string, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  if (name === "") errs.push(field.required(path, ""));
  if (byteLength(name) > maxDriverNameLength) errs.push(field.tooLong(path, maxDriverNameLength));
  for (const msg of isDNS1123Subdomain(name.toLowerCase())) {
    errs.push(field.invalid(path, name, msg));
  }
  return errs;
}
