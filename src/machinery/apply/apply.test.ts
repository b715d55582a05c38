import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JsonObject } from "../patch/json-value.ts";
import { serverSideApply } from "./apply.ts";
import { ApplyConflictError } from "./errors.ts";
import { FieldSet } from "./field-set.ts";
import { deploymentSchema } from "./testing/deployment-schema.ts";
import { apply, at, deployment, entryOf, owned, template, update } from "./testing/helpers.ts";

const web = deployment(
  {
    replicas: 3,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "main", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] },
    },
  },
  { labels: { app: "web" } },
);

function conflictOf(fn: () => unknown): ApplyConflictError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApplyConflictError) return err;
    throw err;
  }
  assert.fail("expected an apply conflict");
}

describe("serverSideApply: create and re-apply", () => {
  it("creates the object from the configuration and records the applier", () => {
    const result = serverSideApply({
      live: undefined,
      applied: web,
      manager: "kubectl",
      apiVersion: "apps/v1",
      schema: deploymentSchema,
      now: at(0),
    });
    const { managedFields: _, ...metadata } = result.object.metadata as JsonObject;
    assert.deepEqual({ ...result.object, metadata }, web);
    assert.deepEqual(result.managedFields, [
      {
        manager: "kubectl",
        operation: "Apply",
        apiVersion: "apps/v1",
        time: "2025-06-01T10:00:00Z",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:labels": { "f:app": {} } },
          "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:template": {
              "f:metadata": { "f:labels": { "f:app": {} } },
              "f:spec": {
                "f:containers": {
                  'k:{"name":"main"}': {
                    ".": {},
                    "f:image": {},
                    "f:name": {},
                    "f:ports": {
                      'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ]);
    assert.deepEqual(Object.keys(result.managedFields[0]!), [
      "manager",
      "operation",
      "apiVersion",
      "time",
      "fieldsType",
      "fieldsV1",
    ]);
  });

  it("removes fields the applier applied before and omits now", () => {
    const live = apply(
      undefined,
      deployment({ replicas: 3, paused: true }, { labels: { app: "web", tier: "fe" } }),
      "mgr",
    );
    const next = apply(live, deployment({ replicas: 3 }, { labels: { app: "web" } }), "mgr");
    assert.deepEqual((next.metadata as JsonObject).labels, { app: "web" });
    assert.deepEqual(next.spec, { replicas: 3 });
    assert.deepEqual(owned(next, "mgr"), [".metadata.labels.app", ".spec.replicas"]);
  });

  it("removes a whole struct the applier no longer sets", () => {
    const live = apply(undefined, deployment({ strategy: { type: "Recreate" } }), "mgr");
    const next = apply(live, deployment({ replicas: 1 }), "mgr");
    assert.deepEqual(next.spec, { replicas: 1 });
  });

  it("keeps an omitted field another manager owns", () => {
    let live = apply(undefined, deployment({ replicas: 3 }), "a");
    live = apply(live, deployment({ replicas: 3 }), "b");
    assert.deepEqual(owned(live, "a"), [".spec.replicas"]);
    assert.deepEqual(owned(live, "b"), [".spec.replicas"]);
    live = apply(live, deployment({ paused: false }), "a");
    assert.deepEqual(live.spec, { replicas: 3, paused: false });
    assert.deepEqual(owned(live, "a"), [".spec.paused"]);
  });

  it("keeps fields nobody applied (defaults, status) when pruning", () => {
    let live = apply(undefined, deployment({ replicas: 3 }), "mgr");
    live = { ...live, spec: { ...(live.spec as JsonObject), strategy: { type: "RollingUpdate" } } };
    live = apply(live, deployment({ replicas: 2 }), "mgr");
    assert.deepEqual(live.spec, { replicas: 2, strategy: { type: "RollingUpdate" } });
  });

  it("leaves the time alone when the apply changes nothing", () => {
    const live = apply(undefined, web, "mgr", { now: at(0) });
    const again = apply(live, web, "mgr", { now: at(60) });
    assert.equal(entryOf(again, "mgr")?.time, "2025-06-01T10:00:00Z");
    const changed = apply(
      live,
      { ...web, spec: { ...(web.spec as JsonObject), replicas: 5 } },
      "mgr",
      {
        now: at(60),
      },
    );
    assert.equal(entryOf(changed, "mgr")?.time, "2025-06-01T10:01:00Z");
  });

  it("credits an untracked object's fields to before-first-apply", () => {
    const live = deployment({ replicas: 1, paused: true });
    const err = conflictOf(() => apply(live, deployment({ replicas: 2 }), "mgr"));
    assert.match(
      err.message,
      /conflict with "before-first-apply" using apps\/v1: \.spec\.replicas$/,
    );
    const next = apply(live, deployment({ replicas: 1 }), "mgr");
    assert.deepEqual(owned(next, "before-first-apply"), [".spec.paused", ".spec.replicas"]);
    assert.equal(entryOf(next, "before-first-apply")?.operation, "Update");
    assert.deepEqual(owned(next, "mgr"), [".spec.replicas"]);
  });

  it("never credits status when the strategy resets it", () => {
    const ignoredFields = FieldSet.of([{ field: "status" }]);
    const next = apply(
      undefined,
      { ...deployment({ replicas: 1 }), status: { replicas: 9 } },
      "mgr",
      {
        ignoredFields,
      },
    );
    assert.deepEqual(owned(next, "mgr"), [".spec.replicas"]);
  });
});

describe("serverSideApply: conflicts", () => {
  const csaLive = (): JsonObject =>
    update(undefined, deployment({ replicas: 2 }), "kubectl-client-side-apply");

  it("reports another manager's differing value with upstream's message and causes", () => {
    const err = conflictOf(() => apply(csaLive(), deployment({ replicas: 3 }), "mgr"));
    assert.equal(err.code, 409);
    assert.equal(err.reason, "Conflict");
    assert.equal(
      err.message,
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    );
    assert.deepEqual(err.status.details, {
      causes: [
        {
          reason: "FieldManagerConflict",
          message: 'conflict with "kubectl-client-side-apply" using apps/v1',
          field: ".spec.replicas",
        },
      ],
    });
    assert.deepEqual(err.conflicts, [
      { manager: "kubectl-client-side-apply", field: ".spec.replicas" },
    ]);
  });

  it("lists several conflicts by manager, appliers without a version", () => {
    let live = update(undefined, deployment({ replicas: 2 }, { labels: { tier: "fe" } }), "a");
    live = apply(
      live,
      deployment(template([{ name: "main", image: "v1" }]), { labels: { tier: "fe" } }),
      "b",
    );
    const config = deployment(
      { replicas: 3, ...template([{ name: "main", image: "v2" }]) },
      { labels: { tier: "be" } },
    );
    const err = conflictOf(() => apply(live, config, "c"));
    assert.equal(
      err.message,
      [
        'Apply failed with 4 conflicts: conflicts with "a" using apps/v1:',
        "- .metadata.labels.tier",
        "- .spec.replicas",
        'conflicts with "b":',
        "- .metadata.labels.tier",
        '- .spec.template.spec.containers[name="main"].image',
      ].join("\n"),
    );
    assert.equal(err.status.details?.causes?.length, 4);
    assert.equal(err.status.details?.causes?.[3]?.message, 'conflict with "b"');
  });

  it("force takes ownership away from the other manager", () => {
    const next = apply(csaLive(), deployment({ replicas: 3 }), "mgr", { force: true });
    assert.equal((next.spec as JsonObject).replicas, 3);
    assert.deepEqual(owned(next, "mgr"), [".spec.replicas"]);
    assert.equal(entryOf(next, "kubectl-client-side-apply"), undefined);
  });

  it("shares ownership when two managers apply the same value", () => {
    const next = apply(csaLive(), deployment({ replicas: 2 }), "mgr");
    assert.deepEqual(owned(next, "mgr"), [".spec.replicas"]);
    assert.deepEqual(owned(next, "kubectl-client-side-apply"), [".spec.replicas"]);
  });

  it("names the subresource of a conflicting manager", () => {
    const live = update(undefined, deployment({ replicas: 2 }), "kube-controller-manager", {
      subresource: "scale",
    });
    const err = conflictOf(() => apply(live, deployment({ replicas: 3 }), "mgr"));
    assert.match(
      err.message,
      /conflict with "kube-controller-manager" with subresource "scale" using apps\/v1: /,
    );
  });
});
