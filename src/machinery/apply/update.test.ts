import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JsonObject } from "../patch/json-value.ts";
import { mergePatch } from "../patch/merge-patch.ts";
import { FieldSet } from "./field-set.ts";
import {
  capUpdateManagers,
  decodeManagedFields,
  encodeManagedFields,
  managerIdentifier,
} from "./managers.ts";
import { deploymentSchema } from "./testing/deployment-schema.ts";
import {
  apply,
  at,
  deployment,
  entries,
  entryOf,
  owned,
  template,
  update,
} from "./testing/helpers.ts";
import { managerOrUserAgent, updateManagedFields } from "./update.ts";

const created = (): JsonObject =>
  update(
    undefined,
    deployment(
      {
        replicas: 1,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%" } },
        ...template([
          { name: "main", image: "nginx", ports: [{ containerPort: 80, protocol: "TCP" }] },
        ]),
      },
      { labels: { app: "web" }, uid: "u-1", resourceVersion: "5" },
    ),
    "kubectl-create",
    { now: at(0) },
  );

describe("updateManagedFields", () => {
  it("leaves an object that is not a valid typed value untracked (a keyed item without its key)", () => {
    const object = created();
    const bad = structuredClone(object);
    const spec = (bad.spec as JsonObject).template as JsonObject;
    ((spec.spec as JsonObject).containers as JsonObject[]).push({ image: "no-name" });
    const result = updateManagedFields({
      old: object,
      updated: bad,
      manager: "kubectl-edit",
      apiVersion: "apps/v1",
      schema: deploymentSchema,
      now: at(1),
    });
    assert.deepEqual(result.managedFields, []);
    assert.equal((result.object.metadata as JsonObject).managedFields, undefined);
  });

  it("gives creates of one shape the same set, whatever their values, and others their own", () => {
    const make = (name: string, replicas: number, labels: JsonObject, container: string) =>
      deployment(
        { replicas, ...template([{ name: container, image: `img-${name}` }]) },
        { name, uid: `uid-${name}`, labels },
      );
    const first = update(undefined, make("a", 1, { app: "a" }, "main"), "rs", { now: at(0) });
    const again = update(undefined, make("b", 7, { app: "b" }, "main"), "rs", { now: at(5) });
    const [e1, e2] = [entries(first)[0]!, entries(again)[0]!];
    assert.deepEqual(e2, { ...e1, time: e2.time });
    assert.notEqual(e2.time, e1.time);
    assert.notEqual(e2.fieldsV1, e1.fieldsV1, "each object gets its own copy");
    // A change to one object's entry reaches no other.
    (e2.fieldsV1 as JsonObject)["f:bogus"] = {};
    const third = update(undefined, make("c", 2, { app: "c" }, "main"), "rs", { now: at(0) });
    assert.deepEqual(entries(third), [e1]);
    // Another container name (a list item's key), another label key, another manager: their own.
    const spec = (o: JsonObject) =>
      (
        ((entries(o)[0]!.fieldsV1 as JsonObject)["f:spec"] as JsonObject)[
          "f:template"
        ] as JsonObject
      )["f:spec"] as JsonObject;
    const other = update(undefined, make("d", 1, { app: "d" }, "side"), "rs", { now: at(0) });
    assert.deepEqual(Object.keys(spec(other)["f:containers"] as JsonObject).sort(), [
      ".",
      'k:{"name":"side"}',
    ]);
    const labelled = update(undefined, make("e", 1, { app: "e", tier: "x" }, "main"), "rs");
    const labels = (entries(labelled)[0]!.fieldsV1 as JsonObject)["f:metadata"] as JsonObject;
    assert.deepEqual(Object.keys(labels["f:labels"] as JsonObject).sort(), [
      ".",
      "f:app",
      "f:tier",
    ]);
    const byOther = update(undefined, make("f", 1, { app: "f" }, "main"), "someone-else");
    assert.equal(entries(byOther)[0]!.manager, "someone-else");
    assert.deepEqual(entries(byOther)[0]!.fieldsV1, e1.fieldsV1);
  });

  it("credits every set field to the creator, shaped as upstream's create entries", () => {
    const object = created();
    assert.deepEqual(entries(object), [
      {
        manager: "kubectl-create",
        operation: "Update",
        apiVersion: "apps/v1",
        time: "2025-06-01T10:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
          "f:spec": {
            "f:replicas": {},
            "f:strategy": { "f:rollingUpdate": { "f:maxSurge": {} }, "f:type": {} },
            "f:template": {
              "f:spec": {
                "f:containers": {
                  ".": {},
                  'k:{"name":"main"}': {
                    ".": {},
                    "f:image": {},
                    "f:name": {},
                    "f:ports": {
                      ".": {},
                      'k:{"containerPort":80,"protocol":"TCP"}': {
                        ".": {},
                        "f:containerPort": {},
                        "f:protocol": {},
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it("tracks a merge patch: changed fields move to the patching manager", () => {
    const live = created();
    const patched = mergePatch(live, {
      metadata: { labels: { env: "prod" } },
      spec: { replicas: 4 },
    }) as JsonObject;
    const next = update(live, patched, "kubectl-patch", { now: at(30) });
    assert.deepEqual(owned(next, "kubectl-patch"), [".metadata.labels.env", ".spec.replicas"]);
    assert.ok(!owned(next, "kubectl-create").includes(".spec.replicas"));
    assert.ok(owned(next, "kubectl-create").includes(".metadata.labels.app"));
    assert.equal(entryOf(next, "kubectl-patch")?.time, "2025-06-01T10:00:30Z");
  });

  it("removes deleted fields from every manager", () => {
    const live = created();
    const patched = mergePatch(live, { metadata: { labels: { app: null } } }) as JsonObject;
    const next = update(live, patched, "kubectl-label");
    // The emptied map itself stays, and so does its owner's claim on it.
    assert.deepEqual((next.metadata as JsonObject).labels, {});
    assert.ok(!owned(next, "kubectl-create").includes(".metadata.labels.app"));
    assert.ok(owned(next, "kubectl-create").includes(".metadata.labels"));
    assert.equal(entryOf(next, "kubectl-label"), undefined, "removing alone owns nothing");
  });

  it("takes fields from appliers too, and accumulates in one entry per manager", () => {
    let live = apply(undefined, deployment({ replicas: 1, paused: false }), "kubectl");
    live = update(live, mergePatch(live, { spec: { replicas: 2 } }) as JsonObject, "hpa");
    live = update(live, mergePatch(live, { spec: { paused: true } }) as JsonObject, "hpa");
    assert.deepEqual(owned(live, "hpa"), [".spec.paused", ".spec.replicas"]);
    assert.equal(entryOf(live, "kubectl"), undefined);
    assert.equal(entries(live).length, 1);
  });

  it("keeps separate entries per subresource and API version", () => {
    let live = created();
    live = update(live, mergePatch(live, { status: { replicas: 1 } }) as JsonObject, "kcm", {
      subresource: "status",
    });
    live = update(live, mergePatch(live, { spec: { paused: true } }) as JsonObject, "kcm");
    live = update(live, mergePatch(live, { spec: { replicas: 7 } }) as JsonObject, "kcm", {
      apiVersion: "apps/v1beta2",
    });
    const kcm = entries(live).filter((e) => e.manager === "kcm");
    assert.deepEqual(
      kcm.map((e) => [e.apiVersion, e.subresource ?? ""]),
      [
        ["apps/v1", ""],
        ["apps/v1", "status"],
        ["apps/v1beta2", ""],
      ],
    );
  });

  it("changing only meta fields leaves the entries and times alone", () => {
    const live = created();
    const patched = mergePatch(live, { metadata: { resourceVersion: "6", generation: 2 } });
    const next = update(live, patched as JsonObject, "other", { now: at(99) });
    assert.deepEqual(entries(next), entries(live));
  });

  it("honours managedFields the request rewrites, and ignores an empty list", () => {
    const live = created();
    const rewritten = structuredClone(live);
    const fieldsV1 = { "f:spec": { "f:replicas": {} } };
    (rewritten.metadata as JsonObject).managedFields = [
      {
        manager: "me",
        operation: "Apply",
        apiVersion: "apps/v1",
        fieldsType: "FieldsV1",
        fieldsV1,
      },
    ];
    assert.deepEqual(entries(update(live, rewritten, "x")), [
      {
        manager: "me",
        operation: "Apply",
        apiVersion: "apps/v1",
        fieldsType: "FieldsV1",
        fieldsV1,
      },
    ]);
    (rewritten.metadata as JsonObject).managedFields = [];
    assert.deepEqual(entries(update(live, rewritten, "x")), entries(live));
  });

  it("does not start tracking an object that exists without managed fields", () => {
    const old = deployment({ replicas: 1 });
    const next = update(old, deployment({ replicas: 2 }), "x");
    assert.deepEqual(entries(next), []);
  });

  it("stores an object the schema cannot read without managed fields, as upstream", () => {
    const live = created();
    const bad = mergePatch(live, {
      spec: { template: { spec: { containers: [{ image: "x" }] } } },
    });
    const result = updateManagedFields({
      old: live,
      updated: bad as JsonObject,
      manager: "x",
      apiVersion: "apps/v1",
      schema: deploymentSchema,
      now: at(0),
    });
    assert.deepEqual(result.managedFields, []);
    assert.equal((result.object.metadata as JsonObject).managedFields, undefined);
  });
});

describe("managers", () => {
  it("derives the default manager from the User-Agent", () => {
    assert.equal(managerOrUserAgent("", "kubectl/v1.34.5 (linux/amd64) kubernetes/abc"), "kubectl");
    assert.equal(managerOrUserAgent(undefined, "Go-http-client/1.1"), "Go-http-client");
    assert.equal(managerOrUserAgent("kubectl-edit", "kubectl/v1.34.5"), "kubectl-edit");
    assert.equal(managerOrUserAgent(undefined, undefined), "");
  });

  it("builds identities as upstream: appliers without a version", () => {
    assert.equal(
      managerIdentifier({ manager: "k", operation: "Apply", apiVersion: "apps/v1" }),
      '{"manager":"k","operation":"Apply"}',
    );
    assert.equal(
      managerIdentifier({
        manager: "k",
        operation: "Update",
        apiVersion: "v1",
        subresource: "status",
      }),
      '{"manager":"k","operation":"Update","apiVersion":"v1","subresource":"status"}',
    );
  });

  it("rejects invalid entries with upstream's messages", () => {
    assert.throws(
      () => decodeManagedFields([{ operation: "Patch" }]),
      /must be `Apply` or `Update`/,
    );
    assert.throws(
      () => decodeManagedFields([{ operation: "Apply" }]),
      /apiVersion must not be empty/,
    );
    assert.throws(
      () => decodeManagedFields([{ operation: "Apply", apiVersion: "v1" }]),
      /missing fieldsType in managed fields entry 0/,
    );
  });

  it("merges the oldest of more than ten update entries into ancient-changes", () => {
    const managed = decodeManagedFields(
      Array.from({ length: 12 }, (_, i) => ({
        manager: `m${String(i).padStart(2, "0")}`,
        operation: "Update",
        apiVersion: "apps/v1",
        time: at(i).toISOString(),
        fieldsType: "FieldsV1",
        fieldsV1: { [`f:f${i}`]: {} },
      })),
    );
    capUpdateManagers(managed);
    const out = encodeManagedFields(managed);
    assert.equal(out.length, 10);
    const ancient = out.find((e) => e.manager === "ancient-changes");
    assert.deepEqual(ancient?.fieldsV1, { "f:f0": {}, "f:f1": {}, "f:f2": {} });
    assert.equal(ancient?.time, at(2).toISOString());
    assert.ok(FieldSet.fromFieldsV1(out[0]!.fieldsV1).has([{ field: "f0" }]));
  });
});
