/** The kubelet's pod conditions: others' conditions kept, readiness gates, upstream reasons. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod, PodCondition } from "../api/generated/types.ts";
import { podConditions } from "./pod-conditions.ts";
import type { ContainerRuntimeStatus, PodRuntimeStatus } from "./runtime.ts";

const now = "2026-01-01T00:00:10Z";
const before = "2026-01-01T00:00:00Z";
const running = (name: string, ready: boolean): ContainerRuntimeStatus => ({
  name,
  state: "running",
  restartCount: 0,
  ready,
  image: "nginx",
  imageID: "",
  containerID: `containerd://${name}`,
});
const runtime = (...containers: ContainerRuntimeStatus[]): PodRuntimeStatus => ({
  podIP: "10.244.0.5",
  initContainers: [],
  containers,
});
const pod = (conditions: PodCondition[], gates: string[] = []): Pod => ({
  metadata: { name: "p", namespace: "default" },
  spec: {
    containers: [{ name: "c", image: "nginx" }],
    readinessGates: gates.map((conditionType) => ({ conditionType })),
  },
  status: { conditions },
});
const byType = (cs: PodCondition[], type: string) => cs.find((c) => c.type === type);

describe("podConditions", () => {
  it("keeps conditions the kubelet does not own, first and unchanged", () => {
    const disruption = {
      type: "DisruptionTarget",
      status: "True",
      reason: "EvictionByEvictionAPI",
      message: "Eviction API: evicting",
      lastTransitionTime: before,
    };
    const cs = podConditions({
      pod: pod([disruption, { type: "Ready", status: "False", lastTransitionTime: before }]),
      runtime: runtime(running("c", true)),
      phase: "Running",
      now,
    });
    assert.deepEqual(cs[0], disruption);
    assert.deepEqual(
      cs.map((c) => c.type),
      [
        "DisruptionTarget",
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
      ],
    );
    assert.equal(byType(cs, "Ready")?.lastTransitionTime, now);
  });

  it("holds Ready False until every readiness gate's condition is True", () => {
    const missing = podConditions({
      pod: pod([], ["example.com/lb", "example.com/dns"]),
      runtime: runtime(running("c", true)),
      phase: "Running",
      now,
    });
    assert.deepEqual(byType(missing, "ContainersReady")?.status, "True");
    const ready = byType(missing, "Ready");
    assert.equal(ready?.status, "False");
    assert.equal(ready?.reason, "ReadinessGatesNotReady");
    assert.equal(
      ready?.message,
      'corresponding condition of pod readiness gate "example.com/lb" does not exist., ' +
        'corresponding condition of pod readiness gate "example.com/dns" does not exist.',
    );
    const half = podConditions({
      pod: pod(
        [
          { type: "example.com/lb", status: "True" },
          { type: "example.com/dns", status: "False" },
        ],
        ["example.com/lb", "example.com/dns"],
      ),
      runtime: runtime(running("c", true)),
      phase: "Running",
      now,
    });
    assert.equal(
      byType(half, "Ready")?.message,
      'the status of pod readiness gate "example.com/dns" is not "True", but False',
    );
    assert.equal(byType(half, "example.com/dns")?.status, "False");
    const all = podConditions({
      pod: pod(
        [
          { type: "example.com/lb", status: "True" },
          { type: "example.com/dns", status: "True" },
        ],
        ["example.com/lb", "example.com/dns"],
      ),
      runtime: runtime(running("c", true)),
      phase: "Running",
      now,
    });
    assert.equal(byType(all, "Ready")?.status, "True");
    assert.equal(byType(all, "Ready")?.reason, undefined);
  });

  it("gives ContainersReady's reason and message to Ready when containers are not ready", () => {
    const cs = podConditions({
      pod: pod([], ["example.com/lb"]),
      runtime: runtime(running("a", false), running("b", true), running("c", false)),
      phase: "Running",
      now,
    });
    for (const type of ["Ready", "ContainersReady"]) {
      assert.equal(byType(cs, type)?.reason, "ContainersNotReady");
      assert.equal(byType(cs, type)?.message, "containers with unready status: [a c]");
    }
  });

  it("keeps lastTransitionTime while the status does not change", () => {
    const cs = podConditions({
      pod: pod([{ type: "Ready", status: "True", lastTransitionTime: before }]),
      runtime: runtime(running("c", true)),
      phase: "Running",
      now,
    });
    assert.equal(byType(cs, "Ready")?.lastTransitionTime, before);
  });
});
