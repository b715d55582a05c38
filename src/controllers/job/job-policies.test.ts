/** Pod failure policy and success policy, against a real in-process API server. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually } from "../../client/testing/test-api.ts";
import { jobControllerFactory } from "./job-controller.ts";
import { jobCompletionIndexAnnotation } from "./job-pods.ts";
import { jobTestKit, running } from "./job-test-kit.ts";
import { type Harness, startControllers } from "./test-harness.ts";

let h: Harness;
let k: ReturnType<typeof jobTestKit>;

describe("job policies", () => {
  before(async () => {
    h = await startControllers([jobControllerFactory]);
    k = jobTestKit(h);
  });
  after(() => h.stop());

  it("follows the pod failure policy: Ignore, then FailJob", async () => {
    await k.createJob("policy", {
      backoffLimit: 0,
      podFailurePolicy: {
        rules: [
          { action: "FailJob", onExitCodes: { operator: "In", values: [42] } },
          { action: "Ignore", onExitCodes: { operator: "In", values: [3] } },
        ],
      },
    });
    const [first] = await k.waitForPods("policy", 1);
    await k.finishPod(first!, "Failed", 3);
    h.clock.advance(10_000);
    const [second] = await k.waitForPods("policy", 1, running);
    const ignored = await k.getJob("policy");
    assert.equal(ignored.status?.failed, undefined);
    assert.equal(ignored.status?.conditions, undefined);
    await k.finishPod(second!, "Failed", 42);
    const failed = await k.waitForCondition("policy", "Failed");
    const c = failed.status?.conditions?.[1];
    assert.equal(c?.reason, "PodFailurePolicy");
    assert.equal(
      c?.message,
      `Container main for pod default/${second!.metadata?.name} failed with exit code 42 matching FailJob rule at index 0`,
    );
    assert.equal(failed.status?.failed, 1);
  });

  it("succeeds early by the success policy of an Indexed job", async () => {
    await k.createJob("leader", {
      completions: 3,
      parallelism: 3,
      completionMode: "Indexed",
      successPolicy: { rules: [{ succeededIndexes: "0" }] },
    });
    const pods = await k.waitForPods("leader", 3);
    const leader = pods.find(
      (p) => p.metadata?.annotations?.[jobCompletionIndexAnnotation] === "0",
    );
    await k.finishPod(leader!, "Succeeded");
    const done = await k.waitForCondition("leader", "Complete");
    assert.deepEqual(
      done.status?.conditions?.map((c) => [c.type, c.reason, c.message]),
      [
        ["SuccessCriteriaMet", "SuccessPolicy", "Matched rules at index 0"],
        ["Complete", "SuccessPolicy", "Matched rules at index 0"],
      ],
    );
    assert.equal(done.status?.completedIndexes, "0");
    assert.equal(done.status?.failed, undefined);
    await eventually(async () => (await k.podsOf("leader")).filter(running).length === 0);
  });
});
