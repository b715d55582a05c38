import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  builtinSchema,
  definitionFor,
  oneOfTypes,
  refName,
  resolve,
  type SchemaNode,
  SchemaTable,
} from "./schema.ts";

describe("schema table", () => {
  test("holds every upstream definition, without prose", () => {
    const table = builtinSchema();
    assert.equal(Object.keys(table.definitions).length, 730);
    const prose: string[] = [];
    const walk = (node: SchemaNode, where: string) => {
      if ("description" in node) prose.push(where);
      for (const [name, sub] of Object.entries(node.properties ?? {}))
        walk(sub, `${where}.${name}`);
      if (node.items) walk(node.items, `${where}[]`);
      if (typeof node.additionalProperties === "object") walk(node.additionalProperties, where);
    };
    for (const [name, node] of Object.entries(table.definitions)) walk(node, name);
    assert.deepEqual(prose, []);
    // JSONSchemaProps has a *field* called description; that is structure, not prose.
    assert.ok(
      resolve("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps")
        ?.properties?.description,
    );
    assert.equal(builtinSchema(), table, "loaded once");
  });

  test("finds definitions by group, version and kind", () => {
    const pod = definitionFor({ group: "", version: "v1", kind: "Pod" });
    assert.deepEqual(Object.keys(pod?.properties ?? {}), [
      "apiVersion",
      "kind",
      "metadata",
      "spec",
      "status",
    ]);
    const table = builtinSchema();
    assert.equal(
      table.definitionNameFor({ group: "apps", version: "v1", kind: "Deployment" }),
      "io.k8s.api.apps.v1.Deployment",
    );
    assert.equal(
      table.definitionNameFor({ group: "events.k8s.io", version: "v1", kind: "Event" }),
      "io.k8s.api.events.v1.Event",
    );
    assert.equal(
      table.definitionNameFor({ group: "", version: "v1", kind: "Event" }),
      "io.k8s.api.core.v1.Event",
    );
    assert.equal(
      table.definitionNameFor({ group: "apps", version: "v1", kind: "DeleteOptions" }),
      "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
    );
    assert.equal(definitionFor({ group: "example.com", version: "v1", kind: "Widget" }), undefined);
  });

  test("keeps required fields, enums and x-kubernetes extensions", () => {
    const spec = resolve("io.k8s.api.core.v1.PodSpec");
    assert.deepEqual(spec?.required, ["containers"]);
    assert.equal(spec?.properties?.containers?.["x-kubernetes-patch-merge-key"], "name");
    assert.deepEqual(spec?.properties?.restartPolicy?.enum, ["Always", "Never", "OnFailure"]);
    const deployment = resolve("#/definitions/io.k8s.api.apps.v1.Deployment");
    assert.deepEqual(deployment?.["x-kubernetes-group-version-kind"], [
      { group: "apps", kind: "Deployment", version: "v1" },
    ]);
    assert.equal(deployment?.properties?.spec?.$ref, "io.k8s.api.apps.v1.DeploymentSpec");
  });

  test("resolves refs in any of the document prefixes", () => {
    assert.equal(refName("#/components/schemas/io.k8s.api.core.v1.Pod"), "io.k8s.api.core.v1.Pod");
    assert.ok(resolve("#/components/schemas/io.k8s.api.core.v1.Pod"));
    assert.equal(resolve("io.k8s.api.core.v1.Nope"), undefined);
  });

  test("classifies values as the decoder sees them", () => {
    const table = builtinSchema();
    const shape = (ref: string) => table.deref({ $ref: ref }).shape;
    assert.equal(shape("io.k8s.api.core.v1.Pod"), "struct");
    assert.equal(shape("io.k8s.apimachinery.pkg.api.resource.Quantity"), "quantity");
    assert.equal(shape("io.k8s.apimachinery.pkg.util.intstr.IntOrString"), "int-or-string");
    assert.equal(shape("io.k8s.apimachinery.pkg.runtime.RawExtension"), "any");
    assert.equal(shape("io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1"), "any");
    assert.equal(shape("io.k8s.apimachinery.pkg.apis.meta.v1.Time"), "string");
    assert.equal(table.deref({ type: "array", items: { type: "string" } }).shape, "list");
    assert.equal(
      table.deref({ type: "object", additionalProperties: { type: "string" } }).shape,
      "map",
    );
    assert.deepEqual(oneOfTypes("io.k8s.apimachinery.pkg.api.resource.Quantity"), [
      "string",
      "number",
    ]);
  });

  test("extends with more definitions without changing the built-in table", () => {
    const widget = {
      type: "object",
      properties: { spec: { type: "object" } },
      "x-kubernetes-group-version-kind": [{ group: "example.com", version: "v1", kind: "Widget" }],
    };
    const table = builtinSchema().with({ "com.example.v1.Widget": widget });
    assert.ok(table instanceof SchemaTable);
    assert.equal(
      table.definitionFor({ group: "example.com", version: "v1", kind: "Widget" }),
      widget,
    );
    assert.ok(table.definitionFor({ group: "", version: "v1", kind: "Pod" }));
    assert.equal(definitionFor({ group: "example.com", version: "v1", kind: "Widget" }), undefined);
  });
});
