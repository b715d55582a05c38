/**
 * Checks a decoded request body against its kind's schema, as the API server's decoder does:
 *
 * - `findUnknownFields`: fields the schema does not declare, for `fieldValidation=Strict|Warn`
 *   (`unknown field "spec.foo"`). Paths join object keys with "." and list indices as "[i]", as
 *   upstream's strict decoder prints them. Free-form values (RawExtension, FieldsV1, untyped
 *   nodes, `x-kubernetes-preserve-unknown-fields`) are not looked into. Duplicate fields are a
 *   matter for the JSON decoder and are not seen here.
 * - `findTypeErrors`: values of the wrong JSON type, with the Go decoder's messages
 *   (`json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`).
 *   `null` is accepted anywhere (Go decodes it as the zero value).
 */
import {
  builtinSchema,
  type GroupVersionKind,
  type ResolvedNode,
  type SchemaNode,
  type SchemaTable,
} from "./schema.ts";

export interface FieldValidationOptions {
  /** Defaults to the built-in table. */
  readonly table?: SchemaTable;
}

export interface FieldTypeError {
  /** Where the value is, e.g. "spec.template.spec.containers[0].ports[1].containerPort". */
  readonly path: string;
  readonly message: string;
}

/**
 * Where a walk is: the steps from the root, kept on a stack and turned into text only for an
 * error (building every field's path as text was most of the walks' time).
 */
class Trail {
  readonly #steps: Array<string | number> = [];
  /** Whether each step is a struct field (Go's error context names those only). */
  readonly #fields: boolean[] = [];

  push(step: string | number, field: boolean): void {
    this.#steps.push(step);
    this.#fields.push(field);
  }

  pop(): void {
    this.#steps.pop();
    this.#fields.pop();
  }

  /** Object keys joined with ".", list indices as "[i]". */
  path(): string {
    let out = "";
    for (const step of this.#steps) {
      if (typeof step === "number") out += `[${step}]`;
      else out += out === "" ? step : `.${step}`;
    }
    return out;
  }

  /** The struct field names from the root (no indices, no map keys). */
  goPath(): string[] {
    return this.#steps.filter((_, i) => this.#fields[i]) as string[];
  }

  /** The path of a field of the current node, without pushing it. */
  child(key: string): string {
    const path = this.path();
    return path === "" ? key : `${path}.${key}`;
  }
}

/** What one walk of an object against its kind's schema found. */
export interface FieldProblems {
  /** Values of the wrong JSON type, in document order. */
  readonly typeErrors: FieldTypeError[];
  /** Paths of fields the schema does not declare. */
  readonly unknown: string[];
}

/**
 * Type errors and unknown fields of `obj` in one walk (the API server wants both for every
 * write; two walks were a third of a status patch's time). Empty when the kind has no schema.
 */
export function findFieldProblems(
  obj: unknown,
  gvk: GroupVersionKind,
  options: FieldValidationOptions = {},
): FieldProblems {
  const table = options.table ?? builtinSchema();
  const name = table.definitionNameFor(gvk);
  const found: FieldProblems = { typeErrors: [], unknown: [] };
  if (name !== undefined) walk(obj, { $ref: name }, new Trail(), undefined, table, found);
  return found;
}

/** Fields of `obj` its kind's schema does not know; empty when the kind has no schema. */
export function findUnknownFields(
  obj: unknown,
  gvk: GroupVersionKind,
  options: FieldValidationOptions = {},
): string[] {
  return findFieldProblems(obj, gvk, options).unknown;
}

/** Values of the wrong JSON type, in document order; empty when the kind has no schema. */
export function findTypeErrors(
  obj: unknown,
  gvk: GroupVersionKind,
  options: FieldValidationOptions = {},
): FieldTypeError[] {
  return findFieldProblems(obj, gvk, options).typeErrors;
}

function allowsUndeclared(node: SchemaNode, key: string): boolean {
  if (node["x-kubernetes-preserve-unknown-fields"]) return true;
  return (
    node["x-kubernetes-embedded-resource"] === true &&
    (key === "apiVersion" || key === "kind" || key === "metadata")
  );
}

/**
 * `struct` is the definition name of the innermost struct holding the value (Go's error
 * context). A value of the wrong type is not looked into.
 */
function walk(
  value: unknown,
  field: SchemaNode,
  trail: Trail,
  struct: string | undefined,
  table: SchemaTable,
  found: FieldProblems,
): void {
  if (value === null) return;
  const resolved = table.deref(field);
  const { node, shape, name } = resolved;
  const mismatch = typeMismatch(value, resolved);
  if (mismatch !== undefined) {
    found.typeErrors.push({
      path: trail.path(),
      message: decodeMessage(mismatch, trail.goPath(), struct, resolved, table),
    });
    return;
  }
  if (shape === "list") {
    if (!node.items) return;
    const list = value as unknown[];
    for (let i = 0; i < list.length; i++) {
      trail.push(i, false);
      walk(list[i], node.items, trail, struct, table, found);
      trail.pop();
    }
  } else if (shape === "map") {
    if (typeof node.additionalProperties !== "object") return;
    const object = value as Record<string, unknown>;
    for (const key in object) {
      trail.push(key, false);
      walk(object[key], node.additionalProperties, trail, struct, table, found);
      trail.pop();
    }
  } else if (shape === "struct") {
    const inner = name ?? struct;
    const object = value as Record<string, unknown>;
    for (const key in object) {
      const property = node.properties?.[key];
      if (property) {
        trail.push(key, true);
        walk(object[key], property, trail, inner, table, found);
        trail.pop();
      } else if (!allowsUndeclared(node, key)) found.unknown.push(trail.child(key));
    }
  }
}

/** The JSON kind Go names in its message when the value does not fit; undefined when it fits. */
function typeMismatch(value: unknown, { node, shape }: ResolvedNode): string | undefined {
  const kind = jsonKind(value);
  switch (shape) {
    case "any":
      return undefined;
    case "struct":
    case "map":
      return kind === "object" ? undefined : kind;
    case "list":
      return kind === "array" ? undefined : kind;
    case "string":
      return kind === "string" ? undefined : kind;
    case "boolean":
      return kind === "bool" ? undefined : kind;
    case "number":
      return kind === "number" ? undefined : kind;
    case "quantity":
      return kind === "string" || kind === "number" ? undefined : kind;
    case "int-or-string":
      if (kind === "string") return undefined;
      return kind === "number" ? integerMismatch(value as number, "int32") : kind;
    case "integer":
      return kind === "number" ? integerMismatch(value as number, node.format) : kind;
  }
}

function integerMismatch(n: number, format: string | undefined): string | undefined {
  const limit = format === "int32" ? 2 ** 31 : 2 ** 63;
  return Number.isInteger(n) && n >= -limit && n < limit ? undefined : `number ${n}`;
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (typeof value === "boolean") return "bool";
  return typeof value; // "string" | "number" | "object"
}

const QUANTITY_FORMAT =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

function decodeMessage(
  jsonValue: string,
  goPath: readonly string[],
  struct: string | undefined,
  resolved: ResolvedNode,
  table: SchemaTable,
): string {
  if (resolved.shape === "quantity") return QUANTITY_FORMAT;
  const goType = goTypeOf(resolved, table);
  const target =
    struct === undefined || goPath.length === 0
      ? "Go value"
      : `Go struct field ${lastSegment(struct)}.${goPath.join(".")}`;
  return `json: cannot unmarshal ${jsonValue} into ${target} of type ${goType}`;
}

/** The Go type as `reflect.Type.String()` prints it: "int32", "[]v1.Container", "v1.PodSpec". */
function goTypeOf({ node, shape, name }: ResolvedNode, table: SchemaTable, depth = 0): string {
  if (depth > 8) return "interface {}";
  const element = (field: SchemaNode | boolean | undefined) =>
    typeof field === "object" ? goTypeOf(table.deref(field), table, depth + 1) : "interface {}";
  switch (shape) {
    case "int-or-string":
      return "int32";
    case "list":
      return `[]${element(node.items)}`;
    case "map":
      return `map[string]${element(node.additionalProperties)}`;
    case "integer":
      return node.format === "int32" || node.format === "int64" ? node.format : "int";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
    case "string":
      return node.format === "byte" ? "[]uint8" : "string";
    default:
      return name === undefined ? "interface {}" : goName(name);
  }
}

/** "io.k8s.api.core.v1.PodSpec" → "v1.PodSpec"; "…pkg.util.intstr.IntOrString" → "intstr.IntOrString". */
function goName(definition: string): string {
  const parts = definition.split(".");
  return `${parts.at(-2)}.${parts.at(-1)}`;
}

function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf(".") + 1);
}
