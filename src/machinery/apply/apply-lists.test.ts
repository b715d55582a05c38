import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JsonObject } from "../patch/json-value.ts";
import { serverSideApply } from "./apply.ts";
import { ApplyConflictError } from "./errors.ts";
import { untypedSchema } from "./schema.ts";
import { scalar, struct } from "./testing/deployment-schema.ts";
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

function conflictOf(fn: () => unknown): ApplyConflictError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApplyConflictError) return err;
    throw err;
  }
  assert.fail("expected an apply conflict");
}

describe("serverSideApply: lists and maps", () => {
  it("merges keyed lists by key and keeps other managers' items", () => {
    const containersOf = (o: JsonObject) =>
      (((o.spec as JsonObject).template as JsonObject).spec as JsonObject).containers;
    const main = (image: string, ports: JsonObject[]) => ({ name: "main", image, ports });
    let live = apply(undefined, deployment(template([main("v1", [{ containerPort: 80 }])])), "a");
    live = apply(live, deployment(template([{ name: "sidecar", image: "envoy" }])), "b");
    const ports = [{ containerPort: 80 }, { containerPort: 53, protocol: "UDP" }];
    live = apply(live, deployment(template([main("v2", ports)])), "a");
    assert.deepEqual(containersOf(live), [main("v2", ports), { name: "sidecar", image: "envoy" }]);
    const udp =
      '.spec.template.spec.containers[name="main"].ports[containerPort=53,protocol="UDP"]';
    assert.ok(owned(live, "a").includes(`${udp}.protocol`));
    assert.deepEqual(owned(live, "b"), [
      '.spec.template.spec.containers[name="sidecar"]',
      '.spec.template.spec.containers[name="sidecar"].image',
      '.spec.template.spec.containers[name="sidecar"].name',
    ]);
    live = apply(live, deployment(template([main("v2", [{ containerPort: 80 }])])), "a");
    assert.deepEqual(containersOf(live), [
      main("v2", [{ containerPort: 80 }]),
      { name: "sidecar", image: "envoy" },
    ]);
  });

  it("drops a keyed item its only applier stops applying", () => {
    let live = apply(
      undefined,
      deployment(
        template([
          { name: "a", image: "x" },
          { name: "b", image: "y" },
        ]),
      ),
      "mgr",
    );
    live = apply(live, deployment(template([{ name: "b", image: "y" }])), "mgr");
    assert.deepEqual(live.spec, template([{ name: "b", image: "y" }]));
  });

  it("orders merged items as upstream: live-only items keep their neighbours", () => {
    const live = deployment(template(["a", "b", "c"].map((name) => ({ name }))));
    const next = apply(live, deployment(template(["c", "a"].map((name) => ({ name })))), "mgr");
    const names = (
      ((next.spec as JsonObject).template as JsonObject).spec as { containers: JsonObject[] }
    ).containers.map((c) => c.name);
    assert.deepEqual(names, ["b", "c", "a"]);
  });

  it("merges sets (finalizers) item by item", () => {
    let live = apply(undefined, deployment({}, { finalizers: ["x/a", "x/b"] }), "a");
    assert.deepEqual(entryOf(live, "a")?.fieldsV1, {
      "f:metadata": { "f:finalizers": { 'v:"x/a"': {}, 'v:"x/b"': {} } },
      "f:spec": {},
    });
    live = apply(live, deployment({}, { finalizers: ["x/c"] }), "b");
    assert.deepEqual((live.metadata as JsonObject).finalizers, ["x/a", "x/b", "x/c"]);
    live = apply(live, deployment({}, { finalizers: ["x/a"] }), "a");
    assert.deepEqual((live.metadata as JsonObject).finalizers, ["x/a", "x/c"]);
  });

  it("replaces atomic lists whole and owns them as one field", () => {
    let live = apply(undefined, deployment(template([{ name: "main", args: ["x", "y"] }])), "a");
    assert.ok(owned(live, "a").includes('.spec.template.spec.containers[name="main"].args'));
    live = apply(live, deployment(template([{ name: "main", args: ["y"] }])), "a");
    const path = '.spec.template.spec.containers[name="main"].args';
    const err = conflictOf(() =>
      apply(live, deployment(template([{ name: "main", args: ["z"] }])), "b"),
    );
    assert.deepEqual(err.conflicts, [{ manager: "a", field: path }]);
    live = apply(live, deployment(template([{ name: "main", args: ["z"] }])), "b", { force: true });
    assert.deepEqual(live.spec, template([{ name: "main", args: ["z"] }]));
    assert.ok(!owned(live, "a").includes(path));
  });

  it("merges granular maps key by key (labels)", () => {
    let live = apply(undefined, deployment({}, { labels: { app: "web" } }), "a");
    live = apply(live, deployment({}, { labels: { team: "x" } }), "b");
    assert.deepEqual((live.metadata as JsonObject).labels, { app: "web", team: "x" });
    live = apply(live, deployment({}, {}), "a");
    assert.deepEqual((live.metadata as JsonObject).labels, { team: "x" });
  });

  it("replaces atomic maps whole (nodeSelector) and conflicts on any change", () => {
    const live = apply(undefined, deployment(template([], { nodeSelector: { disk: "ssd" } })), "a");
    assert.deepEqual(entryOf(live, "a")?.fieldsV1, {
      "f:spec": { "f:template": { "f:spec": { "f:nodeSelector": {} } } },
    });
    const err = conflictOf(() =>
      apply(live, deployment(template([], { nodeSelector: { zone: "a" } })), "b"),
    );
    assert.deepEqual(err.conflicts, [{ manager: "a", field: ".spec.template.spec.nodeSelector" }]);
    const forced = apply(live, deployment(template([], { nodeSelector: { zone: "a" } })), "b", {
      force: true,
    });
    assert.deepEqual(
      (((forced.spec as JsonObject).template as JsonObject).spec as JsonObject).nodeSelector,
      { zone: "a" },
    );
  });

  it("treats an atomic struct (selector) as one field", () => {
    const live = apply(undefined, deployment({ selector: { matchLabels: { app: "web" } } }), "a");
    const next = apply(live, deployment({ selector: { matchLabels: { run: "x" } } }), "a");
    assert.deepEqual((next.spec as JsonObject).selector, { matchLabels: { run: "x" } });
  });
});

describe("serverSideApply: free-form values and subresources", () => {
  const widget = struct({
    apiVersion: scalar,
    kind: scalar,
    metadata: struct({ name: scalar }),
    data: untypedSchema,
  });
  const applyWidget = (live: JsonObject | undefined, data: JsonObject, manager: string) =>
    serverSideApply({
      live,
      applied: { apiVersion: "v1", kind: "Widget", metadata: { name: "w" }, data },
      manager,
      apiVersion: "v1",
      schema: widget,
      now: at(0),
    }).object;

  it("merges untyped objects key by key and replaces untyped lists whole", () => {
    let live = applyWidget(undefined, { a: { x: 1 }, list: [1, 2], keep: null }, "one");
    assert.deepEqual(entryOf(live, "one")?.fieldsV1, {
      "f:data": { "f:a": { ".": {}, "f:x": {} }, "f:keep": {}, "f:list": {} },
    });
    live = applyWidget(live, { a: { y: 2 } }, "two");
    assert.deepEqual(live.data, { a: { x: 1, y: 2 }, list: [1, 2], keep: null });
    live = applyWidget(live, { a: { x: 1 }, list: [3] }, "one");
    assert.deepEqual(live.data, { a: { x: 1, y: 2 }, list: [3] });
  });

  it("keeps an applier's entries per subresource", () => {
    let live = apply(undefined, deployment({ replicas: 1 }), "ctl");
    live = apply(live, { ...deployment({}), status: { replicas: 1 } }, "ctl", {
      subresource: "status",
    });
    assert.deepEqual(
      entries(live).map((e) => [e.manager, e.subresource ?? ""]),
      [
        ["ctl", ""],
        ["ctl", "status"],
      ],
    );
    assert.deepEqual(live.spec, { replicas: 1 }, "the status apply does not prune spec");
  });
});

describe("serverSideApply: bad input", () => {
  it("rejects managedFields in the configuration", () => {
    const bad = deployment({}, { managedFields: [] });
    assert.throws(
      () => apply(undefined, bad, "mgr"),
      (err: ApplyConflictError) => {
        assert.equal(err.code, 400);
        assert.equal(err.message, "metadata.managedFields must be nil");
        return true;
      },
    );
  });

  it("rejects a configuration of another version", () => {
    assert.throws(
      () => apply(undefined, { ...deployment({ replicas: 1 }), apiVersion: "apps/v1beta1" }, "mgr"),
      {
        message:
          "Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1",
      },
    );
  });

  it("answers duplicates, undeclared fields and missing keys as upstream (500)", () => {
    const dup = deployment(template([{ name: "main" }, { name: "main" }]));
    assert.throws(
      () => apply(undefined, dup, "mgr"),
      (err: ApplyConflictError) => {
        assert.equal(err.code, 500);
        assert.equal(
          err.message,
          'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="main"]',
        );
        return true;
      },
    );
    assert.throws(() => apply(undefined, deployment({ bogus: 1 }), "mgr"), {
      message: /: \.spec\.bogus: field not declared in schema$/,
    });
    assert.throws(() => apply(undefined, deployment(template([{ image: "x" }])), "mgr"), {
      message:
        /\.spec\.template\.spec\.containers: associative list with keys has an element that omits key field "name" \(and doesn't have default value\)$/,
    });
  });

  it("drops nulls from the stored object but owns the field", () => {
    const next = apply(undefined, deployment({ replicas: null }), "mgr");
    assert.deepEqual(next.spec, {});
    assert.deepEqual(owned(next, "mgr"), [".spec.replicas"]);
  });

  it("sorts entries: Apply first, then by time and manager", () => {
    let live = update(undefined, deployment({ paused: true }), "z-updater", { now: at(0) });
    live = apply(live, deployment({ replicas: 1 }), "b", { now: at(20) });
    live = apply(live, deployment({ replicas: 1 }, { labels: { a: "b" } }), "a", { now: at(10) });
    assert.deepEqual(
      entries(live).map((e) => `${e.operation}/${e.manager}`),
      ["Apply/a", "Apply/b", "Update/z-updater"],
    );
  });
});
