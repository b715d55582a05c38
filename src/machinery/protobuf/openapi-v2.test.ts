/** Swagger 2.0 JSON → gnostic `openapi.v2.Document`: field numbers, maps as lists, YAML values. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeOpenAPIV2, encodeOpenAPIV2 } from "./openapi-v2.ts";

type Msg = Record<string, any>;

const doc = {
  swagger: "2.0",
  info: { title: "Kubernetes", version: "unversioned" },
  paths: {
    "/api/v1/namespaces/{namespace}/configmaps/{name}": {
      parameters: [{ name: "name", in: "path", required: true, type: "string", uniqueItems: true }],
      patch: {
        operationId: "patchCoreV1NamespacedConfigMap",
        consumes: ["application/merge-patch+json"],
        parameters: [
          { name: "body", in: "body", required: true, schema: { $ref: "#/definitions/Patch" } },
          { name: "fieldValidation", in: "query", type: "string", uniqueItems: true },
        ],
        responses: { "200": { description: "OK", schema: { $ref: "#/definitions/ConfigMap" } } },
        "x-kubernetes-group-version-kind": { group: "", version: "v1", kind: "ConfigMap" },
      },
    },
  },
  definitions: {
    ConfigMap: {
      type: "object",
      required: ["data"],
      properties: {
        data: { type: "object", additionalProperties: { type: "string" } },
        items: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" },
        protocol: { type: "string", default: "TCP", enum: ["TCP", "UDP"] },
      },
      "x-kubernetes-group-version-kind": [{ group: "", kind: "ConfigMap", version: "v1" }],
    },
    Patch: { type: "object" },
  },
  securityDefinitions: { BearerToken: { type: "apiKey", name: "authorization", in: "header" } },
  security: [{ BearerToken: [] }],
};

describe("encodeOpenAPIV2", () => {
  it("writes gnostic's field numbers", () => {
    const bytes = encodeOpenAPIV2({ swagger: "2.0" });
    assert.deepEqual([...bytes], [0x0a, 3, ...Buffer.from("2.0")]);
    // Document.definitions = 9 → NamedSchema list = 1 → Schema.vendor_extension = 31.
    const ext = encodeOpenAPIV2({ definitions: { A: { "x-a": 1 } } });
    assert.equal(ext[0], (9 << 3) | 2);
    assert.ok(Buffer.from(ext).includes(Buffer.from([0xfa, 0x01])), "tag of field 31");
  });

  it("keeps maps as ordered (name, value) lists and values as YAML text", () => {
    const out = decodeOpenAPIV2(encodeOpenAPIV2(doc)) as Msg;
    assert.equal(out.swagger, "2.0");
    assert.deepEqual(out.info, { title: "Kubernetes", version: "unversioned" });
    const [cm, patch] = out.definitions.additionalProperties;
    assert.equal(cm.name, "ConfigMap");
    assert.equal(patch.name, "Patch");
    assert.deepEqual(cm.value.type, { value: ["object"] });
    assert.deepEqual(cm.value.required, ["data"]);
    const props = cm.value.properties.additionalProperties as Msg[];
    assert.deepEqual(
      props.map((p) => p.name),
      ["data", "items", "protocol"],
    );
    assert.deepEqual(props[0]!.value.additionalProperties.schema.type, { value: ["string"] });
    assert.deepEqual(props[1]!.value.items.schema[0].type, { value: ["string"] });
    assert.deepEqual(props[2]!.value.default, { yaml: '"TCP"\n' });
    assert.deepEqual(
      props[2]!.value.enum.map((e: Msg) => e.yaml),
      ['"TCP"\n', '"UDP"\n'],
    );
    const gvk = cm.value.vendorExtension[0];
    assert.equal(gvk.name, "x-kubernetes-group-version-kind");
    assert.deepEqual(JSON.parse(gvk.value.yaml), [{ group: "", kind: "ConfigMap", version: "v1" }]);
  });

  it("encodes operations: body, path and query parameters, responses, extensions", () => {
    const out = decodeOpenAPIV2(encodeOpenAPIV2(doc)) as Msg;
    const [item] = out.paths.path;
    assert.equal(item.name, "/api/v1/namespaces/{namespace}/configmaps/{name}");
    assert.deepEqual(item.value.parameters[0].parameter.nonBodyParameter.pathParameterSubSchema, {
      name: "name",
      in: "path",
      required: true,
      type: "string",
      uniqueItems: true,
    });
    const op = item.value.patch;
    assert.equal(op.operationId, "patchCoreV1NamespacedConfigMap");
    assert.equal(op.parameters[0].parameter.bodyParameter.schema.ref, "#/definitions/Patch");
    assert.equal(
      op.parameters[1].parameter.nonBodyParameter.queryParameterSubSchema.name,
      "fieldValidation",
    );
    const ok = op.responses.responseCode[0];
    assert.equal(ok.name, "200");
    assert.equal(ok.value.response.schema.schema.ref, "#/definitions/ConfigMap");
    assert.equal(op.vendorExtension[0].name, "x-kubernetes-group-version-kind");
    assert.deepEqual(out.security[0].additionalProperties, [{ name: "BearerToken", value: {} }]);
    assert.deepEqual(out.securityDefinitions.additionalProperties[0].value.apiKeySecurity, {
      type: "apiKey",
      name: "authorization",
      in: "header",
    });
  });
});
