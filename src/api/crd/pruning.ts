/**
 * Pruning of unknown fields (upstream `pkg/apiserver/schema/pruning`): object fields the schema
 * does not specify are dropped, except below `x-kubernetes-preserve-unknown-fields: true`, and
 * except `apiVersion`, `kind` and `metadata` of the resource itself and of embedded resources
 * (`x-kubernetes-embedded-resource`). Returns the dropped paths (`spec.foo`, `spec.list[0].bar`),
 * which `fieldValidation=Warn|Strict` reports as unknown fields.
 */
import {
  embeddedResource,
  isJsonObject,
  itemsOf,
  type JsonMap,
  preserveUnknown,
  propertyOf,
  type Schema,
} from "./json-schema.ts";

/**
 * Prunes `value` in place. A resource root (the default) keeps apiVersion, kind and metadata, and
 * keeps only those when there is no schema.
 */
export function prune(value: unknown, schema: Schema | undefined, resourceRoot = true): string[] {
  const root: Schema | undefined = resourceRoot
    ? { ...(schema ?? {}), "x-kubernetes-embedded-resource": true }
    : schema;
  const pruned: string[] = [];
  pruneValue(value, root, "", pruned);
  return pruned;
}

const child = (path: string, key: string): string => (path === "" ? key : `${path}.${key}`);

/** `additionalProperties`: absent or false → undefined; true → null (any value, pruned inside). */
function additionalSchema(s: Schema | undefined): Schema | null | undefined {
  const ap = s?.additionalProperties;
  if (ap === undefined || ap === false) return undefined;
  return ap === true ? null : ap;
}

/** apiVersion and kind (strings) and metadata (an object) of a resource are always kept. */
function keptMetaField(obj: JsonMap, key: string, s: Schema | undefined): boolean {
  if (!embeddedResource(s)) return false;
  if (key === "apiVersion" || key === "kind") return typeof obj[key] === "string";
  return key === "metadata" && isJsonObject(obj[key]);
}

function pruneValue(value: unknown, s: Schema | undefined, path: string, out: string[]): void {
  if (preserveUnknown(s)) {
    skipPrune(value, s, path, out);
    return;
  }
  if (isJsonObject(value)) {
    for (const key of Object.keys(value)) {
      if (keptMetaField(value, key, s)) continue;
      const prop = propertyOf(s, key);
      const additional = additionalSchema(s);
      if (prop !== undefined) pruneValue(value[key], prop, child(path, key), out);
      else if (additional !== undefined) {
        pruneValue(value[key], additional ?? undefined, child(path, key), out);
      } else {
        delete value[key];
        out.push(child(path, key));
      }
    }
  } else if (Array.isArray(value)) {
    const items = s === undefined ? undefined : itemsOf(s);
    value.forEach((item, i) => {
      pruneValue(item, items, `${path}[${i}]`, out);
    });
  }
}

/** Below preserve-unknown-fields: unknown fields stay, known ones are pruned by their schema. */
function skipPrune(value: unknown, s: Schema | undefined, path: string, out: string[]): void {
  if (s === undefined) return;
  if (isJsonObject(value)) {
    for (const key of Object.keys(value)) {
      if (keptMetaField(value, key, s)) continue;
      const prop = propertyOf(s, key);
      const additional = additionalSchema(s);
      if (prop !== undefined) pruneValue(value[key], prop, child(path, key), out);
      else if (additional !== undefined) {
        pruneValue(value[key], additional ?? undefined, child(path, key), out);
      }
    }
  } else if (Array.isArray(value)) {
    const items = itemsOf(s);
    value.forEach((item, i) => {
      skipPrune(item, items, `${path}[${i}]`, out);
    });
  }
}
