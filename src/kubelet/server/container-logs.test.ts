import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ContainerStatus, PodStatus } from "../../api/generated/types.ts";
import { containerForLogs } from "./container-logs.ts";

const status = (s: Partial<ContainerStatus>): PodStatus => ({
  containerStatuses: [
    { name: "c", ready: false, restartCount: 0, image: "i", imageID: "", ...s } as ContainerStatus,
  ],
});
const pick = (s: Partial<ContainerStatus>, previous = false) =>
  containerForLogs("p", status(s), "c", previous);

describe("which container instance a log request reads", () => {
  it("reads the running one, else the terminated one, else the last terminated", () => {
    assert.deepEqual(pick({ containerID: "containerd://a", state: { running: {} } }), { id: "a" });
    assert.deepEqual(
      pick({ state: { terminated: { exitCode: 1, containerID: "containerd://b" } } }),
      { id: "b" },
    );
    assert.deepEqual(
      pick({
        state: { waiting: { reason: "CrashLoopBackOff" } },
        lastState: { terminated: { exitCode: 1, containerID: "containerd://old" } },
      }),
      { id: "old" },
    );
  });

  it("reads the previous instance only when there is one", () => {
    const restarted = {
      containerID: "containerd://new",
      state: { running: {} },
      lastState: { terminated: { exitCode: 1, containerID: "containerd://old" } },
    };
    assert.deepEqual(pick(restarted, true), { id: "old" });
    assert.deepEqual(pick({ containerID: "containerd://a", state: { running: {} } }, true), {
      error: 'previous terminated container "c" in pod "p" not found',
    });
  });

  it("says why a container has no log yet, in upstream's words", () => {
    const waiting = (reason: string) => pick({ state: { waiting: { reason } } });
    assert.deepEqual(waiting("ContainerCreating"), {
      error: 'container "c" in pod "p" is waiting to start: ContainerCreating',
    });
    assert.deepEqual(waiting("ErrImagePull"), {
      error: `container "c" in pod "p" is waiting to start: image can't be pulled`,
    });
    assert.deepEqual(waiting("ImagePullBackOff"), {
      error: 'container "c" in pod "p" is waiting to start: trying and failing to pull image',
    });
    assert.deepEqual(pick({}), {
      error: 'container "c" in pod "p" is waiting to start - no logs yet',
    });
    assert.deepEqual(containerForLogs("p", {}, "c", false), {
      error: 'container "c" in pod "p" is not available',
    });
  });
});
