/**
 * The OpenAPI documents the server publishes (v3 per group-version; v2 as JSON, or as gnostic
 * protobuf, the only form kubectl reads), built from the catalog when it changes.
 */

import { publishOpenAPIV3 } from "../../api/schema/openapi.ts";
import type { ResourceSpec } from "../../api/schema/openapi-paths.ts";
import { buildOpenAPIV2 } from "../../api/schema/openapi-v2.ts";
import { builtinSchema, type SchemaNode, type SchemaTable } from "../../api/schema/schema.ts";
import { wellKnownSubresource } from "../../api/schema/subresources.ts";
import { encodeOpenAPIV2, openAPIV2ProtobufTypes } from "../../machinery/protobuf/openapi-v2.ts";
import type { Catalog } from "../catalog.ts";
import { verbsOf } from "./discovery.ts";

export interface OpenAPIDocument {
  readonly body: string | Uint8Array;
  readonly contentType: string;
  readonly etag?: string;
}

export interface OpenAPIDocuments {
  lookup(path: string, accept: string | undefined): OpenAPIDocument | undefined;
}

export function resourceSpecs(catalog: Catalog): ResourceSpec[] {
  return catalog.registries.map(
    ({ definition: def }) =>
      def.openapi?.resource ?? {
        group: def.group,
        version: def.version,
        kind: def.kind,
        plural: def.plural,
        namespaced: def.namespaced,
        verbs: verbsOf(def),
        subresources: (def.subresources ?? []).flatMap((name) => {
          const sub = wellKnownSubresource(name, def);
          return sub ? [sub] : [];
        }),
      },
  );
}

function schemaTable(catalog: Catalog): SchemaTable {
  const extra: Record<string, SchemaNode> = {};
  for (const { definition } of catalog.registries)
    Object.assign(extra, definition.openapi?.definitions);
  return Object.keys(extra).length > 0 ? builtinSchema().with(extra) : builtinSchema();
}

/** The documents, rebuilt when the catalog changes (custom resources come and go). */
export function buildOpenAPIDocuments(catalog: Catalog): OpenAPIDocuments {
  let built = -1;
  let specs: ResourceSpec[] = [];
  let table: SchemaTable = builtinSchema();
  let v3: ReturnType<typeof publishOpenAPIV3> | undefined;
  let index = "";
  let v2:
    | { doc: ReturnType<typeof buildOpenAPIV2>; json?: string; protobuf?: Uint8Array }
    | undefined;
  const refresh = () => {
    if (built === catalog.generation && v3) return v3;
    built = catalog.generation;
    specs = resourceSpecs(catalog);
    table = schemaTable(catalog);
    v3 = publishOpenAPIV3(specs, { table });
    index = JSON.stringify(v3.index);
    v2 = undefined;
    return v3;
  };
  const json = (body: string, etag?: string): OpenAPIDocument => ({
    body,
    contentType: "application/json",
    ...(etag ? { etag } : {}),
  });
  return {
    lookup(path, accept) {
      const v3 = refresh();
      if (path === "/openapi/v3") return json(index);
      if (path.startsWith("/openapi/v3/")) {
        const doc = v3.documents.get(path.slice("/openapi/v3/".length));
        return doc ? json(doc.json, doc.hash) : undefined;
      }
      if (path === "/openapi/v2") {
        const protobufType = openAPIV2ProtobufTypes.find((t) => accept?.includes(t));
        const wantsJson = !accept || /application\/json|\*\/\*/.test(accept);
        if (!protobufType && !wantsJson) return undefined;
        v2 ??= { doc: buildOpenAPIV2(specs, { table }) };
        if (!protobufType) {
          v2.json ??= JSON.stringify(v2.doc);
          return json(v2.json);
        }
        v2.protobuf ??= encodeOpenAPIV2(v2.doc);
        // The `@` spelling is not a valid media type: client-go's mime parser refuses it.
        return { body: v2.protobuf, contentType: openAPIV2ProtobufTypes[1] };
      }
      return undefined;
    },
  };
}
