/**
 * The API schema table: the structure of every built-in definition (types, formats, enums,
 * required fields, `x-kubernetes-*` extensions; no descriptions), generated from the upstream
 * OpenAPI document by scripts/gen-api.ts into ../generated/schema.json and loaded once, lazily.
 *
 * Definitions are keyed by their OpenAPI name (`io.k8s.api.apps.v1.Deployment`); `$ref`s hold the
 * bare name. A `SchemaTable` can be extended with more definitions (custom resources) without
 * touching the built-in one.
 */
import { readFileSync } from "node:fs";

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface GroupVersion {
  readonly group: string;
  readonly version: string;
}

/** One node of a structural schema (an OpenAPI v2 schema object without prose). */
export interface SchemaNode {
  readonly type?: string;
  readonly format?: string;
  readonly $ref?: string;
  readonly items?: SchemaNode;
  readonly additionalProperties?: SchemaNode | boolean;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly "x-kubernetes-group-version-kind"?: readonly GroupVersionKind[];
  readonly "x-kubernetes-patch-strategy"?: string;
  readonly "x-kubernetes-patch-merge-key"?: string;
  readonly "x-kubernetes-list-type"?: string;
  readonly "x-kubernetes-list-map-keys"?: readonly string[];
  readonly "x-kubernetes-map-type"?: string;
  readonly "x-kubernetes-int-or-string"?: boolean;
  readonly "x-kubernetes-preserve-unknown-fields"?: boolean;
  readonly "x-kubernetes-embedded-resource"?: boolean;
  readonly "x-kubernetes-unions"?: readonly unknown[];
}

export const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
export const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

/**
 * The JSON value a node accepts, as the Go decoder sees it: "struct" (fixed fields), "map"
 * (`additionalProperties`), "list", a primitive, "int-or-string", "quantity" (string or number)
 * or "any" (free-form: RawExtension, FieldsV1, untyped or preserve-unknown-fields nodes).
 */
export type ValueShape =
  | "struct"
  | "map"
  | "list"
  | "string"
  | "integer"
  | "number"
  | "boolean"
  | "int-or-string"
  | "quantity"
  | "any";

/** A node with its `$ref`s followed; `name` is the last definition reached, if any. */
export interface ResolvedNode {
  readonly node: SchemaNode;
  readonly name?: string;
  readonly shape: ValueShape;
}

export function gvkKey(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}/${gvk.kind}`;
}

/** "#/definitions/X", "#/components/schemas/X" or "X" → "X". */
export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf("/") + 1);
}

export class SchemaTable {
  readonly definitions: Readonly<Record<string, SchemaNode>>;
  readonly #byGVK = new Map<string, string>();
  /** Schema nodes never change: each is resolved once (validation walks resolve every field). */
  readonly #resolved = new WeakMap<SchemaNode, ResolvedNode>();

  constructor(definitions: Readonly<Record<string, SchemaNode>>) {
    this.definitions = definitions;
    for (const [name, node] of Object.entries(definitions)) {
      for (const gvk of node["x-kubernetes-group-version-kind"] ?? []) {
        if (!this.#byGVK.has(gvkKey(gvk))) this.#byGVK.set(gvkKey(gvk), name);
      }
    }
  }

  /** A table holding these definitions too (later ones win), e.g. custom resource schemas. */
  with(more: Readonly<Record<string, SchemaNode>>): SchemaTable {
    return new SchemaTable({ ...this.definitions, ...more });
  }

  definitionNameFor(gvk: GroupVersionKind): string | undefined {
    return this.#byGVK.get(gvkKey(gvk));
  }

  definitionFor(gvk: GroupVersionKind): SchemaNode | undefined {
    const name = this.definitionNameFor(gvk);
    return name === undefined ? undefined : this.definitions[name];
  }

  /** The definition a `$ref` points at (any of the prefixes in `refName`). */
  resolve(ref: string): SchemaNode | undefined {
    return this.definitions[refName(ref)];
  }

  /** Follows `$ref`s and classifies the value the node accepts. */
  deref(node: SchemaNode): ResolvedNode {
    let resolved = this.#resolved.get(node);
    if (!resolved) {
      resolved = this.#deref(node);
      this.#resolved.set(node, resolved);
    }
    return resolved;
  }

  #deref(node: SchemaNode): ResolvedNode {
    let current = node;
    let name: string | undefined;
    for (let hops = 0; current.$ref !== undefined && hops < 32; hops++) {
      name = refName(current.$ref);
      const target = this.definitions[name];
      if (!target) return { node: {}, name, shape: "any" };
      current = target;
    }
    const shape = shapeOf(current, name);
    return name === undefined ? { node: current, shape } : { node: current, name, shape };
  }
}

function shapeOf(node: SchemaNode, name: string | undefined): ValueShape {
  if (name === QUANTITY) return "quantity";
  if (node["x-kubernetes-int-or-string"] || node.format === "int-or-string") return "int-or-string";
  if (node.properties) return "struct";
  switch (node.type) {
    case "array":
      return "list";
    case "object":
      return node.additionalProperties && !node["x-kubernetes-preserve-unknown-fields"]
        ? "map"
        : "any";
    case "string":
    case "integer":
    case "number":
    case "boolean":
      return node.type;
    default:
      return "any";
  }
}

/**
 * The types upstream publishes as `oneOf` in OpenAPI v3 (kube-openapi's OpenAPIV3OneOfTypes);
 * the v2 document and the table say `type: string` for both.
 */
export function oneOfTypes(definitionName: string): readonly string[] | undefined {
  if (definitionName === QUANTITY) return ["string", "number"];
  if (definitionName === INT_OR_STRING) return ["integer", "string"];
  return undefined;
}

let builtin: SchemaTable | undefined;

/** The built-in Kubernetes v1.34 definitions, read from ../generated/schema.json on first use. */
export function builtinSchema(): SchemaTable {
  if (!builtin) {
    const url = new URL("../generated/schema.json", import.meta.url);
    const table = JSON.parse(readFileSync(url, "utf8")) as {
      definitions: Record<string, SchemaNode>;
    };
    builtin = new SchemaTable(table.definitions);
  }
  return builtin;
}

/** The built-in definition of a kind, e.g. `{group: "apps", version: "v1", kind: "Deployment"}`. */
export function definitionFor(gvk: GroupVersionKind): SchemaNode | undefined {
  return builtinSchema().definitionFor(gvk);
}

/** The built-in definition a `$ref` names. */
export function resolve(ref: string): SchemaNode | undefined {
  return builtinSchema().resolve(ref);
}
