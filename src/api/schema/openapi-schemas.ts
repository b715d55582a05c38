/**
 * Definitions rendered for the published OpenAPI documents: v3 `components.schemas` and v2
 * `definitions`, in upstream's shapes (v3 wraps a `$ref` that has siblings in a one-element
 * `allOf`; Quantity and IntOrString become `oneOf`).
 *
 * Upstream descriptions are not kept. Fields get a short description generated from the structure
 * when it says more than the type `kubectl explain` prints anyway (format, patch strategy, list
 * and map types), and each kind a pointer to the Kubernetes API reference.
 */
import { oneOfTypes, refName, type SchemaNode, type SchemaTable } from "./schema.ts";

export type JsonObject = { [key: string]: unknown };

export interface RenderOptions {
  readonly table: SchemaTable;
  readonly version: "v2" | "v3";
  /** Generate short structural descriptions (default true). */
  readonly describe: boolean;
}

/** `names` and every definition they reach through `$ref`s, sorted. */
export function definitionClosure(names: Iterable<string>, table: SchemaTable): string[] {
  const seen = new Set<string>();
  const pending = [...names];
  while (pending.length > 0) {
    const name = pending.pop()!;
    const node = table.definitions[name];
    if (seen.has(name) || !node) continue;
    seen.add(name);
    collectRefs(node, pending);
  }
  return [...seen].sort();
}

function collectRefs(node: SchemaNode, out: string[]): void {
  if (node.$ref !== undefined) out.push(refName(node.$ref));
  for (const property of Object.values(node.properties ?? {})) collectRefs(property, out);
  if (node.items) collectRefs(node.items, out);
  if (typeof node.additionalProperties === "object") collectRefs(node.additionalProperties, out);
}

export function renderDefinitions(names: readonly string[], options: RenderOptions): JsonObject {
  const out: JsonObject = {};
  for (const name of names) out[name] = renderDefinition(name, options);
  return out;
}

function renderDefinition(name: string, options: RenderOptions): JsonObject {
  const node = options.table.definitions[name] ?? {};
  const described = options.describe ? definitionDescription(name, node) : undefined;
  const description = described === undefined ? {} : { description: described };
  const oneOf = options.version === "v3" ? oneOfTypes(name) : undefined;
  if (oneOf) {
    const format = node.format === undefined ? {} : { format: node.format };
    return { ...description, ...format, oneOf: oneOf.map((type) => ({ type })) };
  }
  return { ...description, ...renderNode(node, options) };
}

function renderNode(node: SchemaNode, options: RenderOptions): JsonObject {
  const prefix = options.version === "v3" ? "#/components/schemas/" : "#/definitions/";
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$ref") out[key] = prefix + refName(String(value));
    else if (key === "properties") {
      const properties: JsonObject = {};
      for (const [field, sub] of Object.entries(value as Record<string, SchemaNode>)) {
        properties[field] = renderProperty(sub, options);
      }
      out[key] = properties;
    } else if ((key === "items" || key === "additionalProperties") && typeof value === "object") {
      out[key] = renderNode(value as SchemaNode, options);
    } else out[key] = value;
  }
  return out;
}

function renderProperty(node: SchemaNode, options: RenderOptions): JsonObject {
  const rendered = renderNode(node, options);
  const description = options.describe ? fieldDescription(node, options.table) : undefined;
  if (description !== undefined) rendered.description = description;
  if (options.version === "v3" && rendered.$ref !== undefined && Object.keys(rendered).length > 1) {
    const { $ref, ...siblings } = rendered;
    return { allOf: [{ $ref }], ...siblings };
  }
  return rendered;
}

const REFERENCE = "https://kubernetes.io/docs/reference/kubernetes-api/";

function definitionDescription(name: string, node: SchemaNode): string | undefined {
  const gvk = node["x-kubernetes-group-version-kind"]?.[0];
  if (!gvk) return undefined;
  const gv = gvk.group === "" ? gvk.version : `${gvk.group}/${gvk.version}`;
  return `${gvk.kind} (${gv}, ${name}). This server publishes API schemas without upstream descriptions; see ${REFERENCE} for documentation.`;
}

/**
 * What explain's `<type>` does not already say: format, quantity and int-or-string values, patch
 * strategy, list and map types. E.g. `Strategic merge patch: merge by key "name". List type: map,
 * keys: name.` Undefined when there is nothing to add (explain then prints "<no description>").
 */
export function fieldDescription(field: SchemaNode, table: SchemaTable): string | undefined {
  const { node, shape } = table.deref(field);
  const sentences: string[] = [];
  if (shape === "quantity")
    sentences.push('Quantity: a number, or a string such as "250m" or "1Gi"');
  else if (shape === "int-or-string") sentences.push("An integer or a string");
  else if (shape === "any") sentences.push("Any JSON value");
  else if (node.format !== undefined) sentences.push(`Format: ${node.format}`);
  const strategy = field["x-kubernetes-patch-strategy"];
  if (strategy !== undefined) {
    const key = field["x-kubernetes-patch-merge-key"];
    sentences.push(`Strategic merge patch: ${strategy}${key ? ` by key "${key}"` : ""}`);
  }
  const listType = field["x-kubernetes-list-type"];
  if (listType !== undefined) {
    const keys = field["x-kubernetes-list-map-keys"];
    sentences.push(`List type: ${listType}${keys ? `, keys: ${keys.join(", ")}` : ""}`);
  }
  const mapType = field["x-kubernetes-map-type"] ?? node["x-kubernetes-map-type"];
  if (mapType !== undefined) sentences.push(`Map type: ${mapType}`);
  return sentences.length === 0 ? undefined : `${sentences.join(". ")}.`;
}
