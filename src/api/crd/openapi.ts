/**
 * What the OpenAPI v3 document of a CRD's group-version needs (upstream
 * `pkg/controller/openapi/builder`): the kind's definition named like upstream
 * (`com.example.v1.Widget`: the group reversed, the version, the kind) with its
 * `x-kubernetes-group-version-kind`, the version's schema with apiVersion and kind as strings and
 * metadata as a `$ref` to ObjectMeta; the list's definition; and the `ResourceSpec` for the paths,
 * without strategic merge patch. Add the definitions with `builtinSchema().with(definitions)` and
 * pass the table and the spec to `buildOpenAPIV3`.
 */
import type { CustomResourceDefinition } from "../generated/types.ts";
import type { ResourceSpec, SubresourceSpec } from "../schema/openapi-paths.ts";
import type { SchemaNode } from "../schema/schema.ts";
import { wellKnownSubresource } from "../schema/subresources.ts";
import { crdSchema, crdVersion } from "./custom-resource.ts";
import type { Schema } from "./json-schema.ts";

export const OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
export const LIST_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";

export interface CRDOpenAPI {
  /** The kind's and the list's definitions, keyed by name. */
  readonly definitions: Readonly<Record<string, SchemaNode>>;
  /** The kind's definition name, e.g. `com.example.v1.Widget`. */
  readonly definitionName: string;
  readonly resource: ResourceSpec;
}

/** `com.example.v1.Widget` for group example.com, version v1, kind Widget. */
export function crdDefinitionName(group: string, version: string, kind: string): string {
  return [...group.split(".").reverse(), version, kind].join(".");
}

/** Schema keywords published as is (JSON-Schema validation and Kubernetes extensions). */
const published = new Set([
  "type",
  "format",
  "description",
  "title",
  "default",
  "example",
  "externalDocs",
  "enum",
  "nullable",
  "maximum",
  "exclusiveMaximum",
  "minimum",
  "exclusiveMinimum",
  "multipleOf",
  "maxLength",
  "minLength",
  "pattern",
  "maxItems",
  "minItems",
  "uniqueItems",
  "maxProperties",
  "minProperties",
  "required",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
  "x-kubernetes-int-or-string",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-map-type",
  "x-kubernetes-validations",
]);

/** A JSONSchemaProps as a published schema node. */
export function toSchemaNode(s: Schema): SchemaNode {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(s)) {
    if (published.has(key)) out[key] = structuredClone(value);
  }
  if (s.properties) {
    out.properties = Object.fromEntries(
      Object.entries(s.properties).map(([k, p]) => [k, toSchemaNode(p)]),
    );
  }
  if (s.items !== undefined && !Array.isArray(s.items)) out.items = toSchemaNode(s.items);
  if (s.additionalProperties !== undefined) {
    const ap = s.additionalProperties;
    out.additionalProperties = typeof ap === "boolean" ? ap : toSchemaNode(ap);
  }
  for (const junctor of ["allOf", "anyOf", "oneOf"] as const) {
    if (s[junctor]) out[junctor] = s[junctor].map(toSchemaNode);
  }
  if (s.not) out.not = toSchemaNode(s.not);
  return out as SchemaNode;
}

function resourceSpec(crd: CustomResourceDefinition, version: string): ResourceSpec {
  const v = crdVersion(crd, version);
  const gvk = { group: crd.spec.group, version, kind: crd.spec.names.kind };
  const subresources: SubresourceSpec[] = [];
  for (const name of ["status", "scale"] as const) {
    const sub = v.subresources?.[name] === undefined ? undefined : wellKnownSubresource(name, gvk);
    if (sub) subresources.push(sub);
  }
  return {
    ...gvk,
    plural: crd.spec.names.plural,
    namespaced: crd.spec.scope === "Namespaced",
    verbs: ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"],
    ...(subresources.length > 0 && { subresources }),
    strategicMergePatch: false,
  };
}

/** The definitions and the resource spec of one served version of `crd`. */
export function crdOpenAPIDefinitions(crd: CustomResourceDefinition, version: string): CRDOpenAPI {
  const { group, names } = crd.spec;
  const name = crdDefinitionName(group, version, names.kind);
  const listKind = names.listKind || `${names.kind}List`;
  const root = toSchemaNode(crdSchema(crd, version));
  const kind: SchemaNode = {
    ...root,
    type: "object",
    properties: {
      ...root.properties,
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { $ref: OBJECT_META },
    },
    "x-kubernetes-group-version-kind": [{ group, kind: names.kind, version }],
  };
  const list: SchemaNode = {
    type: "object",
    required: ["items"],
    properties: {
      apiVersion: { type: "string" },
      items: { type: "array", items: { $ref: name } },
      kind: { type: "string" },
      metadata: { $ref: LIST_META },
    },
    "x-kubernetes-group-version-kind": [{ group, kind: listKind, version }],
  };
  const listName = crdDefinitionName(group, version, listKind);
  return {
    definitions: { [name]: kind, [listName]: list },
    definitionName: name,
    resource: resourceSpec(crd, version),
  };
}
