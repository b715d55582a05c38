import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Deployment } from "../../generated/types.ts";
import type { Obj } from "./common.ts";
import { deploymentResource } from "./deployment.ts";
import { createLike, updateLike, validateCreate, validateUpdate } from "./testing.ts";

const def = deploymentResource;

const deployment = (): Obj<Deployment> => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default" },
  spec: {
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "nginx", image: "nginx:1.25" }] },
    },
  },
});

describe("Deployment", () => {
  it("applies upstream defaults", () => {
    const d = createLike(def, deployment());
    assert.equal(d.spec!.replicas, 1);
    assert.deepEqual(d.spec!.strategy, {
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" },
    });
    assert.equal(d.spec!.revisionHistoryLimit, 10);
    assert.equal(d.spec!.progressDeadlineSeconds, 600);
    const pod = d.spec!.template.spec!;
    assert.equal(pod.restartPolicy, "Always");
    assert.equal(pod.containers[0]!.imagePullPolicy, "IfNotPresent");
    assert.equal(pod.enableServiceLinks, undefined);
    assert.deepEqual(d.status, {});
    assert.equal(d.metadata!.generation, 1);
  });

  it("accepts a valid deployment", () => {
    assert.deepEqual(validateCreate(def, createLike(def, deployment())), []);
  });

  it("requires a selector matching the template", () => {
    const d = deployment();
    d.spec!.selector = { matchLabels: { app: "other" } };
    assert.deepEqual(validateCreate(def, createLike(def, d)), [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ]);
    d.spec!.selector = {};
    assert.deepEqual(validateCreate(def, createLike(def, d)), [
      "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment",
    ]);
    delete (d.spec as Partial<Deployment["spec"]>)!.selector;
    const errs = validateCreate(def, createLike(def, d));
    assert.equal(errs[0], "spec.selector: Required value");
  });

  it("rejects negative replicas, bad strategies and non-Always restart policies", () => {
    const d = deployment();
    d.spec!.replicas = -1;
    d.spec!.strategy = { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } };
    d.spec!.template.spec!.restartPolicy = "Never";
    assert.deepEqual(validateCreate(def, createLike(def, d)), [
      "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
    ]);
  });

  it("validates the pod template", () => {
    const d = deployment();
    d.spec!.template.spec!.containers[0]!.image = "";
    assert.deepEqual(validateCreate(def, createLike(def, d)), [
      "spec.template.spec.containers[0].image: Required value",
    ]);
  });

  it("keeps the selector immutable", () => {
    const old = createLike(def, deployment());
    const next = structuredClone(old);
    next.spec!.selector = { matchLabels: { app: "web", tier: "x" } };
    next.spec!.template.metadata!.labels = { app: "web", tier: "x" };
    assert.deepEqual(validateUpdate(def, updateLike(def, next, old), old), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
    const scaled = structuredClone(old);
    scaled.spec!.replicas = 3;
    assert.deepEqual(validateUpdate(def, updateLike(def, scaled, old), old), []);
  });

  it("bumps the generation when only annotations change", () => {
    const old = createLike(def, deployment());
    const next = structuredClone(old);
    next.metadata!.annotations = { note: "x" };
    assert.equal(updateLike(def, next, old).metadata!.generation, 2);
  });

  it("prints ready, up-to-date and available", () => {
    const d = createLike(def, deployment());
    d.spec!.replicas = 3;
    d.status = { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
    const now = Date.parse("2024-01-01T00:00:30Z");
    assert.deepEqual(
      def.strategy.printer!.columns.map((c) => c.name),
      ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"],
    );
    assert.deepEqual(def.strategy.printer!.row(d, now), [
      "web",
      "2/3",
      3,
      2,
      "30s",
      "nginx",
      "nginx:1.25",
      "app=web",
    ]);
  });
});
