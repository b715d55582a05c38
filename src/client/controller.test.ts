import assert from "node:assert/strict";
import { test } from "node:test";
import type { Logger } from "../machinery/log.ts";
import { newConflict } from "../machinery/status.ts";
import { runWorkers, StaleCacheError } from "./controller.ts";
import { WorkQueue } from "./work-queue.ts";

test("retried syncs log a stale cache and a write conflict at debug, other failures at warn", async () => {
  const lines: Array<[string, string]> = [];
  const log: Logger = {
    debug: (m: string) => void lines.push(["debug", m]),
    info: (m: string) => void lines.push(["info", m]),
    warn: (m: string) => void lines.push(["warn", m]),
    error: (m: string) => void lines.push(["error", m]),
    with: () => log,
  };
  const failures: Record<string, () => Error> = {
    stale: () => new StaleCacheError("cache behind"),
    conflict: () => newConflict({ group: "", resource: "endpoints" }, "web", "modified"),
    broken: () => new Error("connection refused"),
  };
  const queue = new WorkQueue<string>();
  const seen = new Map<string, number>();
  const stop = new AbortController();
  const running = runWorkers({
    queue,
    workers: 1,
    log,
    signal: stop.signal,
    sync: async (key) => {
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      if (n === 1) throw failures[key]!();
      if ([...seen.values()].every((v) => v >= 2)) stop.abort();
    },
  });
  for (const key of Object.keys(failures)) queue.add(key);
  await running;
  assert.deepEqual([...seen.keys()].sort(), ["broken", "conflict", "stale"]);
  assert.deepEqual(lines.sort(), [
    ["debug", "cache out of date; will retry"],
    ["debug", "write conflict; will retry"],
    ["warn", "sync failed; will retry"],
  ]);
});
