import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "../object.ts";
import { customResourceDefinitionFor } from "./custom-resource.ts";
import { messages, widgetCRD } from "./testing.ts";

function scaledCRD() {
  const crd = widgetCRD();
  const v1 = crd.spec.versions[0]!;
  v1.subresources = {
    status: {},
    scale: {
      specReplicasPath: ".spec.replicas",
      statusReplicasPath: ".status.replicas",
      labelSelectorPath: ".status.selector",
    },
  };
  v1.schema!.openAPIV3Schema!.properties!.status!.properties!.selector = { type: "string" };
  crd.spec.names.shortNames = ["wg"];
  crd.spec.names.categories = ["all"];
  return crd;
}

describe("customResourceDefinitionFor", () => {
  test("names, scope, subresources and scale paths", () => {
    const def = customResourceDefinitionFor(scaledCRD(), "v1");
    assert.deepEqual(
      {
        group: def.group,
        version: def.version,
        kind: def.kind,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: def.categories,
        namespaced: def.namespaced,
        subresources: def.subresources,
        scale: def.scale,
      },
      {
        group: "example.com",
        version: "v1",
        kind: "Widget",
        plural: "widgets",
        singular: "widget",
        shortNames: ["wg"],
        categories: ["all"],
        namespaced: true,
        subresources: ["status", "scale"],
        scale: {
          specReplicasPath: "spec.replicas",
          statusReplicasPath: "status.replicas",
          labelSelectorPath: "status.selector",
        },
      },
    );
    assert.equal(def.strategy.tracksGeneration, true);
  });

  test("a cluster-scoped CRD without subresources", () => {
    const crd = widgetCRD();
    crd.spec.scope = "Cluster";
    delete crd.spec.versions[0]!.subresources;
    const def = customResourceDefinitionFor(crd, "v1");
    assert.equal(def.namespaced, false);
    assert.equal(def.subresources, undefined);
    assert.throws(() => customResourceDefinitionFor(crd, "v2"), /has no version "v2"/);
  });

  test("defaults prune unknown fields and apply schema defaults", () => {
    const { strategy } = customResourceDefinitionFor(widgetCRD(), "v1");
    const obj: KubeObject = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w", namespace: "default" },
      spec: { size: "S", bogus: 1 },
    };
    strategy.defaults!(obj);
    assert.deepEqual(obj.spec, { size: "S", replicas: 1 });
  });

  test("validation against the schema and the scale paths", () => {
    const { strategy } = customResourceDefinitionFor(scaledCRD(), "v1");
    const obj: KubeObject = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      spec: { replicas: -1 },
      status: { replicas: "two" },
    };
    assert.deepEqual(messages(strategy.validate!(obj)), [
      "spec.size: Required value",
      "spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0",
      'status.replicas: Invalid value: "string": status.replicas in body must be of type integer: "string"',
      ".spec.replicas: Invalid value: -1: should be a non-negative integer",
      ".status.replicas: Invalid value: 0: .status.replicas accessor error: two is of the type string, expected int64",
    ]);
  });

  test("printer columns, selectable fields and deprecation warnings", () => {
    const crd = widgetCRD();
    const v1 = crd.spec.versions[0]!;
    v1.additionalPrinterColumns = [{ name: "Size", type: "string", jsonPath: ".spec.size" }];
    v1.selectableFields = [{ jsonPath: ".spec.color" }];
    v1.deprecated = true;
    const { strategy } = customResourceDefinitionFor(crd, "v1");
    const obj: KubeObject = { metadata: { name: "w" }, spec: { size: "L", color: "blue" } };
    assert.deepEqual(strategy.printer!.row(obj, 0), ["w", "L"]);
    assert.deepEqual(strategy.selectableFields!(obj), { "spec.color": "blue" });
    assert.deepEqual(strategy.warnings!(obj, undefined), ["example.com/v1 Widget is deprecated"]);
  });

  test("established CRDs serve their accepted names", () => {
    const crd = widgetCRD();
    crd.status!.acceptedNames = {
      plural: "widgets",
      kind: "Widget",
      singular: "widget",
      shortNames: ["w"],
    };
    crd.spec.names.shortNames = ["w", "wdg"];
    assert.deepEqual(customResourceDefinitionFor(crd, "v1").shortNames, ["w"]);
  });
});
