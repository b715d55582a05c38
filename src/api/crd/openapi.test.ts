import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildOpenAPIV3 } from "../schema/openapi.ts";
import { builtinSchema } from "../schema/schema.ts";
import { crdDefinitionName, crdOpenAPIDefinitions } from "./openapi.ts";
import { widgetCRD } from "./testing.ts";

describe("CRD OpenAPI definitions", () => {
  test("names like upstream: reversed group, version, kind", () => {
    assert.equal(crdDefinitionName("example.com", "v1", "Widget"), "com.example.v1.Widget");
    assert.equal(
      crdDefinitionName("stable.example.com", "v1beta1", "CronTab"),
      "com.example.stable.v1beta1.CronTab",
    );
  });

  test("the kind and its list, with group-version-kind and meta references", () => {
    const crd = widgetCRD();
    crd.spec.versions[0]!.schema!.openAPIV3Schema!.properties!.metadata = { type: "object" };
    const { definitions, definitionName, resource } = crdOpenAPIDefinitions(crd, "v1");
    assert.equal(definitionName, "com.example.v1.Widget");
    assert.deepEqual(Object.keys(definitions), [
      "com.example.v1.Widget",
      "com.example.v1.WidgetList",
    ]);
    const kind = definitions["com.example.v1.Widget"]!;
    assert.deepEqual(kind["x-kubernetes-group-version-kind"], [
      { group: "example.com", kind: "Widget", version: "v1" },
    ]);
    assert.equal(kind.type, "object");
    assert.deepEqual(kind.properties?.metadata, {
      $ref: "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
    });
    assert.deepEqual(kind.properties?.apiVersion, { type: "string" });
    assert.deepEqual(kind.properties?.spec?.required, ["size"]);
    assert.deepEqual(kind.properties?.spec?.properties?.size?.enum, ["S", "M", "L"]);
    const list = definitions["com.example.v1.WidgetList"]!;
    assert.deepEqual(list.properties?.items, {
      type: "array",
      items: { $ref: "com.example.v1.Widget" },
    });
    assert.deepEqual(list["x-kubernetes-group-version-kind"], [
      { group: "example.com", kind: "WidgetList", version: "v1" },
    ]);
    assert.deepEqual(resource, {
      group: "example.com",
      version: "v1",
      kind: "Widget",
      plural: "widgets",
      namespaced: true,
      verbs: ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"],
      subresources: [{ name: "status", verbs: ["get", "patch", "update"] }],
      strategicMergePatch: false,
    });
  });

  test("a published document: paths, no strategic merge patch, schemas for explain", () => {
    const crd = widgetCRD();
    crd.spec.versions[0]!.subresources = {
      status: {},
      scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" },
    };
    const { definitions, resource } = crdOpenAPIDefinitions(crd, "v1");
    const table = builtinSchema().with(definitions);
    const doc = buildOpenAPIV3({ group: "example.com", version: "v1" }, [resource], { table }) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const item = doc.paths["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"]!;
    assert.deepEqual(Object.keys(item.patch!.requestBody!.content), [
      "application/json-patch+json",
      "application/merge-patch+json",
      "application/apply-patch+yaml",
    ]);
    assert.ok(doc.paths["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/scale"]);
    assert.ok(doc.paths["/apis/example.com/v1/widgets"]);
    const schemas = doc.components.schemas;
    assert.ok(schemas["com.example.v1.Widget"]?.properties?.spec);
    assert.ok(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]);
    assert.ok(schemas["io.k8s.api.autoscaling.v1.Scale"]);
  });
});
