/**
 * The OpenAPI v2 (Swagger 2.0) document as JSON, for `/openapi/v2` with `Accept: application/json`;
 * kubectl asks for v2 only as protobuf, which the API server encodes from this document
 * (`src/machinery/protobuf/openapi-v2.ts`). Same paths and definitions as the v3 documents, in v2 shapes: `consumes` and
 * `produces`, body parameters, `$ref`s under `#/definitions/`.
 */

import { type OpenAPIOptions, referencedDefinitions, STATUS_TEXT, sortByPath } from "./openapi.ts";
import type { PathItem, ResourceSpec } from "./openapi-paths.ts";
import { resourcePaths } from "./openapi-paths.ts";
import { definitionClosure, type JsonObject, renderDefinitions } from "./openapi-schemas.ts";
import { builtinSchema } from "./schema.ts";

/** The v2 document of every served resource. */
export function buildOpenAPIV2(
  resources: readonly ResourceSpec[],
  options: OpenAPIOptions = {},
): JsonObject {
  const table = options.table ?? builtinSchema();
  const items = resources.flatMap((r) => resourcePaths(r, table));
  const names = definitionClosure(referencedDefinitions(items), table);
  return {
    swagger: "2.0",
    info: { title: "Kubernetes", version: "unversioned" },
    paths: Object.fromEntries(sortByPath(items).map((item) => [item.path, renderPathItemV2(item)])),
    definitions: renderDefinitions(names, {
      table,
      version: "v2",
      describe: options.describe ?? true,
    }),
    securityDefinitions: {
      BearerToken: { type: "apiKey", name: "authorization", in: "header" },
    },
    security: [{ BearerToken: [] }],
  };
}

function renderPathItemV2(item: PathItem): JsonObject {
  const out: JsonObject = { parameters: item.parameters.map(parameterV2) };
  for (const op of item.operations) {
    const responses: JsonObject = {};
    for (const r of op.responses) {
      const schema =
        r.definition === undefined ? { type: "string" } : { $ref: `#/definitions/${r.definition}` };
      responses[r.code] = { description: STATUS_TEXT[r.code], schema };
    }
    responses["401"] = { description: "Unauthorized" };
    const body = op.requestBody;
    const bodyParameter = body && {
      name: "body",
      in: "body",
      ...(body.required && { required: true }),
      schema: { $ref: `#/definitions/${body.definition}` },
    };
    out[op.method] = {
      operationId: op.operationId,
      tags: [op.tag],
      consumes: body ? body.contentTypes : ["*/*"],
      produces: [...new Set(op.responses.flatMap((r) => r.contentTypes))],
      schemes: ["https"],
      parameters: [...(bodyParameter ? [bodyParameter] : []), ...op.parameters.map(parameterV2)],
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

function parameterV2(p: PathItem["parameters"][number]): JsonObject {
  return {
    name: p.name,
    in: p.in,
    ...(p.required && { required: true }),
    type: p.type,
    uniqueItems: true,
  };
}
