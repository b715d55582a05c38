import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  acceptedStatus,
  customResourceDefinitionResource as resource,
  customResourceDefinitionStrategy as strategy,
} from "./crd-strategy.ts";
import { widgetCRD } from "./testing.ts";

describe("CustomResourceDefinition resource", () => {
  test("served as apiextensions.k8s.io/v1, cluster-scoped, with status", () => {
    assert.deepEqual(
      [resource.group, resource.version, resource.plural, resource.singular, resource.namespaced],
      [
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "customresourcedefinition",
        false,
      ],
    );
    assert.deepEqual(resource.shortNames, ["crd", "crds"]);
    assert.deepEqual(resource.subresources, ["status"]);
  });

  test("defaults: singular, listKind, conversion, preserveUnknownFields", () => {
    const crd = widgetCRD();
    crd.spec.names = { plural: "widgets", kind: "Widget" };
    delete crd.spec.conversion;
    strategy.defaults!(crd);
    assert.deepEqual(crd.spec.names, {
      plural: "widgets",
      kind: "Widget",
      singular: "widget",
      listKind: "WidgetList",
    });
    assert.deepEqual(crd.spec.conversion, { strategy: "None" });
    assert.equal(crd.spec.preserveUnknownFields, false);
    assert.equal(crd.spec.versions[0]!.served, true);
  });

  test("prepareForCreate records the storage version and nothing else", () => {
    const crd = widgetCRD();
    crd.status = { conditions: [{ type: "Established", status: "True" }] };
    strategy.prepareForCreate!(crd, 0);
    assert.deepEqual(crd.status, { storedVersions: ["v1"] });
  });

  test("the default Name / Created At table", () => {
    const crd = widgetCRD();
    crd.metadata!.creationTimestamp = "2026-01-01T00:00:00Z";
    assert.deepEqual(
      strategy.printer!.columns.map((c) => c.name),
      ["Name", "Created At"],
    );
    assert.deepEqual(strategy.printer!.row(crd, 0), [
      "widgets.example.com",
      "2026-01-01T00:00:00Z",
    ]);
  });
});

describe("acceptedStatus", () => {
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  const t1 = Date.parse("2026-01-02T00:00:00Z");

  test("names accepted and established, as the controllers write them", () => {
    const status = acceptedStatus(widgetCRD(), t0);
    assert.deepEqual(status, {
      acceptedNames: {
        plural: "widgets",
        singular: "widget",
        kind: "Widget",
        listKind: "WidgetList",
      },
      conditions: [
        {
          type: "NamesAccepted",
          status: "True",
          reason: "NoConflicts",
          message: "no conflicts found",
          lastTransitionTime: "2026-01-01T00:00:00Z",
        },
        {
          type: "Established",
          status: "True",
          reason: "InitialNamesAccepted",
          message: "the initial names have been accepted",
          lastTransitionTime: "2026-01-01T00:00:00Z",
        },
      ],
      storedVersions: ["v1"],
    });
  });

  test("transition times only move when a condition's status changes", () => {
    const crd = widgetCRD();
    crd.status = acceptedStatus(crd, t0);
    const again = acceptedStatus(crd, t1);
    assert.deepEqual(
      again.conditions?.map((c) => c.lastTransitionTime),
      ["2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"],
    );
  });

  test("a name conflict is reported and an established CRD stays established", () => {
    const fresh = acceptedStatus(widgetCRD(), t0, { conflict: '"widgets" is already in use' });
    assert.deepEqual(
      fresh.conditions?.map((c) => [c.type, c.status, c.reason]),
      [
        ["NamesAccepted", "False", "NameConflict"],
        ["Established", "False", "NotAccepted"],
      ],
    );
    const crd = widgetCRD();
    crd.status = acceptedStatus(crd, t0);
    const later = acceptedStatus(crd, t1, { conflict: '"wg" is already in use' });
    assert.deepEqual(
      later.conditions?.map((c) => [c.type, c.status]),
      [
        ["NamesAccepted", "False"],
        ["Established", "True"],
      ],
    );
    assert.equal(later.acceptedNames?.plural, "widgets");
  });
});
