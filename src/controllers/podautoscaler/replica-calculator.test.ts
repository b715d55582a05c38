/** The replica calculator and the metrics reading, with upstream's cases (replica_calculator_test.go). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../../api/generated/types.ts";
import { FakeClock } from "../../machinery/clock.ts";
import { newGenericServerResponse } from "../../machinery/generic-response.ts";
import { parseSelector } from "../../machinery/labels.ts";
import { ReplicaCalculator, type Tolerances } from "./replica-calculator.ts";
import { getResourceMetric, restResourceMetrics } from "./resource-metrics.ts";
import { FakeResourceMetrics, type TestPodOptions, testPod, type Usage } from "./testing.ts";

const tolerance: Tolerances = { scaleDown: 0.1, scaleUp: 0.1 };
const minute = 60_000;
const t0 = new FakeClock().now();
/** Unready since 10 s after it started 10 minutes ago: never ready. */
const neverReady = { ready: "False", readyTransitionMs: t0 - 10 * minute + 10_000 } as const;

/** Pods started 10 minutes ago, ready since then, with one metric each (undefined: none). */
function setup(
  levels: ReadonlyArray<Usage | undefined>,
  pod: (i: number) => Partial<TestPodOptions> = () => ({}),
) {
  const clock = new FakeClock();
  const now = clock.now();
  const metrics = new FakeResourceMetrics();
  const pods: Pod[] = levels.map((usage, i) => {
    const name = `p-${i}`;
    if (usage) metrics.set({ name, labels: { app: "web" } }, usage, { timestampMs: now });
    return testPod({
      name,
      ready: "True",
      startTimeMs: now - 10 * minute,
      readyTransitionMs: now - 9 * minute,
      ...pod(i),
    });
  });
  const calc = new ReplicaCalculator({
    metrics,
    listPods: (_ns, selector) => pods.filter((p) => selector.matches(p.metadata?.labels)),
    clock,
  });
  return { calc, metrics, clock };
}

const cpu = (...milli: number[]) => milli.map((m) => ({ app: { cpu: `${m}m` } }));
const query = (currentReplicas: number, resource = "cpu", container = "") => ({
  currentReplicas,
  resource,
  tolerances: tolerance,
  namespace: "default",
  selector: parseSelector("app=web"),
  container,
});

describe("replica calculator: utilization targets", () => {
  it("scales up and down by the usage ratio of the ready pods", async () => {
    const up = setup(cpu(300, 500, 700));
    assert.deepEqual(await up.calc.getResourceReplicas({ ...query(3), targetUtilization: 30 }), {
      replicas: 5,
      utilization: 50,
      rawUtilization: 500,
      timestamp: up.clock.now(),
    });
    const down = setup(cpu(100, 300, 500, 250, 250));
    const r = await down.calc.getResourceReplicas({ ...query(5), targetUtilization: 50 });
    assert.ok(!("error" in r));
    assert.equal(r.replicas, 3);
    assert.equal(r.utilization, 28);
  });

  it("keeps the count within the tolerance", async () => {
    const { calc } = setup(cpu(1010, 1030, 1020), (i) => ({
      requests: { app: { cpu: ["900m", "1", "1100m"][i] ?? "1" } },
    }));
    const r = await calc.getResourceReplicas({ ...query(3), targetUtilization: 100 });
    assert.ok(!("error" in r));
    assert.equal(r.utilization, 102);
    assert.equal(r.replicas, 3);
  });

  it("counts pods without metrics at 0% on a scale-up and 100% on a scale-down", async () => {
    const up = setup([...cpu(2000, 1900, 1800), undefined]);
    const ru = await up.calc.getResourceReplicas({ ...query(4), targetUtilization: 50 });
    assert.ok(!("error" in ru));
    assert.equal(ru.utilization, 190);
    assert.equal(ru.replicas, 12, "5700m over 4 CPUs is 142%: 4 × 2.84");
    const down = setup([...cpu(100, 100, 100), undefined]);
    const rd = await down.calc.getResourceReplicas({ ...query(4), targetUtilization: 50 });
    assert.ok(!("error" in rd));
    assert.equal(rd.replicas, 3, "1300m over 4 CPUs is 32%: 4 × 0.64");
    // A missing pod that would reverse the direction keeps the count.
    const flip = setup([...cpu(600, 600), undefined]);
    const rf = await flip.calc.getResourceReplicas({ ...query(3), targetUtilization: 55 });
    assert.ok(!("error" in rf));
    assert.equal(rf.replicas, 3);
  });

  it("counts unready pods at 0% on a scale-up and leaves them out otherwise", async () => {
    const unreadyFirst = (i: number) => (i === 0 ? neverReady : {});
    const up = setup(cpu(300, 500, 700), unreadyFirst);
    const ru = await up.calc.getResourceReplicas({ ...query(3), targetUtilization: 30 });
    assert.ok(!("error" in ru));
    assert.equal(ru.utilization, 60, "the ready pods only");
    assert.equal(ru.replicas, 4, "(0 + 500 + 700) / 3000 = 40%: 3 × 1.33");
    const down = setup(cpu(100, 100, 100), unreadyFirst);
    const rd = await down.calc.getResourceReplicas({ ...query(3), targetUtilization: 50 });
    assert.ok(!("error" in rd));
    assert.equal(rd.replicas, 1, "2 ready pods × 0.2");
    // Pending pods are unready whatever the resource; memory ignores readiness otherwise.
    const pending = setup(cpu(500, 500, 500), (i) => (i === 0 ? { phase: "Pending" } : {}));
    const rp = await pending.calc.getResourceReplicas({ ...query(3), targetUtilization: 100 });
    assert.ok(!("error" in rp));
    assert.equal(rp.replicas, 1);
  });

  it("distrusts a CPU sample taken less than a window after the pod became ready", async () => {
    // Started 1 min ago (within the 5-min CPU initialization), ready 10 s ago, 30 s window.
    const clock = new FakeClock();
    const now = clock.now();
    const metrics = new FakeResourceMetrics();
    const pods = [0, 1].map((i) =>
      testPod({
        name: `p-${i}`,
        ready: "True",
        startTimeMs: now - minute,
        readyTransitionMs: i === 0 ? now - 10_000 : now - 50_000,
      }),
    );
    for (const p of pods) {
      const name = p.metadata?.name ?? "";
      metrics.set(
        { name, labels: { app: "web" } },
        { app: { cpu: "900m" } },
        { timestampMs: now, window: "30s" },
      );
    }
    const calc = new ReplicaCalculator({ metrics, listPods: () => pods, clock });
    const r = await calc.getResourceReplicas({ ...query(2), targetUtilization: 30 });
    assert.ok(!("error" in r));
    assert.equal(r.utilization, 90, "p-1 only");
    assert.equal(r.replicas, 3, "p-0 at 0%: 900m over 2 CPUs is 45%, 2 × 1.5 (not 2 × 3)");
  });

  it("ignores pods being deleted or failed, sums containers and reads one container", async () => {
    const { calc } = setup(
      [
        { app: { cpu: "400m" }, side: { cpu: "200m" } },
        { app: { cpu: "400m" }, side: { cpu: "200m" } },
        { app: { cpu: "900m" }, side: { cpu: "900m" } },
        { app: { cpu: "900m" }, side: { cpu: "900m" } },
      ],
      (i) => ({
        requests: { app: { cpu: "500m" }, side: { cpu: "500m" } },
        ...(i === 2 ? { deleting: true } : i === 3 ? { phase: "Failed" } : {}),
      }),
    );
    const pod = await calc.getResourceReplicas({ ...query(2), targetUtilization: 60 });
    assert.ok(!("error" in pod));
    assert.equal(pod.utilization, 60);
    assert.equal(pod.replicas, 2);
    const side = await calc.getResourceReplicas({
      ...query(2, "cpu", "side"),
      targetUtilization: 20,
    });
    assert.ok(!("error" in side));
    assert.equal(side.utilization, 40);
    assert.equal(side.replicas, 4);
  });

  it("fails with upstream's messages", async () => {
    const noRequest = setup(cpu(100), () => ({ requests: { app: { memory: "1Gi" } } }));
    assert.deepEqual(
      await noRequest.calc.getResourceReplicas({ ...query(1), targetUtilization: 50 }),
      {
        error: "missing request for cpu in container app of Pod p-0",
      },
    );
    const none = setup([]);
    assert.deepEqual(await none.calc.getResourceReplicas({ ...query(1), targetUtilization: 50 }), {
      error:
        "unable to get metrics for resource cpu: no metrics returned from resource metrics API",
    });
    const down = setup(cpu(100));
    down.metrics.error = new Error(
      "the server could not find the requested resource (get pods.metrics.k8s.io)",
    );
    assert.deepEqual(await down.calc.getResourceReplicas({ ...query(1), targetUtilization: 50 }), {
      error:
        "unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)",
    });
    const unready = setup(cpu(100), () => neverReady);
    assert.deepEqual(
      await unready.calc.getResourceReplicas({ ...query(1), targetUtilization: 50 }),
      {
        error: "did not receive metrics for targeted pods (pods might be unready)",
      },
    );
  });
});

describe("replica calculator: average value targets", () => {
  const mem = (...mi: number[]) => mi.map((m) => ({ app: { memory: `${m}Mi` } }));

  it("compares the average usage per pod with the target", async () => {
    const { calc, clock } = setup(mem(100, 200, 300));
    const target = 100 * 1024 * 1024 * 1000;
    assert.deepEqual(
      await calc.getRawResourceReplicas({ ...query(3, "memory"), targetUsage: target }),
      {
        replicas: 6,
        usage: 2 * target,
        timestamp: clock.now(),
      },
    );
    const within = await calc.getRawResourceReplicas({
      ...query(3, "memory"),
      targetUsage: (target * 2) / 1.05,
    });
    assert.ok(!("error" in within));
    assert.equal(within.replicas, 3);
  });

  it("counts a pod without metrics at the target on a scale-down", async () => {
    const { calc } = setup([...mem(10, 10), undefined]);
    const r = await calc.getRawResourceReplicas({
      ...query(3, "memory"),
      targetUsage: 100 * 1024 * 1024 * 1000,
    });
    assert.ok(!("error" in r));
    assert.equal(r.replicas, 2, "(10 + 10 + 100) / 3 = 40Mi of 100Mi: 3 × 0.4");
  });
});

describe("resource metrics reading", () => {
  it("needs every pod's container for container metrics, and names the resource when the API is missing", async () => {
    const metrics = new FakeResourceMetrics();
    metrics.set({ name: "a", labels: { app: "web" } }, { app: { cpu: "1" } }, { timestampMs: 0 });
    const q = { resource: "cpu", namespace: "default", selector: parseSelector("app=web") };
    assert.deepEqual(await getResourceMetric(metrics, { ...q, container: "side" }), {
      error:
        "failed to get container metrics: container side not present in metrics for pod default/a",
    });
    assert.deepEqual(metrics.calls.at(-1), { namespace: "default", labelSelector: "app=web" });
    const client = {
      get: async () => {
        throw newGenericServerResponse({ code: 404, verb: "GET" });
      },
    };
    const rest = restResourceMetrics(client as never);
    await assert.rejects(rest.podMetrics("default", "app=web"), {
      message: "the server could not find the requested resource (get pods.metrics.k8s.io)",
    });
  });
});
