/**
 * The HPA controller against an in-process API server, a fake clock and a fake resource metrics
 * API: min/max bounds, scaling on CPU utilization and memory average value, the scale-down
 * stabilization, status, conditions and events, and the failures upstream reports.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type {
  AutoscalingV2HorizontalPodAutoscaler,
  Deployment,
  CoreV1Event as Event,
  MetricSpec,
} from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { FakeClock } from "../../machinery/clock.ts";
import { formatTime } from "../../machinery/time.ts";
import type { Pod } from "../common/objects.ts";
import { type ControllerHarness, startControllers, testPodSpec } from "../common/testing.ts";
import { HorizontalController, syncPeriodMs } from "./horizontal-controller.ts";
import { FakeResourceMetrics } from "./testing.ts";

type HPA = AutoscalingV2HorizontalPodAutoscaler & KubeObject;
const ns = "default";
const clock = new FakeClock();
const metrics = new FakeResourceMetrics();
let h: ControllerHarness;

const replicas = async (name: string) =>
  (await h.client.get<Deployment & KubeObject>(resourcePath(resources.deployments, ns, name))).spec
    ?.replicas;
const hpaStatus = async (name: string) =>
  (await h.client.get<HPA>(resourcePath(resources.horizontalpodautoscalers, ns, name))).status;
const conditionsOf = async (name: string) =>
  (await hpaStatus(name))?.conditions?.map((c) => [c.type, c.status, c.reason]);

async function events(name: string, reason: string): Promise<string[]> {
  const list = await h.client.get<{ items: Event[] }>(resourcePath(resources.events, ns));
  return list.items
    .filter((e) => e.involvedObject.name === name && e.reason === reason)
    .map((e) => e.message ?? "");
}

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

/** Running pods of `app`, started 10 minutes ago and ready since, seen by the shared pod informer. */
async function pods(app: string, count: number, requests: Record<string, string> | undefined) {
  const now = clock.now();
  for (let i = 0; i < count; i++) {
    const name = `${app}-${i}`;
    await h.client.create(resourcePath(resources.pods, ns), {
      metadata: { name, labels: { app } },
      spec: {
        containers: [
          { name: "app", image: "nginx", ...(requests ? { resources: { requests } } : {}) },
        ],
      },
    });
    await h.client.patch(resourcePath(resources.pods, ns, name, "status"), "merge", {
      status: {
        phase: "Running",
        startTime: formatTime(now - 600_000),
        conditions: [
          { type: "Ready", status: "True", lastTransitionTime: formatTime(now - 540_000) },
        ],
      },
    });
  }
  const informer = h.ctx.informers.informer<Pod>(resources.pods);
  await eventually(
    () =>
      informer
        .list(ns)
        .filter((p) => p.metadata?.labels?.app === app && p.status?.phase === "Running").length ===
      count,
  );
}

/** Every pod of `app` uses this much (one container "app"). */
function usage(app: string, count: number, use: Record<string, string>) {
  for (let i = 0; i < count; i++) {
    metrics.set(
      { name: `${app}-${i}`, labels: { app } },
      { app: use },
      { timestampMs: clock.now() },
    );
  }
}

async function autoscale(
  name: string,
  min: number,
  max: number,
  spec: { metrics?: MetricSpec[] } = {},
) {
  await h.client.create(resourcePath(resources.horizontalpodautoscalers, ns), {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
      minReplicas: min,
      maxReplicas: max,
      ...spec,
    },
  });
}

/** The next sync: the clock moves `ms` and the HPA of `app` reads its metrics again. */
async function tick(app: string, ms = syncPeriodMs) {
  const seen = metrics.calls.filter((c) => c.labelSelector === `app=${app}`).length;
  clock.advance(ms);
  await eventually(
    () => metrics.calls.filter((c) => c.labelSelector === `app=${app}`).length > seen,
  );
  await sleep(50); // the rest of the sync
}

describe("horizontal pod autoscaler controller", () => {
  before(async () => {
    h = await startControllers({
      clock,
      create: [(ctx) => new HorizontalController(ctx, { metrics })],
    });
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
    assert.equal(s?.lastScaleTime, formatTime(clock.now()));
    assert.equal(s?.currentReplicas, 1);
    assert.deepEqual(await conditionsOf("small"), [["AbleToScale", "True", "SucceededRescale"]]);
    assert.deepEqual(await events("small", "SuccessfulRescale"), [
      "New size: 3; reason: Current number of replicas below Spec.MinReplicas",
    ]);
  });

  it("reports FailedGetResourceMetric when the metrics API has nothing for the pods", async () => {
    await tick("small");
    await eventually(async () => (await conditionsOf("small"))?.length === 2);
    const s = await hpaStatus("small");
    assert.deepEqual(s?.conditions?.[1], {
      type: "ScalingActive",
      status: "False",
      reason: "FailedGetResourceMetric",
      message:
        "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API",
      lastTransitionTime: formatTime(clock.now()),
    });
    assert.deepEqual(s?.currentMetrics, [{ type: "" }], "kubectl shows <unknown>/80%");
    assert.equal(s?.desiredReplicas, 3);
    await eventually(
      async () => (await events("small", "FailedComputeMetricsReplicas")).length > 0,
    );
    assert.deepEqual(await events("small", "FailedComputeMetricsReplicas"), [
      "invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API",
    ]);
  });

  it("scales up on CPU utilization, and down once the 5-minute stabilization has passed", async () => {
    await deployment("web", 2);
    await pods("web", 2, { cpu: "500m" });
    usage("web", 2, { cpu: "800m" });
    await autoscale("web", 1, 10); // the API defaults the metric: CPU at 80 %
    await eventually(async () => (await replicas("web")) === 4);
    await eventually(async () => (await hpaStatus("web"))?.desiredReplicas === 4);
    const up = await hpaStatus("web");
    assert.deepEqual(up?.currentMetrics, [
      {
        type: "Resource",
        resource: { name: "cpu", current: { averageUtilization: 160, averageValue: "800m" } },
      },
    ]);
    assert.equal(up?.currentReplicas, 2);
    assert.deepEqual(
      up?.conditions?.map((c) => [c.type, c.status, c.reason, c.message]),
      [
        [
          "AbleToScale",
          "True",
          "SucceededRescale",
          "the HPA controller was able to update the target scale to 4",
        ],
        [
          "ScalingActive",
          "True",
          "ValidMetricFound",
          "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)",
        ],
        [
          "ScalingLimited",
          "False",
          "DesiredWithinRange",
          "the desired count is within the acceptable range",
        ],
      ],
    );
    await eventually(async () => (await events("web", "SuccessfulRescale")).length === 1);
    assert.deepEqual(await events("web", "SuccessfulRescale"), [
      "New size: 4; reason: cpu resource utilization (percentage of request) above target",
    ]);

    usage("web", 2, { cpu: "100m" }); // 20 %: one pod would do
    await tick("web");
    assert.equal(await replicas("web"), 4, "the recent recommendation of 4 holds");
    const held = await eventually(async () => {
      const s = await hpaStatus("web");
      return s?.conditions?.[0]?.reason === "ScaleDownStabilized" && s;
    });
    assert.equal(held.desiredReplicas, 4);
    assert.deepEqual(held.currentMetrics?.[0]?.resource?.current, {
      averageUtilization: 20,
      averageValue: "100m",
    });

    await tick("web", 300_000);
    await eventually(async () => (await replicas("web")) === 1);
    await eventually(async () => (await events("web", "SuccessfulRescale")).length === 2);
    assert.ok(
      (await events("web", "SuccessfulRescale")).includes(
        "New size: 1; reason: All metrics below target",
      ),
    );
  });

  it("takes the largest proposal of several metrics (memory average value), within the scale-up limit", async () => {
    await deployment("mix", 2);
    await pods("mix", 2, { cpu: "500m", memory: "100Mi" });
    usage("mix", 2, { cpu: "300m", memory: "250Mi" });
    await autoscale("mix", 1, 10, {
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
        },
        {
          type: "Resource",
          resource: { name: "memory", target: { type: "AverageValue", averageValue: "100Mi" } },
        },
      ],
    });
    await eventually(async () => (await replicas("mix")) === 4);
    await eventually(async () => (await hpaStatus("mix"))?.desiredReplicas === 4);
    const s = await hpaStatus("mix");
    assert.deepEqual(s?.currentMetrics, [
      {
        type: "Resource",
        resource: { name: "cpu", current: { averageUtilization: 60, averageValue: "300m" } },
      },
      { type: "Resource", resource: { name: "memory", current: { averageValue: "262144k" } } },
    ]);
    assert.deepEqual(await conditionsOf("mix"), [
      ["AbleToScale", "True", "SucceededRescale"],
      ["ScalingActive", "True", "ValidMetricFound"],
      ["ScalingLimited", "True", "ScaleUpLimit"],
    ]);
    await eventually(async () => (await events("mix", "SuccessfulRescale")).length === 1);
    assert.deepEqual(await events("mix", "SuccessfulRescale"), [
      "New size: 4; reason: memory resource above target",
    ]);
  });

  it("reports missing requests and metric types that need the custom metrics API", async () => {
    await deployment("noreq", 1);
    await pods("noreq", 1, undefined);
    usage("noreq", 1, { cpu: "100m" });
    await autoscale("noreq", 1, 3);
    await eventually(
      async () => (await conditionsOf("noreq"))?.[1]?.[2] === "FailedGetResourceMetric",
    );
    const s = await hpaStatus("noreq");
    assert.equal(
      s?.conditions?.[1]?.message,
      "the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container app of Pod noreq-0",
    );
    await eventually(async () => (await events("noreq", "FailedGetResourceMetric")).length > 0);

    await deployment("queue", 1);
    await autoscale("queue", 1, 3, {
      metrics: [
        {
          type: "Pods",
          pods: {
            metric: { name: "packets-per-second" },
            target: { type: "AverageValue", averageValue: "1k" },
          },
        },
      ],
    });
    await eventually(async () => (await conditionsOf("queue"))?.[1]?.[2] === "FailedGetPodsMetric");
    assert.equal(
      (await hpaStatus("queue"))?.conditions?.[1]?.message,
      "the HPA was unable to compute the replica count: unable to get metric packets-per-second: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered",
    );
    assert.equal(await replicas("queue"), 1);
  });
});
