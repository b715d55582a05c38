/**
 * Validation of what a CRD says per version (upstream `validateCustomResourceDefinitionVersion`
 * and the functions it calls): the `openAPIV3Schema`, the status and scale subresources, the
 * printer columns and the selectable fields.
 */
import * as field from "../../machinery/field-errors.ts";
import type { FieldPath } from "../../machinery/field-path.ts";
import type {
  CustomResourceColumnDefinition,
  CustomResourceSubresources,
  SelectableField,
} from "../generated/types.ts";
import { propertyOf, type Schema } from "./json-schema.ts";
import { defaultErrors, schemaKeywordErrors } from "./schema-rules.ts";
import { validateStructural } from "./structural.ts";

type Errors = field.FieldError[];

const columnTypes = ["boolean", "date", "integer", "number", "string"];
const columnFormats = [
  "byte",
  "date",
  "date-time",
  "double",
  "float",
  "int32",
  "int64",
  "password",
];
export const maxSelectableFields = 8;

/** JSONSchemaProps keys in Go field order, with the Go names allowed at a status-enabled root. */
const rootKeys: readonly [string, string | null][] = [
  ["id", null],
  ["$schema", null],
  ["$ref", null],
  ["description", "Description"],
  ["type", "Type"],
  ["format", "Format"],
  ["title", "Title"],
  ["default", null],
  ["maximum", "Maximum"],
  ["exclusiveMaximum", "ExclusiveMaximum"],
  ["minimum", "Minimum"],
  ["exclusiveMinimum", "ExclusiveMinimum"],
  ["maxLength", "MaxLength"],
  ["minLength", "MinLength"],
  ["pattern", "Pattern"],
  ["maxItems", "MaxItems"],
  ["minItems", "MinItems"],
  ["uniqueItems", "UniqueItems"],
  ["multipleOf", "MultipleOf"],
  ["enum", null],
  ["maxProperties", null],
  ["minProperties", null],
  ["required", "Required"],
  ["items", "Items"],
  ["allOf", null],
  ["oneOf", null],
  ["anyOf", null],
  ["not", null],
  ["properties", "Properties"],
  ["additionalProperties", null],
  ["patternProperties", null],
  ["dependencies", null],
  ["additionalItems", null],
  ["definitions", null],
  ["externalDocs", "ExternalDocs"],
  ["example", "Example"],
  ["nullable", null],
  ["x-kubernetes-preserve-unknown-fields", "XPreserveUnknownFields"],
  ["x-kubernetes-embedded-resource", null],
  ["x-kubernetes-int-or-string", null],
  ["x-kubernetes-list-map-keys", null],
  ["x-kubernetes-list-type", null],
  ["x-kubernetes-map-type", null],
  ["x-kubernetes-validations", "XValidations"],
];
const allowedAtRoot = rootKeys.flatMap(([, go]) => (go === null ? [] : [go]));

function isZero(value: unknown): boolean {
  if (value === undefined || value === false || value === "" || value === 0) return true;
  return Array.isArray(value) ? value.length === 0 : false;
}

/** With the status subresource, the root may only say what survives extracting `status`. */
function statusRootErrors(s: Schema, path: FieldPath): Errors {
  for (const [key, goName] of rootKeys) {
    const value = (s as Record<string, unknown>)[key];
    if (isZero(value)) continue;
    if (key === "type") {
      if (value === "object") continue;
      const detail = `only "object" is allowed as the type at the root of the schema if the status subresource is enabled`;
      return [field.invalid(path.child("openAPIV3Schema.type"), String(value), detail)];
    }
    if (goName === null) {
      const detail = `only [${allowedAtRoot.join(" ")}] fields are allowed at the root of the schema if the status subresource is enabled`;
      return [field.invalid(path.child("openAPIV3Schema"), field.omitValue, detail)];
    }
  }
  return [];
}

/** `validateCustomResourceDefinitionValidation`: `path` is `spec.versions[i].schema` or `spec.validation`. */
export function validateVersionSchema(
  schema: Schema,
  statusEnabled: boolean,
  path: FieldPath,
): Errors {
  const errs: Errors = statusEnabled ? statusRootErrors(schema, path) : [];
  if (schema.nullable === true) {
    errs.push(
      field.forbidden(
        path.child("openAPIV3Schema.nullable"),
        "nullable cannot be true at the root",
      ),
    );
  }
  const schemaPath = path.child("openAPIV3Schema");
  const structural = validateStructural(schema, schemaPath);
  errs.push(...(structural.length > 0 ? structural : defaultErrors(schema, schemaPath)));
  return [...errs, ...schemaKeywordErrors(schema, schemaPath)];
}

/** `validateSimpleJSONPath`. */
export function validateSimpleJSONPath(s: string, path: FieldPath): Errors {
  if (s.length === 0) return [field.invalid(path, s, "must not be empty")];
  if (!s.startsWith("."))
    return [field.invalid(path, s, "must be a simple json path starting with .")];
  return [];
}

function scalePath(
  value: string | undefined,
  path: FieldPath,
  prefixes: string[],
  detail: string,
): Errors {
  if (value === undefined || value === "") return [field.required(path, "")];
  const errs = validateSimpleJSONPath(value, path);
  if (errs.length > 0) return errs;
  return prefixes.some((p) => value.startsWith(p)) ? [] : [field.invalid(path, value, detail)];
}

/** `ValidateCustomResourceDefinitionSubresources`. */
export function validateSubresources(
  sub: CustomResourceSubresources | undefined,
  path: FieldPath,
): Errors {
  const scale = sub?.scale;
  if (scale === undefined) return [];
  const errs = [
    ...scalePath(
      scale.specReplicasPath,
      path.child("scale.specReplicasPath"),
      [".spec."],
      "should be a json path under .spec",
    ),
    ...scalePath(
      scale.statusReplicasPath,
      path.child("scale.statusReplicasPath"),
      [".status."],
      "should be a json path under .status",
    ),
  ];
  if (scale.labelSelectorPath) {
    const detail = "should be a json path under either .spec or .status";
    const p = path.child("scale.labelSelectorPath");
    errs.push(...scalePath(scale.labelSelectorPath, p, [".spec.", ".status."], detail));
  }
  return errs;
}

/** `ValidateCustomResourceColumnDefinition`. */
export function validateColumn(col: CustomResourceColumnDefinition, path: FieldPath): Errors {
  const errs: Errors = [];
  if (!col.name) errs.push(field.required(path.child("name"), ""));
  const types = `must be one of ${columnTypes.join(",")}`;
  if (!col.type) errs.push(field.required(path.child("type"), types));
  else if (!columnTypes.includes(col.type))
    errs.push(field.invalid(path.child("type"), col.type, types));
  if (col.format && !columnFormats.includes(col.format)) {
    const detail = `must be one of ${columnFormats.join(",")}`;
    errs.push(field.invalid(path.child("format"), col.format, detail));
  }
  if (!col.jsonPath) errs.push(field.required(path.child("JSONPath"), ""));
  else errs.push(...validateSimpleJSONPath(col.jsonPath, path.child("JSONPath")));
  return errs;
}

/** The schema a simple `.a.b` path names, if it names one. */
function schemaAt(schema: Schema, jsonPath: string): Schema | undefined {
  let s: Schema | undefined = schema;
  for (const part of jsonPath.slice(1).split(".")) s = propertyOf(s, part);
  return s;
}

/** `ValidateCustomResourceSelectableFields` (paths in the `.a.b` form only). */
export function validateSelectableFields(
  fields: readonly SelectableField[],
  schema: Schema | undefined,
  path: FieldPath,
): Errors {
  const errs: Errors = [];
  const seen = new Set<string>();
  for (const [i, f] of fields.entries()) {
    const p = path.index(i).child("jsonPath");
    if (!f.jsonPath) {
      errs.push(field.required(p, ""));
      continue;
    }
    const target = schema && f.jsonPath.startsWith(".") ? schemaAt(schema, f.jsonPath) : undefined;
    if (target === undefined) {
      const detail = "is an invalid path: does not refer to a valid field";
      errs.push(field.invalid(p, f.jsonPath, detail));
      continue;
    }
    if (f.jsonPath.startsWith(".metadata.")) {
      errs.push(field.invalid(p, f.jsonPath, "must not point to fields in metadata"));
    }
    if (!["string", "boolean", "integer"].includes(target.type ?? "")) {
      const detail =
        "must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.";
      errs.push(field.invalid(p, f.jsonPath, detail));
    }
    if (seen.has(f.jsonPath)) errs.push(field.duplicate(p, f.jsonPath));
    seen.add(f.jsonPath);
  }
  if (seen.size > maxSelectableFields)
    errs.push(field.tooMany(path, seen.size, maxSelectableFields));
  return errs;
}
