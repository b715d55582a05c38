/**
 * Structural-schema defaulting (upstream `pkg/apiserver/schema/defaulting`): a property's
 * `default` fills the field when it is missing, or null where null is not allowed; defaults of
 * `items` and `additionalProperties` fill null elements. Defaulted values are defaulted in turn.
 * metadata is never defaulted, at the root or in embedded resources.
 */
import {
  additionalOf,
  embeddedResource,
  hasOwn,
  isJsonObject,
  itemsOf,
  type JsonMap,
  propertyOf,
  type Schema,
} from "./json-schema.ts";

/** Applies the defaults of `schema` to `obj` in place; `obj` is a resource (its metadata is left alone). */
export function applyDefaults(obj: JsonMap, schema: Schema): void {
  defaultValue(obj, schema, true);
}

function nonNullableNull(value: unknown, s: Schema): boolean {
  return value === null && s.nullable !== true && s.default !== undefined;
}

function defaultValue(value: unknown, s: Schema | undefined, resource: boolean): void {
  if (s === undefined) return;
  if (isJsonObject(value)) {
    defaultObject(value, s, resource);
  } else if (Array.isArray(value)) {
    const items = itemsOf(s);
    if (items === undefined) return;
    value.forEach((item, i) => {
      if (nonNullableNull(item, items)) value[i] = structuredClone(items.default);
      defaultValue(item, items, embeddedResource(items));
    });
  }
}

function defaultObject(obj: JsonMap, s: Schema, resource: boolean): void {
  for (const [key, prop] of Object.entries(s.properties ?? {})) {
    if ((resource && key === "metadata") || prop.default === undefined) continue;
    if (!hasOwn(obj, key) || nonNullableNull(obj[key], prop)) {
      obj[key] = structuredClone(prop.default);
    }
  }
  const additional = additionalOf(s);
  for (const [key, value] of Object.entries(obj)) {
    if (resource && key === "metadata") continue;
    const prop = propertyOf(s, key);
    if (prop !== undefined) {
      defaultValue(value, prop, embeddedResource(prop));
    } else if (additional !== undefined) {
      if (nonNullableNull(value, additional)) obj[key] = structuredClone(additional.default);
      defaultValue(value, additional, embeddedResource(additional));
    }
  }
}
