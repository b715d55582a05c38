/**
 * The OpenAPI v3 documents the API server publishes: one per group-version
 * (`/openapi/v3/api/v1`, `/openapi/v3/apis/apps/v1`, …) with the served resources' paths and the
 * schemas they reach, and the `/openapi/v3` index pointing at each with a content hash.
 *
 * kubectl needs them for `--validate=strict` (every PATCH operation tagged with the kind carries a
 * `fieldValidation` parameter), for `explain` (a resource path whose operations carry the kind, a
 * component schema tagged with the same kind) and for client-side apply (strategic merge patch
 * computed from `x-kubernetes-patch-*` when the PATCH operation offers that content type).
 * The shapes follow upstream's api/openapi-spec/v3 documents.
 */
import { createHash } from "node:crypto";
import { type PathItem, type ResourceSpec, resourcePaths } from "./openapi-paths.ts";
import { definitionClosure, type JsonObject, renderDefinitions } from "./openapi-schemas.ts";
import { builtinSchema, type GroupVersion, type SchemaTable } from "./schema.ts";

export interface OpenAPIOptions {
  /** Defaults to the built-in table. */
  readonly table?: SchemaTable;
  /** Give fields short generated descriptions (default true); false makes smaller documents. */
  readonly describe?: boolean;
}

export interface OpenAPIV3Index {
  readonly paths: Readonly<Record<string, { readonly serverRelativeURL: string }>>;
}

export interface PublishedDocument {
  /** The serialized document, served as is. */
  readonly json: string;
  /** Uppercase hex SHA-512 of `json`, as in `?hash=`. */
  readonly hash: string;
}

export interface PublishedOpenAPIV3 {
  readonly index: OpenAPIV3Index;
  /** Keyed by the index path: "api/v1", "apis/apps/v1". */
  readonly documents: ReadonlyMap<string, PublishedDocument>;
}

/** "api/v1" for the core group, "apis/<group>/<version>" otherwise. */
export function openAPIV3Path(gv: GroupVersion): string {
  return gv.group === "" ? `api/${gv.version}` : `apis/${gv.group}/${gv.version}`;
}

/** The v3 document of one group-version, from the resources served in it. */
export function buildOpenAPIV3(
  gv: GroupVersion,
  resources: readonly ResourceSpec[],
  options: OpenAPIOptions = {},
): JsonObject {
  const table = options.table ?? builtinSchema();
  const served = resources.filter((r) => r.group === gv.group && r.version === gv.version);
  const items = served.flatMap((r) => resourcePaths(r, table));
  const names = definitionClosure(referencedDefinitions(items), table);
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "unversioned" },
    paths: Object.fromEntries(
      sortByPath(items).map((item) => [item.path, renderPathItemV3(item)] as const),
    ),
    components: {
      schemas: renderDefinitions(names, {
        table,
        version: "v3",
        describe: options.describe ?? true,
      }),
      securitySchemes: {
        BearerToken: { type: "apiKey", name: "authorization", in: "header" },
      },
    },
  };
}

/** Every group-version's document, serialized and hashed, and the index that lists them. */
export function publishOpenAPIV3(
  resources: readonly ResourceSpec[],
  options: OpenAPIOptions = {},
): PublishedOpenAPIV3 {
  const groupVersions = new Map<string, GroupVersion>();
  for (const r of resources)
    groupVersions.set(openAPIV3Path(r), { group: r.group, version: r.version });
  const documents = new Map<string, PublishedDocument>();
  for (const [path, gv] of [...groupVersions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const json = JSON.stringify(buildOpenAPIV3(gv, resources, options));
    documents.set(path, { json, hash: documentHash(json) });
  }
  return { index: buildOpenAPIV3Index(documents), documents };
}

/** The `/openapi/v3` answer for documents keyed by path. */
export function buildOpenAPIV3Index(
  documents: ReadonlyMap<string, { readonly hash: string }>,
): OpenAPIV3Index {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [path, { hash }] of documents) {
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  }
  return { paths };
}

export function documentHash(json: string): string {
  return createHash("sha512").update(json).digest("hex").toUpperCase();
}

/** Definitions named by operations' bodies and responses. */
export function referencedDefinitions(items: readonly PathItem[]): Set<string> {
  const names = new Set<string>();
  for (const op of items.flatMap((item) => item.operations)) {
    if (op.requestBody) names.add(op.requestBody.definition);
    for (const response of op.responses) {
      if (response.definition !== undefined) names.add(response.definition);
    }
  }
  return names;
}

export function sortByPath(items: readonly PathItem[]): PathItem[] {
  return [...items].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function renderPathItemV3(item: PathItem): JsonObject {
  const out: JsonObject = { parameters: item.parameters.map(parameterV3) };
  for (const op of item.operations) {
    const responses: JsonObject = {};
    for (const r of op.responses) {
      const schema =
        r.definition === undefined
          ? { type: "string" }
          : { $ref: `#/components/schemas/${r.definition}` };
      responses[r.code] = {
        description: STATUS_TEXT[r.code],
        content: Object.fromEntries(r.contentTypes.map((t) => [t, { schema }])),
      };
    }
    responses["401"] = { description: "Unauthorized" };
    const body = op.requestBody;
    out[op.method] = {
      operationId: op.operationId,
      tags: [op.tag],
      parameters: op.parameters.map(parameterV3),
      ...(body && {
        requestBody: {
          content: Object.fromEntries(
            body.contentTypes.map((t) => [
              t,
              { schema: { $ref: `#/components/schemas/${body.definition}` } },
            ]),
          ),
          ...(body.required && { required: true }),
        },
      }),
      responses,
      "x-kubernetes-action": op.action,
      "x-kubernetes-group-version-kind": {
        group: op.gvk.group,
        kind: op.gvk.kind,
        version: op.gvk.version,
      },
    };
  }
  return out;
}

function parameterV3(p: PathItem["parameters"][number]): JsonObject {
  return {
    name: p.name,
    in: p.in,
    ...(p.required && { required: true }),
    schema: { type: p.type, uniqueItems: true },
  };
}

export const STATUS_TEXT = { "200": "OK", "201": "Created", "202": "Accepted" } as const;
