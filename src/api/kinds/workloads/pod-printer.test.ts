import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../../generated/types.ts";
import { podPrinter } from "./pod-printer.ts";

const now = Date.parse("2024-01-01T01:00:00Z");

const base = (): Pod => ({
  metadata: { name: "web", creationTimestamp: "2024-01-01T00:00:00Z" },
  spec: {
    containers: [
      { name: "a", image: "x" },
      { name: "b", image: "y" },
    ],
  },
  status: { phase: "Running" },
});

const running = (name: string, ready: boolean, restartCount = 0) => ({
  name,
  image: "x",
  imageID: "",
  ready,
  restartCount,
  state: { running: { startedAt: "2024-01-01T00:00:00Z" } },
});

describe("Pod printer", () => {
  it("has upstream's columns", () => {
    assert.deepEqual(
      podPrinter.columns.map((c) => [c.name, c.priority]),
      [
        ["Name", 0],
        ["Ready", 0],
        ["Status", 0],
        ["Restarts", 0],
        ["Age", 0],
        ["IP", 1],
        ["Node", 1],
        ["Nominated Node", 1],
        ["Readiness Gates", 1],
      ],
    );
  });

  it("prints a running pod with restarts", () => {
    const p = base();
    p.spec!.nodeName = "n1";
    p.status!.podIPs = [{ ip: "10.0.0.5" }];
    p.status!.containerStatuses = [
      running("a", true),
      {
        ...running("b", true, 3),
        lastState: { terminated: { exitCode: 1, finishedAt: "2024-01-01T00:55:00Z" } },
      },
    ];
    assert.deepEqual(podPrinter.row(p, now), [
      "web",
      "2/2",
      "Running",
      "3 (5m ago)",
      "60m",
      "10.0.0.5",
      "n1",
      "<none>",
      "<none>",
    ]);
  });

  it("prints waiting reasons, Completed and Terminating", () => {
    const p = base();
    p.status!.containerStatuses = [
      { ...running("a", false), state: { waiting: { reason: "CrashLoopBackOff" } } },
      running("b", true),
    ];
    assert.equal(podPrinter.row(p, now)[2], "CrashLoopBackOff");
    p.status = {
      phase: "Succeeded",
      containerStatuses: [
        { ...running("a", false), state: { terminated: { exitCode: 0, reason: "Completed" } } },
      ],
    };
    assert.equal(podPrinter.row(p, now)[2], "Completed");
    p.status = { phase: "Running" };
    p.metadata!.deletionTimestamp = "2024-01-01T00:59:00Z";
    assert.equal(podPrinter.row(p, now)[2], "Terminating");
  });

  it("prints init progress", () => {
    const p = base();
    p.spec!.initContainers = [
      { name: "i1", image: "x" },
      { name: "i2", image: "x" },
    ];
    p.status = {
      phase: "Pending",
      initContainerStatuses: [
        { ...running("i1", false), state: { terminated: { exitCode: 0 } } },
        { ...running("i2", false), state: { running: {} } },
      ],
    };
    const row = podPrinter.row(p, now);
    assert.equal(row[1], "0/2");
    assert.equal(row[2], "Init:1/2");
    assert.equal(row[3], "0");
    p.status.initContainerStatuses![1]!.state = { terminated: { exitCode: 2 } };
    assert.equal(podPrinter.row(p, now)[2], "Init:ExitCode:2");
  });

  it("counts readiness gates", () => {
    const p = base();
    p.spec!.readinessGates = [{ conditionType: "x" }, { conditionType: "y" }];
    p.status!.conditions = [{ type: "x", status: "True" }];
    assert.equal(podPrinter.row(p, now)[8], "1/2");
  });
});
