/** The published OpenAPI documents: v3 as JSON, v2 as JSON or as the protobuf kubectl reads. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { builtinResources } from "../../api/kinds/index.ts";
import { FakeClock } from "../../machinery/clock.ts";
import { decodeOpenAPIV2 } from "../../machinery/protobuf/openapi-v2.ts";
import { MemoryStore } from "../../storage/memory/memory-store.ts";
import { noAdmission } from "../admission/admission.ts";
import { Catalog } from "../catalog.ts";
import { buildOpenAPIDocuments } from "./openapi.ts";

type Msg = Record<string, any>;
const kubectlAccept = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

describe("OpenAPI documents", () => {
  const clock = new FakeClock();
  const catalog = new Catalog({
    store: new MemoryStore({ clock }),
    clock,
    admission: noAdmission,
    resources: builtinResources,
  });
  const docs = buildOpenAPIDocuments(catalog);

  it("serves /openapi/v2 as gnostic protobuf for kubectl's Accept", () => {
    const started = performance.now();
    const doc = docs.lookup("/openapi/v2", kubectlAccept);
    const ms = performance.now() - started;
    assert.ok(doc);
    // client-go's mime parser refuses the `@` spelling in a response.
    assert.equal(doc.contentType, "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    assert.ok(doc.body instanceof Uint8Array);
    const v2 = decodeOpenAPIV2(doc.body) as Msg;
    assert.equal(v2.swagger, "2.0");
    const definitions = new Map<string, Msg>(
      v2.definitions.additionalProperties.map((d: Msg) => [d.name, d.value]),
    );
    const deployment = definitions.get("io.k8s.api.apps.v1.Deployment");
    const gvk = deployment?.vendorExtension.find(
      (e: Msg) => e.name === "x-kubernetes-group-version-kind",
    );
    assert.deepEqual(JSON.parse(gvk.value.yaml), [
      { group: "apps", kind: "Deployment", version: "v1" },
    ]);
    // Every $ref names a definition in the document (kube-openapi refuses unknown models).
    const refs = JSON.stringify(v2).match(/"ref":"#\/definitions\/[^"]+"/g) ?? [];
    for (const ref of new Set(refs)) {
      assert.ok(definitions.has(ref.slice('"ref":"#/definitions/'.length, -1)), ref);
    }
    assert.ok(ms < 5000, `built and encoded in ${ms} ms`);
    // Built once per catalog generation.
    assert.equal(docs.lookup("/openapi/v2", kubectlAccept)?.body, doc.body);
  });

  it("serves /openapi/v2 as JSON to JSON clients and 404s other media types", () => {
    const doc = docs.lookup("/openapi/v2", "application/json");
    assert.equal(doc?.contentType, "application/json");
    assert.equal(JSON.parse(String(doc?.body)).swagger, "2.0");
    assert.equal(docs.lookup("/openapi/v2", "application/yaml"), undefined);
  });
});
