import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "./command.ts";
import { parseServerFlags } from "./server.ts";

describe("bosun server flags", () => {
  it("takes upstream's leader-election timings (15s lease, 2s retry by default)", () => {
    assert.deepEqual(parseServerFlags([]).leaderElection, {
      leaseDurationSeconds: 15,
      retryPeriodMs: 2000,
    });
    assert.deepEqual(
      parseServerFlags(["--leader-elect-lease-duration=8s", "--leader-elect-retry-period=1s"])
        .leaderElection,
      { leaseDurationSeconds: 8, retryPeriodMs: 1000 },
    );
    assert.throws(
      () =>
        parseServerFlags(["--leader-elect-lease-duration=1s", "--leader-elect-retry-period=2s"]),
      UsageError,
    );
  });

  it("defaults node failure timings to upstream's", () => {
    assert.deepEqual(parseServerFlags([]).nodeLifecycle, {
      nodeMonitorGracePeriodSeconds: 40,
      nodeMonitorPeriodSeconds: 5,
      nodeStartupGracePeriodSeconds: 60,
      defaultNotReadyTolerationSeconds: 300,
      defaultUnreachableTolerationSeconds: 300,
    });
  });

  it("takes Go durations and whole seconds under upstream's flag names", () => {
    const flags = parseServerFlags([
      "--node-monitor-grace-period",
      "4s",
      "--node-monitor-period=500ms",
      "--node-startup-grace-period=1m30s",
      "--default-not-ready-toleration-seconds=0",
      "--default-unreachable-toleration-seconds",
      "2",
    ]);
    assert.deepEqual(flags.nodeLifecycle, {
      nodeMonitorGracePeriodSeconds: 4,
      nodeMonitorPeriodSeconds: 0.5,
      nodeStartupGracePeriodSeconds: 90,
      defaultNotReadyTolerationSeconds: 0,
      defaultUnreachableTolerationSeconds: 2,
    });
  });

  it("rejects bad values with the flag's name", () => {
    assert.throws(
      () => parseServerFlags(["--node-monitor-grace-period", "40"]),
      (err) => err instanceof UsageError && /--node-monitor-grace-period/.test(err.message),
    );
    assert.throws(
      () => parseServerFlags(["--default-unreachable-toleration-seconds", "1.5"]),
      (err) =>
        err instanceof UsageError && /--default-unreachable-toleration-seconds/.test(err.message),
    );
  });
});
