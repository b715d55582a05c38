/**
 * Reading a JSON value through an `ApplySchema`, as structured-merge-diff's typed package does:
 * the path element of each list item, and the set of fields a value sets (`ToFieldSet`).
 */
import { isJsonObject } from "../patch/json-value.ts";
import { FieldSet } from "./field-set.ts";
import { elementString, elementText, keyElement, type PathElement, pathString } from "./path.ts";
import { type ApplySchema, fieldSchema, isNamedField, itemSchema, shapeOf } from "./schema.ts";

/** A value that does not fit its schema; `message` reads `.spec.ports: duplicate entries…`. */
export class TypedValueError extends Error {
  override readonly name = "TypedValueError";
}

function fail(prefix: string, message: string): never {
  throw new TypedValueError(prefix === "" ? message : `${prefix}: ${message}`);
}

/** The path element of an item of an associative list (`listType` "map" or "set"). */
export function listItemElement(schema: ApplySchema, item: unknown, prefix = ""): PathElement {
  const keys = schema.listMapKeys ?? [];
  if (schema.listType === "map" && keys.length > 0) {
    if (item === null) fail(prefix, "associative list with keys may not have a null element");
    if (!isJsonObject(item))
      fail(prefix, "associative list with keys may not have non-map elements");
    return keyElement(
      keys.map((name) => {
        const value = Object.hasOwn(item, name) ? item[name] : schema.keyDefaults?.[name];
        if (value === undefined) {
          fail(
            prefix,
            `associative list with keys has an element that omits key field "${name}" (and doesn't have default value)`,
          );
        }
        return [name, value] as const;
      }),
    );
  }
  if (isJsonObject(item))
    fail(prefix, "associative list without keys has an element that's a map type");
  if (Array.isArray(item))
    fail(prefix, "associative list without keys has an element that's a list type");
  return { value: item };
}

export interface IndexedItem {
  readonly element: PathElement;
  readonly text: string;
  readonly item: unknown;
}

/**
 * The items of an associative list with their path elements. Duplicates are an error unless
 * `allowDuplicates` (live objects may hold them; upstream tolerates them there).
 */
export function indexList(
  schema: ApplySchema,
  list: readonly unknown[],
  options: { prefix?: string; allowDuplicates?: boolean } = {},
): IndexedItem[] {
  const seen = new Set<string>();
  const out: IndexedItem[] = [];
  for (const item of list) {
    const element = listItemElement(schema, item, options.prefix);
    const text = elementText(element);
    if (seen.has(text) && !options.allowDuplicates) {
      fail(options.prefix ?? "", `duplicate entries for key ${elementString(element)}`);
    }
    seen.add(text);
    out.push({ element, text, item });
  }
  return out;
}

/**
 * The fields `value` sets: leaves, list items, map entries, empty and null fields. `strict`
 * rejects duplicate list items and undeclared struct fields (applied configurations); live
 * objects may hold both.
 */
export function toFieldSet(value: unknown, schema: ApplySchema, strict = false): FieldSet {
  const out = new FieldSet();
  walk(value, schema, [], { out, strict });
  return out;
}

interface Walk {
  readonly out: FieldSet;
  readonly strict: boolean;
}

function walk(value: unknown, schema: ApplySchema, path: PathElement[], w: Walk): void {
  const { out } = w;
  switch (shapeOf(schema, value)) {
    case "leaf":
      out.insert(path);
      return;
    case "object":
      for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
        const childPath = [...path, { field: name }];
        if (w.strict && schema.kind === "struct" && !schema.field(name) && !schema.elements()) {
          fail(pathString(childPath), "field not declared in schema");
        }
        walk(child, fieldSchema(schema, name), childPath, w);
        const emptyObject = isJsonObject(child) && Object.keys(child).length === 0;
        if (child === null || emptyObject || !isNamedField(schema, name)) out.insert(childPath);
      }
      return;
    case "list":
      for (const { element, item } of indexList(schema, value as unknown[], {
        prefix: pathString(path),
        allowDuplicates: !w.strict,
      })) {
        const childPath = [...path, element];
        walk(item, itemSchema(schema), childPath, w);
        out.insert(childPath);
      }
  }
}

/**
 * Upstream's `EnsureNamedFieldsAreMembers`: adds a struct's declared fields that have owned
 * descendants as members themselves, so removing them prunes the whole field.
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, schema: ApplySchema): FieldSet {
  const out = new FieldSet();
  for (const pe of set.members()) out.insert([pe]);
  for (const [pe, child] of set.children()) {
    let childSchema: ApplySchema | undefined;
    if ("field" in pe) {
      if (isNamedField(schema, pe.field)) out.insert([pe]);
      childSchema = fieldSchema(schema, pe.field);
    } else if ("key" in pe && schema.kind === "list") {
      childSchema = itemSchema(schema);
    }
    out.insertChild(pe, childSchema ? ensureNamedFieldsAreMembers(child, childSchema) : child);
  }
  return out;
}
