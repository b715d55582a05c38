/** The HPA controller keeps its target within min/max and says why it does no more (no metrics). */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type {
  AutoscalingV2HorizontalPodAutoscaler,
  Deployment,
} from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { type ControllerHarness, startControllers, testPodSpec } from "../common/testing.ts";
import { decide, HorizontalController } from "./horizontal-controller.ts";

type HPA = AutoscalingV2HorizontalPodAutoscaler & KubeObject;
const ns = "default";
let h: ControllerHarness;

const replicas = async (name: string) =>
  (await h.client.get<Deployment & KubeObject>(resourcePath(resources.deployments, ns, name))).spec
    ?.replicas;
const hpaStatus = async (name: string) =>
  (await h.client.get<HPA>(resourcePath(resources.horizontalpodautoscalers, ns, name))).status;

async function deployment(name: string, count: number) {
  await h.client.create(resourcePath(resources.deployments, ns), {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas: count,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: testPodSpec },
    },
  });
}

async function autoscale(name: string, min: number, max: number) {
  await h.client.create(resourcePath(resources.horizontalpodautoscalers, ns), {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
      minReplicas: min,
      maxReplicas: max,
    },
  });
}

describe("horizontal pod autoscaler controller", () => {
  before(async () => {
    h = await startControllers({ create: [(ctx) => new HorizontalController(ctx)] });
  });
  after(() => h.stop());

  it("scales a target below minReplicas up, and one above maxReplicas down", async () => {
    await deployment("small", 1);
    await deployment("big", 9);
    await autoscale("small", 3, 5);
    await autoscale("big", 1, 4);
    await eventually(async () => (await replicas("small")) === 3 && (await replicas("big")) === 4);
    await eventually(async () => (await hpaStatus("small"))?.desiredReplicas === 3);
    const s = await hpaStatus("small");
    assert.ok(s?.lastScaleTime);
    assert.deepEqual(
      s?.conditions?.map((c) => [c.type, c.status, c.reason]),
      [
        ["AbleToScale", "True", "SucceededRescale"],
        ["ScalingActive", "True", "ValidMetricFound"],
        ["ScalingLimited", "True", "TooFewReplicas"],
      ],
    );
  });

  it("leaves a target within bounds alone and says it has no metrics", () => {
    const hpa = {
      metadata: { name: "x" },
      spec: { scaleTargetRef: { kind: "Deployment", name: "x" }, minReplicas: 1, maxReplicas: 5 },
    } as HPA;
    const d = decide(hpa, 2);
    assert.equal(d.desired, 2);
    assert.equal(d.rescaleReason, undefined);
    assert.equal(d.conditions[1]?.reason, "FailedGetResourceMetric");
    assert.match(d.conditions[1]?.message ?? "", /no metrics returned from resource metrics API/);
    assert.equal(decide(hpa, 0).conditions[1]?.reason, "ScalingDisabled", "a target at zero");
    assert.equal(decide(hpa, 0).desired, 0);
  });
});
