import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StartGate } from "./start-gate.ts";

/** A call the test ends by hand, recording when it began. */
function calls() {
  const began: string[] = [];
  const finish = new Map<string, () => void>();
  const call = (name: string) => () =>
    new Promise<string>((resolve) => {
      began.push(name);
      finish.set(name, () => resolve(name));
    });
  const end = async (name: string) => {
    finish.get(name)!();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  return { began, call, end };
}

const settle = () => new Promise((r) => setImmediate(r));

describe("StartGate", () => {
  it("lets `limit` calls in at once, then the pod seen first, whatever order they asked in", async () => {
    const gate = new StartGate(2);
    const { began, call, end } = calls();
    for (const uid of ["a", "b", "c", "d", "e"]) gate.seen(uid);
    const done = [
      gate.run("a", call("a")),
      gate.run("b", call("b")),
      gate.run("e", call("e")),
      gate.run("d", call("d")),
      gate.run("c", call("c")),
    ];
    await settle();
    assert.deepEqual(began, ["a", "b"], "two at a time");
    await end("a");
    assert.deepEqual(began, ["a", "b", "c"], "c was seen before d and e");
    await end("b");
    await end("c");
    assert.deepEqual(began, ["a", "b", "c", "d", "e"]);
    await end("d");
    await end("e");
    assert.deepEqual(await Promise.all(done), ["a", "b", "e", "d", "c"]);
  });

  it("frees the slot when the call throws, and ranks an unseen pod when it first waits", async () => {
    const gate = new StartGate(1);
    const { began, call, end } = calls();
    const failing = gate.run("x", async () => {
      await settle();
      throw new Error("runc failed");
    });
    const later = gate.run("y", call("y"));
    await assert.rejects(failing, /runc failed/);
    await settle();
    assert.deepEqual(began, ["y"]);
    await end("y");
    assert.equal(await later, "y");
  });

  it("forgets a removed pod: seen again, it ranks after the others", async () => {
    const gate = new StartGate(1);
    const { began, call, end } = calls();
    gate.seen("old");
    gate.seen("new");
    gate.forget("old");
    gate.seen("old");
    const first = gate.run("busy", call("busy"));
    const a = gate.run("old", call("old"));
    const b = gate.run("new", call("new"));
    await settle();
    await end("busy");
    await end("new");
    await end("old");
    assert.deepEqual(began, ["busy", "new", "old"]);
    await Promise.all([first, a, b]);
  });
});
