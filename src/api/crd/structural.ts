/**
 * Structural schemas (upstream `pkg/apiserver/schema` `ValidateStructural`): every field and item
 * has a type (unless under `x-kubernetes-preserve-unknown-fields` or `x-kubernetes-int-or-string`),
 * the root is an object without `additionalProperties`, metadata at the root restricts only name
 * and generateName, value validations (allOf/anyOf/oneOf/not) say nothing the structure does not
 * already say, and embedded resources are objects. Errors are sorted by message, as upstream does.
 */
import * as field from "../../machinery/field-errors.ts";
import type { FieldPath } from "../../machinery/field-path.ts";
import {
  additionalOf,
  embeddedResource,
  intOrString,
  itemsOf,
  preserveUnknown,
  propertyOf,
  type Schema,
} from "./json-schema.ts";

type Level = "root" | "item" | "field";
type Errors = field.FieldError[];

const emptyType: Record<Level, string> = {
  root: "must not be empty at the root",
  item: "must not be empty for specified array items",
  field: "must not be empty for specified object fields",
};

/** The structural-schema errors of a CRD version's `openAPIV3Schema` at `path`. */
export function validateStructural(schema: Schema, path: FieldPath): Errors {
  const errs = [...invariants(schema, "root", path), ...completeness(schema, path)];
  const key = (e: field.FieldError) => field.fieldErrorMessage(e);
  return errs.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function invariants(s: Schema, lvl: Level, path: FieldPath): Errors {
  const errs: Errors = [];
  if (s.type === "array" && s.items === undefined) {
    errs.push(field.required(path.child("items"), "must be specified"));
  }
  const items = itemsOf(s);
  if (items) errs.push(...invariants(items, "item", path.child("items")));
  for (const [key, prop] of Object.entries(s.properties ?? {})) {
    errs.push(...invariants(prop, "field", path.child("properties").key(key)));
  }
  if (s.additionalProperties !== undefined) {
    if (lvl === "root") {
      errs.push(
        field.forbidden(path.child("additionalProperties"), "must not be used at the root"),
      );
    }
    const additional = typeof s.additionalProperties === "object" ? s.additionalProperties : null;
    if (additional)
      errs.push(...invariants(additional, "field", path.child("additionalProperties")));
  }
  errs.push(...extensionErrors(s, path), ...valueValidation(s, path));
  errs.push(...typeErrors(s, lvl, path));
  const checkMetadata = lvl === "root" || embeddedResource(s);
  for (const key of ["kind", "apiVersion"]) {
    const prop = propertyOf(s, key);
    if (prop && checkMetadata && prop.type !== "string") {
      const typePath = path.child("properties").key(key).child("type");
      errs.push(field.invalid(typePath, prop.type ?? "", "must be string"));
    }
  }
  const metadata = propertyOf(s, "metadata");
  if (metadata) {
    errs.push(
      ...metadataErrors(metadata, checkMetadata, lvl, path.child("properties").key("metadata")),
    );
  }
  if (embeddedResource(s) && !preserveUnknown(s) && Object.keys(s.properties ?? {}).length === 0) {
    const detail =
      "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields";
    errs.push(field.required(path.child("properties"), detail));
  }
  return errs;
}

function typeErrors(s: Schema, lvl: Level, path: FieldPath): Errors {
  const errs: Errors = [];
  const type = s.type ?? "";
  if (embeddedResource(s) && type !== "object") {
    const detail = "must be object if x-kubernetes-embedded-resource is true";
    errs.push(
      type === ""
        ? field.required(path.child("type"), detail)
        : field.invalid(path.child("type"), type, detail),
    );
  } else if (type === "" && !intOrString(s) && !preserveUnknown(s)) {
    errs.push(field.required(path.child("type"), emptyType[lvl]));
  }
  if (embeddedResource(s) && s.additionalProperties !== undefined) {
    const detail = "must not be used if x-kubernetes-embedded-resource is set";
    errs.push(field.forbidden(path.child("additionalProperties"), detail));
  }
  if (lvl === "root" && type !== "" && type !== "object") {
    errs.push(field.invalid(path.child("type"), type, "must be object at the root"));
  }
  return errs;
}

function extensionErrors(s: Schema, path: FieldPath): Errors {
  if (!intOrString(s)) return [];
  const errs: Errors = [];
  const detail = "must be false if x-kubernetes-int-or-string is true";
  if (preserveUnknown(s)) {
    errs.push(field.invalid(path.child("x-kubernetes-preserve-unknown-fields"), true, detail));
  }
  if (embeddedResource(s)) {
    errs.push(field.invalid(path.child("x-kubernetes-embedded-resource"), true, detail));
  }
  return errs;
}

/** Keys of a root metadata schema that are dropped before the "nothing else" comparison. */
const metadataIgnored = new Set(["type", "default", "example", "externalDocs", "$schema", "id"]);

function metadataErrors(s: Schema, check: boolean, lvl: Level, path: FieldPath): Errors {
  const errs: Errors = [];
  if (check && s.type !== "object") {
    errs.push(field.invalid(path.child("type"), s.type ?? "", "must be object"));
  }
  if (lvl !== "root") return errs;
  const props = Object.keys(s.properties ?? {});
  const onlyNames = props.every((p) => p === "name" || p === "generateName");
  const other = Object.keys(s).some((k) => !metadataIgnored.has(k) && k !== "properties");
  if (other || !onlyNames) {
    const detail =
      "must not specify anything other than name and generateName, but metadata is implicitly specified";
    errs.push(field.forbidden(path, detail));
  }
  return errs;
}

/** `anyOf: [{type: integer}, {type: string}]`, exactly (kube-builder's int-or-string). */
function isIntOrStringAnyOf(anyOf: readonly Schema[] | undefined): boolean {
  if (anyOf?.length !== 2) return false;
  const [a, b] = anyOf;
  const only = (x: Schema | undefined, t: string) =>
    Object.keys(x ?? {}).length === 1 && x?.type === t;
  return only(a, "integer") && only(b, "string");
}

function valueValidation(s: Schema, path: FieldPath, skipAnyOf = false): Errors {
  const errs: Errors = [];
  const skip = skipAnyOf || isIntOrStringAnyOf(s.anyOf);
  if (!skip)
    s.anyOf?.forEach((b, i) => {
      errs.push(...nested(b, path.child("anyOf").index(i)));
    });
  s.allOf?.forEach((b, i) => {
    const skipFirst = i === 0 && isIntOrStringAnyOf(b.anyOf);
    errs.push(...nested(b, path.child("allOf").index(i), skipFirst));
  });
  s.oneOf?.forEach((b, i) => {
    errs.push(...nested(b, path.child("oneOf").index(i)));
  });
  if (s.not) errs.push(...nested(s.not, path.child("not")));
  if (s.pattern !== undefined) {
    try {
      new RegExp(s.pattern, "u");
    } catch (err) {
      const detail = `must be a valid regular expression, but isn't: ${(err as Error).message}`;
      errs.push(field.invalid(path.child("pattern"), s.pattern, detail));
    }
  }
  return errs;
}

const nestedRules: readonly [keyof Schema, string, (v: unknown) => boolean][] = [
  ["type", "must be empty to be structural", (v) => v !== ""],
  ["default", "must be undefined to be structural", () => true],
  ["title", "must be empty to be structural", (v) => v !== ""],
  ["description", "must be empty to be structural", (v) => v !== ""],
  ["nullable", "must be false to be structural", (v) => v === true],
  ["x-kubernetes-preserve-unknown-fields", "must be false to be structural", (v) => v === true],
  ["x-kubernetes-embedded-resource", "must be false to be structural", (v) => v === true],
  ["x-kubernetes-int-or-string", "must be false to be structural", (v) => v === true],
  [
    "x-kubernetes-list-map-keys",
    "must be empty to be structural",
    (v) => Array.isArray(v) && v.length > 0,
  ],
  ["x-kubernetes-list-type", "must be undefined to be structural", () => true],
  ["x-kubernetes-map-type", "must be undefined to be structural", () => true],
  [
    "x-kubernetes-validations",
    "must be empty to be structural",
    (v) => Array.isArray(v) && v.length > 0,
  ],
];

/** A schema under a logic junctor: value validation only, no structure. */
function nested(v: Schema, path: FieldPath, skipAnyOf = false): Errors {
  const errs = valueValidation(v, path, skipAnyOf);
  const items = itemsOf(v);
  if (items) errs.push(...nested(items, path.child("items")));
  for (const [key, prop] of Object.entries(v.properties ?? {})) {
    errs.push(...nested(prop, path.child("properties").key(key)));
  }
  for (const [key, detail, set] of nestedRules) {
    if (v[key] !== undefined && set(v[key])) errs.push(field.forbidden(path.child(key), detail));
  }
  if (v.additionalProperties !== undefined) {
    errs.push(
      field.forbidden(path.child("additionalProperties"), "must be undefined to be structural"),
    );
  }
  if (propertyOf(v, "metadata")) {
    const detail = "must not be specified in a nested context";
    errs.push(field.forbidden(path.child("properties").key("metadata"), detail));
  }
  return errs;
}

/** Every field or item a value validation names must be specified by the structure too. */
function completeness(s: Schema, path: FieldPath): Errors {
  const errs: Errors = [];
  const items = itemsOf(s);
  if (items) errs.push(...completeness(items, path.child("items")));
  for (const [key, prop] of Object.entries(s.properties ?? {})) {
    errs.push(...completeness(prop, path.child("properties").key(key)));
  }
  const additional = typeof s.additionalProperties === "object" ? additionalOf(s) : undefined;
  if (additional) errs.push(...completeness(additional, path.child("additionalProperties")));
  return [...errs, ...junctorCompleteness(s, s, path, path)];
}

function junctorCompleteness(v: Schema, s: Schema, sPath: FieldPath, vPath: FieldPath): Errors {
  const errs: Errors = [];
  if (v.not) errs.push(...nestedCompleteness(v.not, s, sPath, vPath.child("not")));
  for (const junctor of ["allOf", "anyOf", "oneOf"] as const) {
    v[junctor]?.forEach((b, i) => {
      errs.push(...nestedCompleteness(b, s, sPath, vPath.child(junctor).index(i)));
    });
  }
  return errs;
}

function nestedCompleteness(
  v: Schema,
  s: Schema | undefined,
  sPath: FieldPath,
  vPath: FieldPath,
): Errors {
  if (s === undefined) return [field.required(sPath, `because it is defined in ${vPath}`)];
  const errs = junctorCompleteness(v, s, sPath, vPath);
  const items = itemsOf(v);
  if (items) {
    errs.push(...nestedCompleteness(items, itemsOf(s), sPath.child("items"), vPath.child("items")));
  }
  for (const [key, prop] of Object.entries(v.properties ?? {})) {
    const sProp = sPath.child("properties").key(key);
    const vProp = vPath.child("properties").key(key);
    errs.push(...nestedCompleteness(prop, propertyOf(s, key), sProp, vProp));
  }
  return errs;
}
