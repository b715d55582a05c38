/**
 * The Job controller against a real in-process API server, with a fake clock for back-off and
 * deadlines. Nothing runs pods here, so the tests finish them by writing pod status.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { jobControllerFactory } from "./job-controller.ts";
import { jobCompletionIndexAnnotation, jobTrackingFinalizer } from "./job-pods.ts";
import { jobTestKit, ns, running } from "./job-test-kit.ts";
import { type Harness, startControllers } from "./test-harness.ts";

let h: Harness;
let k: ReturnType<typeof jobTestKit>;

describe("job controller", () => {
  before(async () => {
    h = await startControllers([jobControllerFactory]);
    k = jobTestKit(h);
  });
  after(() => h.stop());

  it("runs pods to completion with parallelism and completions", async () => {
    const job = await k.createJob("pi", { completions: 3, parallelism: 2 });
    const pods = await k.waitForPods("pi", 2);
    for (const p of pods) {
      assert.match(p.metadata?.name ?? "", /^pi-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata?.finalizers, [jobTrackingFinalizer]);
      assert.equal(p.metadata?.labels?.["batch.kubernetes.io/controller-uid"], job.metadata?.uid);
      assert.equal(p.metadata?.labels?.["job-name"], "pi");
      const ref = p.metadata?.ownerReferences?.[0];
      assert.deepEqual(ref, {
        apiVersion: "batch/v1",
        kind: "Job",
        name: "pi",
        uid: job.metadata?.uid,
        controller: true,
        blockOwnerDeletion: true,
      });
    }
    await eventually(async () => (await k.getJob("pi")).status?.active === 2);
    await k.finishPod(pods[0]!, "Succeeded");
    const third = await k.waitForPods("pi", 2, running);
    for (const p of third) await k.finishPod(p, "Succeeded");
    const done = await k.waitForCondition("pi", "Complete");
    assert.equal(done.status?.succeeded, 3);
    assert.equal(done.status?.active, undefined);
    assert.equal(done.status?.ready, 0);
    assert.equal(done.status?.terminating, 0);
    assert.ok(done.status?.completionTime);
    assert.ok(done.status?.startTime);
    assert.deepEqual(
      done.status?.conditions?.map((c) => [c.type, c.reason, c.message]),
      [
        ["SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods"],
        ["Complete", "CompletionsReached", "Reached expected number of succeeded pods"],
      ],
    );
    const finished = await eventually(async () => {
      const all = await k.podsOf("pi");
      return all.every((p) => !p.metadata?.finalizers?.length) ? all : undefined;
    });
    assert.equal(finished.length, 3);
    const reasons = await eventually(async () => {
      const r = await k.eventReasons("pi");
      return r.includes("Completed") ? r : undefined;
    });
    assert.equal(reasons.filter((r) => r === "SuccessfulCreate").length, 3);
  });

  it("backs off between failures and fails at the backoff limit", async () => {
    await k.createJob("flaky", { backoffLimit: 1 });
    const [first] = await k.waitForPods("flaky", 1);
    await k.finishPod(first!, "Failed");
    await eventually(async () => (await k.getJob("flaky")).status?.failed === 1);
    // The replacement waits 10 s on the controller's clock.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await k.podsOf("flaky")).filter(running).length, 0);
    h.clock.advance(10_000);
    const [second] = await k.waitForPods("flaky", 1, running);
    await k.finishPod(second!, "Failed");
    const failed = await k.waitForCondition("flaky", "Failed");
    assert.equal(failed.status?.failed, 2);
    const types = failed.status?.conditions?.map((c) => [c.type, c.reason, c.message]);
    assert.deepEqual(types, [
      ["FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"],
      ["Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"],
    ]);
    assert.equal(failed.status?.completionTime, undefined);
    await eventually(async () => (await k.eventReasons("flaky")).includes("BackoffLimitExceeded"));
  });

  it("fails a job active longer than activeDeadlineSeconds", async () => {
    await k.createJob("slow", { parallelism: 2, completions: 4, activeDeadlineSeconds: 30 });
    await k.waitForPods("slow", 2);
    h.clock.advance(29_000);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await k.getJob("slow")).status?.conditions, undefined);
    h.clock.advance(1_000);
    const failed = await k.waitForCondition("slow", "Failed");
    assert.equal(failed.status?.conditions?.[1]?.reason, "DeadlineExceeded");
    assert.equal(
      failed.status?.conditions?.[1]?.message,
      "Job was active longer than specified deadline",
    );
    assert.equal(failed.status?.failed, 2);
    assert.equal(failed.status?.active, undefined);
    await eventually(async () => (await k.podsOf("slow")).length === 0);
  });

  it("runs an Indexed job, one pod per completion index", async () => {
    await k.createJob("indexed", { completions: 3, parallelism: 3, completionMode: "Indexed" });
    const pods = await k.waitForPods("indexed", 3);
    const byIndex = new Map(
      pods.map((p) => [p.metadata?.annotations?.[jobCompletionIndexAnnotation], p]),
    );
    assert.deepEqual([...byIndex.keys()].sort(), ["0", "1", "2"]);
    for (const [ix, p] of byIndex) {
      assert.equal(p.metadata?.labels?.[jobCompletionIndexAnnotation], ix);
      assert.equal(p.spec?.hostname, `indexed-${ix}`);
      assert.match(p.metadata?.name ?? "", new RegExp(`^indexed-${ix}-[a-z0-9]{5}$`));
      const env = p.spec?.containers[0]?.env?.find((e) => e.name === "JOB_COMPLETION_INDEX");
      assert.ok(env?.valueFrom?.fieldRef);
    }
    await k.finishPod(byIndex.get("1")!, "Succeeded");
    await eventually(async () => (await k.getJob("indexed")).status?.completedIndexes === "1");
    await k.finishPod(byIndex.get("0")!, "Failed");
    h.clock.advance(10_000);
    const [replacement] = await k
      .waitForPods("indexed", 2, running)
      .then((ps) =>
        ps.filter((p) => p.metadata?.annotations?.[jobCompletionIndexAnnotation] === "0"),
      );
    assert.ok(replacement);
    await k.finishPod(replacement, "Succeeded");
    await k.finishPod(byIndex.get("2")!, "Succeeded");
    const done = await k.waitForCondition("indexed", "Complete");
    assert.equal(done.status?.completedIndexes, "0-2");
    assert.equal(done.status?.succeeded, 3);
    assert.equal(done.status?.failed, 1);
  });

  it("suspends and resumes", async () => {
    await k.createJob("paused", { suspend: true, parallelism: 2, completions: 2 });
    const suspended = await k.waitForCondition("paused", "Suspended");
    assert.equal(suspended.status?.conditions?.[0]?.reason, "JobSuspended");
    assert.equal(suspended.status?.startTime, undefined);
    assert.equal((await k.podsOf("paused")).length, 0);
    await h.client.patch(resourcePath(resources.jobs, ns, "paused"), "merge", {
      spec: { suspend: false },
    });
    await k.waitForPods("paused", 2);
    const resumed = await eventually(async () => {
      const job = await k.getJob("paused");
      return job.status?.conditions?.[0]?.status === "False" ? job : undefined;
    });
    assert.equal(resumed.status?.conditions?.[0]?.reason, "JobResumed");
    assert.ok(resumed.status?.startTime);
    await h.client.patch(resourcePath(resources.jobs, ns, "paused"), "merge", {
      spec: { suspend: true },
    });
    await eventually(async () => (await k.podsOf("paused")).length === 0);
    const again = await eventually(async () => {
      const job = await k.getJob("paused");
      return job.status?.active === undefined && job.status?.conditions?.[0]?.status === "True"
        ? job
        : undefined;
    });
    assert.equal(again.status?.failed, undefined);
  });

  it("keeps counts of finished pods that are deleted", async () => {
    await k.createJob("counted", { completions: 2, parallelism: 2 });
    const [a, b] = await k.waitForPods("counted", 2);
    await k.finishPod(a!, "Succeeded");
    await eventually(async () => {
      const job = await k.getJob("counted");
      const pods = await k.podsOf("counted");
      const counted = job.status?.succeeded === 1;
      return (
        counted &&
        pods.every((p) => p.metadata?.name !== a!.metadata?.name || !p.metadata?.finalizers?.length)
      );
    });
    await h.client.delete(resourcePath(resources.pods, ns, a!.metadata?.name));
    await eventually(async () => (await k.podsOf("counted")).length === 1);
    assert.equal((await k.getJob("counted")).status?.succeeded, 1);
    await k.finishPod(b!, "Succeeded");
    const done = await k.waitForCondition("counted", "Complete");
    assert.equal(done.status?.succeeded, 2);
  });

  it("counts a pod deleted while running as failed and replaces it", async () => {
    await k.createJob("evicted", { completions: 1, backoffLimit: 3 });
    const [pod] = await k.waitForPods("evicted", 1);
    await h.client.delete(resourcePath(resources.pods, ns, pod!.metadata?.name));
    await eventually(async () => (await k.getJob("evicted")).status?.failed === 1);
    h.clock.advance(10_000);
    const [next] = await k.waitForPods("evicted", 1, running);
    assert.notEqual(next!.metadata?.name, pod!.metadata?.name);
  });
});
