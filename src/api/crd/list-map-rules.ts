/**
 * Schema rules for `x-kubernetes-list-type`, `x-kubernetes-list-map-keys` and
 * `x-kubernetes-map-type` (upstream `ValidateCustomResourceDefinitionOpenAPISchema` and
 * `validateMapListKeysMapSet`).
 */
import * as field from "../../machinery/field-errors.ts";
import type { FieldPath } from "../../machinery/field-path.ts";
import { itemsOf, propertyOf, type Schema } from "./json-schema.ts";

type Errors = field.FieldError[];

function typeMustBe(s: Schema, path: FieldPath, type: string, detail: string): Errors {
  if (s.type === type) return [];
  if (!s.type) return [field.required(path.child("type"), detail)];
  return [field.invalid(path.child("type"), s.type, detail)];
}

export function listMapErrors(s: Schema, path: FieldPath): Errors {
  const errs: Errors = [];
  const mapType = s["x-kubernetes-map-type"];
  if (mapType !== undefined) {
    errs.push(
      ...typeMustBe(s, path, "object", "must be object if x-kubernetes-map-type is specified"),
    );
    if (mapType !== "atomic" && mapType !== "granular") {
      const supported = ["atomic", "granular"];
      errs.push(field.notSupported(path.child("x-kubernetes-map-type"), mapType, supported));
    }
  }
  const listType = s["x-kubernetes-list-type"];
  if (listType !== undefined) {
    errs.push(
      ...typeMustBe(s, path, "array", "must be array if x-kubernetes-list-type is specified"),
    );
    if (!["atomic", "set", "map"].includes(listType)) {
      const supported = ["atomic", "set", "map"];
      errs.push(field.notSupported(path.child("x-kubernetes-list-type"), listType, supported));
    }
  }
  const keys = s["x-kubernetes-list-map-keys"] ?? [];
  if (keys.length > 0 && listType !== "map") {
    const detail = "must be map if x-kubernetes-list-map-keys is non-empty";
    const p = path.child("x-kubernetes-list-type");
    errs.push(
      listType === undefined ? field.required(p, detail) : field.invalid(p, listType, detail),
    );
  }
  if (listType === "map") errs.push(...mapListErrors(s, keys, path));
  if (listType === "map" || listType === "set") errs.push(...keyNullability(s, listType, path));
  return errs;
}

function mapListErrors(s: Schema, keys: readonly string[], path: FieldPath): Errors {
  const errs: Errors = [];
  const keysPath = path.child("x-kubernetes-list-map-keys");
  if (keys.length === 0) {
    errs.push(field.required(keysPath, "must not be empty if x-kubernetes-list-type is map"));
  }
  if (s.items === undefined) {
    errs.push(
      field.required(path.child("items"), "must have a schema if x-kubernetes-list-type is map"),
    );
    return errs;
  }
  const items = itemsOf(s);
  if (items === undefined) {
    const detail = "must only have a single schema if x-kubernetes-list-type is map";
    return [...errs, field.invalid(path.child("items"), field.omitValue, detail)];
  }
  if (items.type !== "object") {
    const detail = "must be object if parent array's x-kubernetes-list-type is map";
    return [...errs, field.invalid(path.child("items", "type"), items.type ?? "", detail)];
  }
  const seen = new Set<string>();
  for (const key of keys) {
    const prop = propertyOf(items, key);
    if (prop === undefined) {
      errs.push(field.invalid(keysPath, [...keys], "entries must all be names of item properties"));
    } else if (prop.type === "array" || prop.type === "object") {
      const detail = "must be a scalar type if parent array's x-kubernetes-list-type is map";
      errs.push(
        field.invalid(path.child("items", "properties").key(key).child("type"), "object", detail),
      );
    }
    if (seen.has(key)) {
      errs.push(field.invalid(keysPath, [...keys], "must not contain duplicate entries"));
    }
    seen.add(key);
  }
  return errs;
}

/** Set and map items may not be null; map keys must be required or defaulted, and not nullable. */
function keyNullability(s: Schema, listType: string, path: FieldPath): Errors {
  const items = itemsOf(s);
  if (items === undefined) return [];
  const errs: Errors = [];
  if (items.nullable === true) {
    const detail = `cannot be nullable when x-kubernetes-list-type is ${listType}`;
    errs.push(field.forbidden(path.child("items", "nullable"), detail));
  }
  if (listType !== "map") return errs;
  for (const key of s["x-kubernetes-list-map-keys"] ?? []) {
    const prop = propertyOf(items, key);
    if (prop === undefined) continue;
    const propPath = path.child("items", "properties").key(key);
    if (!(items.required ?? []).includes(key) && prop.default === undefined) {
      const detail =
        "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property";
      errs.push(field.required(propPath.child("default"), detail));
    }
    if (prop.nullable === true) {
      const detail = "this property is in x-kubernetes-list-map-keys, so it cannot be nullable";
      errs.push(field.forbidden(propPath.child("nullable"), detail));
    }
  }
  return errs;
}
