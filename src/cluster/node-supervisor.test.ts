import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "../machinery/clock.ts";
import { silentLogger } from "../machinery/log.ts";
import { type Launched, NodeSupervisor } from "./node-supervisor.ts";
import { clusterSpec } from "./spec.ts";

const spec = clusterSpec({
  name: "dev",
  masters: 1,
  workers: 1,
  runtime: "simulated",
  index: 0,
  baseDir: "/tmp/c",
  bosun: ["node", "bosun.js"],
  now: new Date(0),
});

class FakeProcess implements Launched {
  static next = 100;
  readonly pid = FakeProcess.next++;
  killed = false;
  #exit!: () => void;
  readonly exited = new Promise<void>((r) => (this.#exit = r));
  kill(): void {
    this.killed = true;
    this.#exit();
  }
  crash(): void {
    this.#exit();
  }
}

function harness() {
  const clock = new FakeClock();
  const launched: FakeProcess[] = [];
  const events: string[] = [];
  const sup = new NodeSupervisor({
    nodes: spec.nodes,
    launch: () => {
      const p = new FakeProcess();
      launched.push(p);
      return p;
    },
    beforeStart: async (n) => void events.push(`power on ${n.name}`),
    afterStop: async (n) => void events.push(`reap and power off ${n.name}`),
    clock,
    log: silentLogger,
  });
  return { clock, launched, events, sup };
}

const settle = () => new Promise((r) => setImmediate(r));

describe("node supervisor", () => {
  it("starts a node once, and stops it with a kill and the stop hook", async () => {
    const h = harness();
    await h.sup.start("dev-worker1");
    await h.sup.start("dev-worker1");
    assert.equal(h.launched.length, 1);
    const worker = h.sup.status().find((n) => n.name === "dev-worker1")!;
    assert.equal(worker.desired, "running");
    assert.equal(worker.pid, h.launched[0]!.pid);
    await h.sup.stop("dev-worker1");
    assert.equal(h.launched[0]!.killed, true);
    assert.deepEqual(h.events, ["power on dev-worker1", "reap and power off dev-worker1"]);
    const stopped = h.sup.status().find((n) => n.name === "dev-worker1")!;
    assert.equal(stopped.desired, "stopped");
    assert.equal(stopped.pid, undefined);
  });

  it("relaunches a node that dies on its own, backing off 1 s, 2 s, 4 s", async () => {
    const h = harness();
    await h.sup.start("dev-master1");
    for (const [i, delay] of [1000, 2000, 4000].entries()) {
      h.launched[i]!.crash();
      await settle();
      h.clock.advance(delay - 1);
      await settle();
      assert.equal(h.launched.length, i + 1, `not relaunched before ${delay} ms`);
      h.clock.advance(1);
      await settle();
      await settle();
      assert.equal(h.launched.length, i + 2, `relaunched after ${delay} ms`);
    }
    assert.equal(h.sup.status()[0]!.restarts, 3);
  });

  it("resets the back-off after a node ran for a minute", async () => {
    const h = harness();
    await h.sup.start("dev-master1");
    h.launched[0]!.crash();
    await settle();
    h.clock.advance(1000);
    await settle();
    await settle();
    h.clock.advance(60_000);
    h.launched[1]!.crash();
    await settle();
    h.clock.advance(1000);
    await settle();
    await settle();
    assert.equal(h.launched.length, 3);
  });

  it("does not relaunch a node that was stopped, even with a relaunch pending", async () => {
    const h = harness();
    await h.sup.start("dev-worker1");
    h.launched[0]!.crash();
    await settle();
    await h.sup.stop("dev-worker1");
    h.clock.advance(60_000);
    await settle();
    assert.equal(h.launched.length, 1);
  });

  it("adopts a launcher of an earlier supervisor and can stop it", async () => {
    const h = harness();
    const old = new FakeProcess();
    h.sup.adopt("dev-worker1", old, h.clock.now());
    assert.equal(h.sup.status()[1]!.pid, old.pid);
    await h.sup.stop("dev-worker1");
    assert.equal(old.killed, true);
  });

  it("refuses nodes it does not know", () => {
    assert.throws(() => harness().sup.start("other"), /no node named "other"/);
  });
});
