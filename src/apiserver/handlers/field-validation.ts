/**
 * The `fieldValidation` query parameter: Strict refuses unknown fields with 400, Warn (the
 * default) drops them with a warning, Ignore drops them silently. Type mismatches are always 400.
 */
import type { KubeObject } from "../../api/object.ts";
import type { ResourceDefinition } from "../../api/resource.ts";
import { findFieldProblems } from "../../api/schema/field-validation.ts";
import { newBadRequest } from "../../machinery/status.ts";

export type FieldValidation = "Strict" | "Warn" | "Ignore";

export function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const v = query.get("fieldValidation") ?? "";
  if (v === "" || v === "Warn") return "Warn";
  if (v === "Strict" || v === "Ignore") return v;
  throw newBadRequest(
    `fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Strict", "Warn"`,
  );
}

/** Removes the field at a path such as `spec.template.spec.containers[0].foo`. */
function dropField(obj: unknown, path: string): void {
  const parts = path.match(/[^.[\]]+|\[\d+\]/g) ?? [];
  let node: unknown = obj;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    if (part.startsWith("[")) {
      if (!Array.isArray(node)) return;
      node = node[Number(part.slice(1, -1))];
      continue;
    }
    if (node === null || typeof node !== "object") return;
    if (last) {
      delete (node as Record<string, unknown>)[part];
      return;
    }
    node = (node as Record<string, unknown>)[part];
  }
}

/**
 * Checks `obj` against the kind's schema; returns warnings, throws 400 for refusals. `changes`,
 * when given, is the part of `obj` that can hold problems (a merge patch applied to a stored
 * object, which passed these checks when it was written): only it is walked, and unknown fields
 * it names are dropped from `obj`.
 */
export function checkFields(
  obj: KubeObject,
  def: ResourceDefinition,
  mode: FieldValidation,
  changes: unknown = obj,
): string[] {
  const gvk = { group: def.group, version: def.version, kind: def.kind };
  const handledAs = `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}`;
  const problems = findFieldProblems(changes, gvk);
  const typeError = problems.typeErrors[0];
  if (typeError) throw newBadRequest(`${handledAs}: ${typeError.message}`);
  const unknown = def.strategy.unknownFields ? def.strategy.unknownFields(obj) : problems.unknown;
  if (unknown.length === 0) return [];
  if (mode === "Strict") {
    const list = unknown.map((p) => `unknown field "${p}"`).join(", ");
    throw newBadRequest(`${handledAs}: strict decoding error: ${list}`);
  }
  for (const path of unknown) dropField(obj, path);
  return mode === "Warn" ? unknown.map((p) => `unknown field "${p}"`) : [];
}
