/**
 * The keyword rules of a CRD's `openAPIV3Schema` beyond structurality (upstream
 * `ValidateCustomResourceDefinitionOpenAPISchema` and `specStandardValidatorV3` for
 * apiextensions.k8s.io/v1): unsupported JSON-Schema keywords, known types, `additionalProperties`
 * and `properties` exclusive, list and map types, no defaults in top-level metadata; and
 * `defaultErrors`: each default is pruned already and validates against its own schema.
 */
import * as field from "../../machinery/field-errors.ts";
import type { FieldPath } from "../../machinery/field-path.ts";
import { itemsOf, jsonEqual, metaFields, type Schema } from "./json-schema.ts";
import { listMapErrors } from "./list-map-rules.ts";
import { prune } from "./pruning.ts";
import { validateValue } from "./schema-validator.ts";

type Errors = field.FieldError[];

const openAPIV3Types = ["array", "boolean", "integer", "number", "object", "string"];

/** Unsupported keywords: [key, message]. */
const unsupported: readonly [keyof Schema, string][] = [
  ["id", "id is not supported"],
  ["additionalItems", "additionalItems is not supported"],
  ["patternProperties", "patternProperties is not supported"],
  ["definitions", "definitions is not supported"],
  ["dependencies", "dependencies is not supported"],
  ["$ref", "$ref is not supported"],
];

export interface Visit {
  readonly node: Schema;
  readonly path: FieldPath;
  /** Why a default may not be set here ("in top-level metadata"), if it may not. */
  readonly noDefaults?: string;
}

/** Every schema node in the tree (junctor branches included) with its path. */
export function schemaNodes(schema: Schema, path: FieldPath): Visit[] {
  const out: Visit[] = [];
  const walk = (node: Schema, p: FieldPath, noDefaults: string | undefined, root: boolean) => {
    out.push(noDefaults === undefined ? { node, path: p } : { node, path: p, noDefaults });
    for (const [key, prop] of Object.entries(node.properties ?? {})) {
      const meta = root && metaFields.has(key) ? `in top-level ${key}` : noDefaults;
      walk(prop, p.child("properties").key(key), meta, false);
    }
    if (typeof node.additionalProperties === "object") {
      walk(node.additionalProperties, p.child("additionalProperties"), noDefaults, false);
    }
    if (node.not) walk(node.not, p.child("not"), noDefaults, false);
    for (const junctor of ["allOf", "oneOf", "anyOf"] as const) {
      node[junctor]?.forEach((b, i) => {
        walk(b, p.child(junctor).index(i), noDefaults, false);
      });
    }
    const items = itemsOf(node);
    if (items) walk(items, p.child("items"), noDefaults, false);
  };
  walk(schema, path, undefined, true);
  return out;
}

/** The keyword errors of one schema node. */
export function keywordErrors({ node: s, path, noDefaults }: Visit): Errors {
  const errs: Errors = [];
  if (s.type && s.type !== "null" && !openAPIV3Types.includes(s.type)) {
    errs.push(field.notSupported(path.child("type"), s.type, openAPIV3Types));
  }
  if (s.default !== undefined && noDefaults !== undefined) {
    errs.push(field.forbidden(path.child("default"), `must not be set ${noDefaults}`));
  }
  for (const [key, detail] of unsupported) {
    if (s[key] !== undefined) errs.push(field.forbidden(path.child(key), detail));
  }
  if (s.type === "null") {
    const detail = "type cannot be set to null, use nullable as an alternative";
    errs.push(field.forbidden(path.child("type"), detail));
  }
  if (Array.isArray(s.items)) {
    const detail = "items must be a schema object and not an array";
    errs.push(field.forbidden(path.child("items"), detail));
  }
  if (s.uniqueItems === true) {
    const detail =
      "uniqueItems cannot be set to true since the runtime complexity becomes quadratic";
    errs.push(field.forbidden(path.child("uniqueItems"), detail));
  }
  const ap = s.additionalProperties;
  if ((ap === false || typeof ap === "object") && Object.keys(s.properties ?? {}).length > 0) {
    const detail = "additionalProperties and properties are mutual exclusive";
    errs.push(field.forbidden(path.child("additionalProperties"), detail));
  }
  if (s["x-kubernetes-preserve-unknown-fields"] === false) {
    const p = path.child("x-kubernetes-preserve-unknown-fields");
    errs.push(field.invalid(p, false, "must be true or undefined"));
  }
  return [...errs, ...listMapErrors(s, path)];
}

/** Every keyword error in the schema tree. */
export function schemaKeywordErrors(schema: Schema, path: FieldPath): Errors {
  return schemaNodes(schema, path).flatMap(keywordErrors);
}

/**
 * Defaults (upstream `ValidateDefaults`, for structural schemas): following properties and items
 * only, each default must survive pruning unchanged and validate against its schema.
 */
export function defaultErrors(schema: Schema, path: FieldPath): Errors {
  const errs: Errors = [];
  const walk = (s: Schema, p: FieldPath, root: boolean) => {
    if (s.default !== undefined) {
      const defaultPath = p.child("default");
      const pruned = structuredClone(s.default);
      prune(pruned, s, s["x-kubernetes-embedded-resource"] === true);
      if (!jsonEqual(pruned, s.default)) {
        errs.push(
          field.invalid(defaultPath, s.default as field.BadValue, "must not have unknown fields"),
        );
      } else {
        errs.push(...validateValue(s.default, s, { path: defaultPath }));
      }
    }
    const items = itemsOf(s);
    if (items) walk(items, p.child("items"), false);
    for (const [key, prop] of Object.entries(s.properties ?? {})) {
      if (!(root && metaFields.has(key))) walk(prop, p.child("properties").key(key), false);
    }
  };
  walk(schema, path, true);
  return errs;
}
