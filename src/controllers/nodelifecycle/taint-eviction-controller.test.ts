import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { CoreV1EventList as EventList, Pod } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { FakeClock } from "../../machinery/clock.ts";
import { type Harness, startControllers } from "../endpoints/testing/harness.ts";
import { taintEvictionControllerFactory } from "./taint-eviction-controller.ts";

const clock = new FakeClock();

describe("taint eviction", () => {
  let h: Harness;
  before(async () => {
    h = await startControllers([taintEvictionControllerFactory], { clock });
  });
  after(() => h.stop());

  it("evicts a pod once: one event, one delete, while the deletion is in flight", async () => {
    const c = h.api.client;
    await c.create(resourcePath(resources.nodes), {
      metadata: { name: "n1" },
      spec: { taints: [{ key: "example.com/broken", effect: "NoExecute" }] },
    });
    for (const name of ["p1", "p2", "p3"]) {
      await c.create<Pod>(resourcePath(resources.pods, "default"), {
        metadata: { name },
        spec: { nodeName: "n1", containers: [{ name: "c", image: "nginx" }] },
      });
    }
    for (const name of ["p1", "p2", "p3"]) {
      await eventually(async () => {
        const p = await c.get<Pod>(resourcePath(resources.pods, "default", name));
        return p.metadata?.deletionTimestamp !== undefined;
      });
    }
    await sleep(300);
    const events = await c.get<EventList>(resourcePath(resources.events, "default"));
    const evictions = events.items.filter((e) => e.reason === "TaintManagerEviction");
    assert.deepEqual(evictions.map((e) => [e.involvedObject.name, e.count ?? 1]).sort(), [
      ["p1", 1],
      ["p2", 1],
      ["p3", 1],
    ]);
  });
});
