/**
 * The OpenAPI documents the server publishes (v3 per group-version, v2 as JSON), built once from
 * the catalog at start.
 */

import { publishOpenAPIV3 } from "../../api/schema/openapi.ts";
import type { ResourceSpec } from "../../api/schema/openapi-paths.ts";
import { buildOpenAPIV2 } from "../../api/schema/openapi-v2.ts";
import { wellKnownSubresource } from "../../api/schema/subresources.ts";
import type { Catalog } from "../catalog.ts";
import { verbsOf } from "./discovery.ts";

export interface OpenAPIDocument {
  readonly json: string;
  readonly etag?: string;
}

export interface OpenAPIDocuments {
  lookup(path: string, accept: string | undefined): OpenAPIDocument | undefined;
}

export function resourceSpecs(catalog: Catalog): ResourceSpec[] {
  return catalog.registries.map(({ definition: def }) => ({
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
  }));
}

export function buildOpenAPIDocuments(catalog: Catalog): OpenAPIDocuments {
  const specs = resourceSpecs(catalog);
  const v3 = publishOpenAPIV3(specs);
  const index = JSON.stringify(v3.index);
  let v2: string | undefined;
  return {
    lookup(path, accept) {
      if (path === "/openapi/v3") return { json: index };
      if (path.startsWith("/openapi/v3/")) {
        const doc = v3.documents.get(path.slice("/openapi/v3/".length));
        return doc ? { json: doc.json, etag: doc.hash } : undefined;
      }
      if (path === "/openapi/v2") {
        // kubectl asks for protobuf only; a 404 makes it fall back quietly.
        if (accept && !/application\/json|\*\/\*/.test(accept)) return undefined;
        v2 ??= JSON.stringify(buildOpenAPIV2(specs));
        return { json: v2 };
      }
      return undefined;
    },
  };
}
