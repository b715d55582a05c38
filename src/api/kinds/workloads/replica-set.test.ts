import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ReplicaSet } from "../../generated/types.ts";
import type { Obj } from "./common.ts";
import { replicaSetResource as def } from "./replica-set.ts";
import { createLike, updateLike, validateCreate, validateUpdate } from "./testing.ts";

const rs = (): Obj<ReplicaSet> => ({
  metadata: { name: "web-abc", namespace: "default" },
  spec: {
    selector: { matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "c", image: "busybox" }] },
    },
  },
});

describe("ReplicaSet", () => {
  it("defaults replicas and the template", () => {
    const r = createLike(def, rs());
    assert.equal(r.spec!.replicas, 1);
    assert.equal(r.spec!.template!.spec!.dnsPolicy, "ClusterFirst");
    assert.deepEqual(r.status, { replicas: 0 });
  });

  it("accepts a valid replica set", () => {
    assert.deepEqual(validateCreate(def, createLike(def, rs())), []);
  });

  it("rejects bad selectors", () => {
    const r = rs();
    r.spec!.selector = { matchExpressions: [{ key: "app", operator: "In" }] };
    assert.deepEqual(validateCreate(def, createLike(def, r)), [
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"In", Values:[]string(nil)}}}: invalid label selector',
    ]);
  });

  it("keeps the selector immutable but allows scaling", () => {
    const old = createLike(def, rs());
    const next = structuredClone(old);
    next.spec!.replicas = 5;
    assert.deepEqual(validateUpdate(def, updateLike(def, next, old), old), []);
    next.spec!.selector = { matchLabels: { app: "web" } };
    const errs = validateUpdate(def, updateLike(def, next, old), old);
    assert.equal(errs.length, 1);
    assert.match(errs[0]!, /^spec\.selector: Invalid value: .*: field is immutable$/);
  });

  it("prints desired, current and ready", () => {
    const r = createLike(def, rs());
    r.status = { replicas: 1, readyReplicas: 1 };
    const row = def.strategy.printer!.row(r, Date.parse("2024-01-01T00:05:00Z"));
    assert.deepEqual(row, ["web-abc", 1, 1, 1, "5m", "c", "busybox", "app in (web)"]);
    assert.deepEqual(def.strategy.selectableFields!(r), { "status.replicas": "1" });
  });
});
