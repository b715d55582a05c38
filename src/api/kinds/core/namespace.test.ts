import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Namespace } from "../../generated/types.ts";
import type { Obj } from "./common.ts";
import {
  namespaceResource,
  prepareNamespaceFinalize,
  validateNamespaceFinalizeUpdate,
} from "./namespace.ts";
import {
  created,
  messages,
  printRow,
  simulateCreate,
  simulateStatusUpdate,
  simulateUpdate,
  t0,
} from "./testing.ts";

describe("Namespace", () => {
  it("is created Active with the kubernetes finalizer and the name label", () => {
    const { obj, errors } = simulateCreate(namespaceResource, {
      metadata: { name: "team-a", labels: { a: "b" } },
      status: { phase: "Terminating" },
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(obj.status, { phase: "Active" });
    assert.deepEqual(obj.spec, { finalizers: ["kubernetes"] });
    assert.deepEqual(obj.metadata?.labels, { a: "b", "kubernetes.io/metadata.name": "team-a" });
  });

  it("keeps given finalizers and appends kubernetes", () => {
    const { obj } = simulateCreate(namespaceResource, {
      metadata: { name: "x" },
      spec: { finalizers: ["example.com/cleanup"] },
    });
    assert.deepEqual(obj.spec?.finalizers, ["example.com/cleanup", "kubernetes"]);
  });

  it("labels a generated name once it is known (at validation)", () => {
    const { obj } = simulateCreate(namespaceResource, { metadata: { generateName: "gen-" } });
    assert.equal(obj.metadata?.labels, undefined);
    obj.metadata = { ...obj.metadata, name: "gen-abcde" };
    namespaceResource.strategy.validate?.(obj);
    assert.equal(obj.metadata.labels?.["kubernetes.io/metadata.name"], "gen-abcde");
  });

  it("rejects unqualified non-standard finalizers at the list path", () => {
    const { errors } = simulateCreate(namespaceResource, {
      metadata: { name: "x" },
      spec: { finalizers: ["custom"] },
    });
    assert.deepEqual(errors, [
      'spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });

  it("keeps spec.finalizers and status on a plain update", () => {
    const old = simulateCreate(namespaceResource, { metadata: { name: "x" } }).obj;
    const { obj, errors } = simulateUpdate(
      namespaceResource,
      { metadata: { name: "x", labels: { team: "a" } }, spec: { finalizers: [] } },
      old,
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(obj.spec?.finalizers, ["kubernetes"]);
    assert.equal(obj.status?.phase, "Active");
    assert.equal(obj.metadata?.labels?.["kubernetes.io/metadata.name"], "x");
  });

  it("checks the phase against the deletion timestamp on status updates", () => {
    const old = simulateCreate(namespaceResource, { metadata: { name: "x" } }).obj;
    const bad = simulateStatusUpdate(namespaceResource, { status: { phase: "Terminating" } }, old);
    assert.deepEqual(bad.errors, [
      "status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty",
    ]);
    const deleting = { ...old, metadata: { ...old.metadata, deletionTimestamp: created } };
    const ok = simulateStatusUpdate(
      namespaceResource,
      { status: { phase: "Terminating" } },
      deleting,
    );
    assert.deepEqual(ok.errors, []);
  });

  it("finalize replaces only spec.finalizers and validates each with its index", () => {
    const old = simulateCreate(namespaceResource, { metadata: { name: "x" } }).obj;
    const next = prepareNamespaceFinalize(
      { metadata: { name: "x" }, spec: { finalizers: ["bad"] }, status: { phase: "Terminating" } },
      old,
    );
    assert.equal(next.status?.phase, "Active");
    assert.deepEqual(messages(validateNamespaceFinalizeUpdate(next)), [
      'spec.finalizers[0]: Invalid value: "bad": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });

  it("is kept by spec.finalizers and turns Terminating when deleted", () => {
    const ns = simulateCreate(namespaceResource, { metadata: { name: "x" } }).obj;
    const strategy = namespaceResource.strategy;
    assert.deepEqual(strategy.blockingFinalizers?.(ns), ["kubernetes"]);
    strategy.prepareForDelete?.(ns);
    assert.equal(ns.status?.phase, "Terminating");
    assert.deepEqual(strategy.blockingFinalizers?.({ metadata: { name: "y" } }), []);
  });

  it("prints NAME STATUS AGE and selects by status.phase", () => {
    const ns: Obj<Namespace> = {
      metadata: { name: "x", creationTimestamp: created },
      status: { phase: "Active" },
    };
    assert.deepEqual(printRow(namespaceResource, ns, t0 + 90_000), {
      Name: "x",
      Status: "Active",
      Age: "90s",
    });
    assert.deepEqual(namespaceResource.strategy.selectableFields?.(ns), {
      "status.phase": "Active",
    });
  });
});
