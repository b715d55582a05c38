import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DaemonSet } from "../../generated/types.ts";
import type { Obj } from "./common.ts";
import { daemonSetResource as def } from "./daemon-set.ts";
import { createLike, updateLike, validateCreate, validateUpdate } from "./testing.ts";

const ds = (): Obj<DaemonSet> => ({
  metadata: { name: "agent", namespace: "kube-system" },
  spec: {
    selector: { matchLabels: { app: "agent" } },
    template: {
      metadata: { labels: { app: "agent" } },
      spec: {
        nodeSelector: { "kubernetes.io/os": "linux" },
        containers: [{ name: "a", image: "agent:1" }],
      },
    },
  },
});

describe("DaemonSet", () => {
  it("applies upstream defaults", () => {
    const d = createLike(def, ds());
    assert.deepEqual(d.spec!.updateStrategy, {
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    assert.equal(d.spec!.revisionHistoryLimit, 10);
    assert.equal(d.spec!.template.spec!.schedulerName, "default-scheduler");
  });

  it("accepts a valid daemon set", () => {
    assert.deepEqual(validateCreate(def, createLike(def, ds())), []);
  });

  it("rejects surge with unavailability and a mismatched template", () => {
    const d = ds();
    d.spec!.updateStrategy = {
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: 1, maxSurge: "10%" },
    };
    d.spec!.template.metadata!.labels = { app: "other" };
    assert.deepEqual(validateCreate(def, createLike(def, d)), [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
      'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"10%"}: may not be set when maxUnavailable is non-zero',
    ]);
  });

  it("keeps the selector immutable", () => {
    const old = createLike(def, ds());
    const next = structuredClone(old);
    next.spec!.selector = { matchLabels: {} };
    next.spec!.selector.matchExpressions = [{ key: "app", operator: "Exists" }];
    const errs = validateUpdate(def, updateLike(def, next, old), old);
    assert.ok(
      errs.some(
        (e) => e.startsWith("spec.selector: Invalid value:") && e.endsWith("field is immutable"),
      ),
    );
  });

  it("prints counts and the node selector", () => {
    const d = createLike(def, ds());
    d.status = {
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      numberReady: 1,
      updatedNumberScheduled: 2,
      numberAvailable: 1,
      numberMisscheduled: 0,
    };
    assert.deepEqual(def.strategy.printer!.row(d, Date.parse("2024-01-01T00:00:10Z")), [
      "agent",
      2,
      2,
      1,
      2,
      1,
      "kubernetes.io/os=linux",
      "10s",
      "a",
      "agent:1",
      "app=agent",
    ]);
  });
});
