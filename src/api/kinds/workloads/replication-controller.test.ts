import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fieldErrorMessage } from "../../../machinery/field-errors.ts";
import type { ReplicationController } from "../../generated/types.ts";
import type { Obj } from "./common.ts";
import { replicationControllerResource as def } from "./replication-controller.ts";
import { createLike, updateLike, validateCreate, validateUpdate } from "./testing.ts";

type RC = Obj<ReplicationController>;

const rc = (): RC => ({
  apiVersion: "v1",
  kind: "ReplicationController",
  metadata: { name: "web", namespace: "default" },
  spec: {
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "c", image: "busybox" }] },
    },
  },
});

const statusErrors = (obj: RC): string[] =>
  (def.strategy.validateStatusUpdate?.(obj, obj) ?? []).map(fieldErrorMessage);

describe("ReplicationController defaults", () => {
  it("takes selector and labels from the template, replicas 1, and resets status", () => {
    const input = rc();
    input.status = { replicas: 7 };
    const r = createLike(def, input);
    assert.deepEqual(r.spec!.selector, { app: "web" });
    assert.deepEqual(r.metadata!.labels, { app: "web" });
    assert.equal(r.spec!.replicas, 1);
    assert.equal(r.spec!.template!.spec!.restartPolicy, "Always");
    assert.equal(r.spec!.template!.spec!.dnsPolicy, "ClusterFirst");
    assert.deepEqual(r.status, { replicas: 0 });
    assert.equal(r.metadata!.generation, 1);
    // Copies, not the template's own map.
    assert.notEqual(r.spec!.selector, r.spec!.template!.metadata!.labels);
  });

  it("keeps a selector, labels and replicas that are given", () => {
    const input = rc();
    input.metadata!.labels = { team: "a" };
    input.spec!.selector = { app: "web" };
    input.spec!.template!.metadata!.labels = { app: "web", version: "1" };
    input.spec!.replicas = 0;
    const r = createLike(def, input);
    assert.deepEqual(r.spec!.selector, { app: "web" });
    assert.deepEqual(r.metadata!.labels, { team: "a" });
    assert.equal(r.spec!.replicas, 0);
  });

  it("defaults nothing from a template without labels", () => {
    const input = rc();
    delete input.spec!.template!.metadata;
    const r = createLike(def, input);
    assert.equal(r.spec!.selector, undefined);
    assert.equal(r.metadata!.labels, undefined);
  });
});

describe("ReplicationController validation", () => {
  it("accepts a valid controller", () => {
    assert.deepEqual(validateCreate(def, createLike(def, rc())), []);
  });

  it("requires a non-empty selector and a template", () => {
    const noLabels = rc();
    delete noLabels.spec!.template!.metadata;
    assert.deepEqual(validateCreate(def, createLike(def, noLabels)), [
      "spec.selector: Required value",
    ]);
    const noTemplate = rc();
    noTemplate.spec = { selector: { app: "web" } };
    assert.deepEqual(validateCreate(def, createLike(def, noTemplate)), [
      "spec.template: Required value",
    ]);
  });

  it("requires the selector to match the template labels", () => {
    const r = rc();
    r.spec!.selector = { app: "api" };
    assert.deepEqual(validateCreate(def, createLike(def, r)), [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ]);
  });

  it("allows only restartPolicy Always, no deadline and no negative counts", () => {
    const r = rc();
    r.spec!.replicas = -1;
    r.spec!.minReadySeconds = -2;
    r.spec!.template!.spec!.restartPolicy = "OnFailure";
    r.spec!.template!.spec!.activeDeadlineSeconds = 10;
    assert.deepEqual(validateCreate(def, createLike(def, r)), [
      "spec.minReadySeconds: Invalid value: -2: must be greater than or equal to 0",
      "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
      'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
      "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicationController is not Supported",
    ]);
  });

  it("lets the selector change on update, bumping nothing itself", () => {
    const old = createLike(def, rc());
    const next = structuredClone(old);
    next.spec!.selector = { app: "web", version: "2" };
    next.spec!.template!.metadata!.labels = { app: "web", version: "2" };
    assert.deepEqual(validateUpdate(def, updateLike(def, next, old), old), []);
    next.spec!.selector = { app: "other" };
    assert.deepEqual(validateUpdate(def, updateLike(def, next, old), old), [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web", "version":"2"}: `selector` does not match template `labels`',
    ]);
  });

  it("keeps status on spec updates", () => {
    const old = createLike(def, rc());
    old.status = { replicas: 1, readyReplicas: 1 };
    const next = structuredClone(old);
    next.status = { replicas: 9 };
    next.spec!.replicas = 3;
    assert.deepEqual(updateLike(def, next, old).status, { replicas: 1, readyReplicas: 1 });
  });

  it("checks status counters against each other", () => {
    const r = createLike(def, rc());
    r.status = { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1 };
    assert.deepEqual(statusErrors(r), []);
    r.status = {
      replicas: 1,
      fullyLabeledReplicas: 2,
      readyReplicas: 1,
      availableReplicas: 3,
      observedGeneration: -1,
    };
    assert.deepEqual(statusErrors(r), [
      "status.observedGeneration: Invalid value: -1: must be greater than or equal to 0",
      "status.fullyLabeledReplicas: Invalid value: 2: cannot be greater than status.replicas",
      "status.availableReplicas: Invalid value: 3: cannot be greater than status.replicas",
      "status.availableReplicas: Invalid value: 3: cannot be greater than readyReplicas",
    ]);
  });

  it("warns about names that are not DNS labels on create only", () => {
    const r = createLike(def, rc());
    assert.deepEqual(def.strategy.warnings!(r, undefined), []);
    r.metadata!.name = "web.v1";
    assert.deepEqual(def.strategy.warnings!(r, undefined), [
      "metadata.name: this is used in Pod names and hostnames, which can result in surprising behavior; a DNS label is recommended: [must not contain dots]",
    ]);
    assert.deepEqual(def.strategy.warnings!(r, r), []);
  });
});

describe("ReplicationController resource", () => {
  it("is rc, in category all, with status and scale on a label-map selector", () => {
    assert.deepEqual(def.shortNames, ["rc"]);
    assert.deepEqual(def.categories, ["all"]);
    assert.deepEqual(def.subresources, ["status", "scale"]);
    assert.equal(def.scale?.labelSelectorIsMap, true);
    assert.equal(def.strategy.defaultPropagation, "Orphan");
  });

  it("prints desired, current, ready and the wide columns", () => {
    const r = createLike(def, rc());
    r.spec!.replicas = 3;
    r.status = { replicas: 2, readyReplicas: 1 };
    const printer = def.strategy.printer!;
    assert.deepEqual(
      printer.columns.map((c) => [c.name, c.type, c.priority]),
      [
        ["Name", "string", 0],
        ["Desired", "integer", 0],
        ["Current", "integer", 0],
        ["Ready", "integer", 0],
        ["Age", "string", 0],
        ["Containers", "string", 1],
        ["Images", "string", 1],
        ["Selector", "string", 1],
      ],
    );
    assert.deepEqual(printer.row(r, Date.parse("2024-01-01T00:05:00Z")), [
      "web",
      3,
      2,
      1,
      "5m",
      "c",
      "busybox",
      "app=web",
    ]);
    assert.deepEqual(def.strategy.selectableFields!(r), { "status.replicas": "2" });
  });
});
