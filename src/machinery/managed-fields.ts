/**
 * `metadata.managedFields` entries (server-side apply bookkeeping) and their validation, mirroring
 * `ValidateManagedFields` in apimachinery's `apis/meta/v1/validation`.
 */
import * as field from "./field-errors.ts";
import type { FieldPath } from "./field-path.ts";
import { byteLength, isGoPrintable } from "./go-format.ts";

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  subresource?: string;
}

const fieldManagerMaxLength = 128;
const maxSubresourceNameLength = 256;

/** Operation Apply or Update, fieldsType FieldsV1, a printable manager name of sane length. */
export function validateManagedFields(
  entries: readonly ManagedFieldsEntry[] | undefined,
  path: FieldPath,
): field.FieldError[] {
  const errs: field.FieldError[] = [];
  (entries ?? []).forEach((entry, i) => {
    const p = path.index(i);
    const op = entry.operation ?? "";
    if (op !== "Apply" && op !== "Update") {
      errs.push(field.invalid(p.child("operation"), op, "must be `Apply` or `Update`"));
    }
    const fieldsType = entry.fieldsType ?? "";
    if (fieldsType !== "" && fieldsType !== "FieldsV1") {
      errs.push(field.invalid(p.child("fieldsType"), fieldsType, "must be `FieldsV1`"));
    }
    const manager = entry.manager ?? "";
    if (byteLength(manager) > fieldManagerMaxLength) {
      errs.push(field.tooLong(p.child("manager"), fieldManagerMaxLength));
    }
    let pos = 0;
    for (const ch of manager) {
      if (!isGoPrintable(ch)) {
        const u = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
        errs.push(
          field.invalid(p.child("manager"), manager, `invalid character ${u} (at position ${pos})`),
        );
      }
      pos += byteLength(ch);
    }
    if (byteLength(entry.subresource ?? "") > maxSubresourceNameLength) {
      errs.push(field.tooLong(p.child("subresource"), maxSubresourceNameLength));
    }
  });
  return errs;
}
