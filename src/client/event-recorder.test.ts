import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../machinery/clock.ts";
import { newForbidden } from "../machinery/status.ts";
import { createEventRecorder, maxWriteTries, writeRetryMs } from "./event-recorder.ts";
import type { RestClient } from "./rest-client.ts";

const node = { apiVersion: "v1", kind: "Node", metadata: { name: "n1", uid: "u1" } };
const settle = () => new Promise((r) => setTimeout(r, 5));

/** A client whose creates fail with `failures` in turn, then succeed. */
function fakeClient(failures: unknown[]) {
  const calls: unknown[] = [];
  const client = {
    async create(_path: string, body: unknown) {
      calls.push(body);
      const failure = failures.shift();
      if (failure) throw failure;
      return body;
    },
  } as unknown as RestClient;
  return { client, calls };
}

test("an event write that reached no server is tried again, 10 s later", async () => {
  const clock = new FakeClock();
  const unreachable = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
  const { client, calls } = fakeClient([unreachable, unreachable]);
  const recorder = createEventRecorder({ client, component: "node-controller", clock });
  recorder.event(node, "Normal", "RegisteredNode", "Registered Node n1 in Controller");
  await settle();
  assert.equal(calls.length, 1);
  clock.advance(writeRetryMs - 1);
  await settle();
  assert.equal(calls.length, 1);
  clock.advance(1);
  await settle();
  assert.equal(calls.length, 2);
  clock.advance(writeRetryMs);
  await settle();
  assert.equal(calls.length, 3, "the third try succeeded");
  clock.advance(writeRetryMs * 5);
  await settle();
  assert.equal(calls.length, 3, "and is not repeated");
});

test("an answer of the server is final, and tries stop at upstream's 12", async () => {
  const clock = new FakeClock();
  const refused = fakeClient([newForbidden({ group: "", resource: "events" }, "x", "no")]);
  createEventRecorder({ client: refused.client, component: "c", clock }).event(
    node,
    "Normal",
    "R",
    "m",
  );
  await settle();
  clock.advance(writeRetryMs * 3);
  await settle();
  assert.equal(refused.calls.length, 1);

  const down = new Error("socket hang up");
  const never = fakeClient(Array.from({ length: 50 }, () => down));
  createEventRecorder({ client: never.client, component: "c", clock }).event(
    node,
    "Normal",
    "R",
    "m",
  );
  for (let i = 0; i < 20; i++) {
    await settle();
    clock.advance(writeRetryMs);
  }
  await settle();
  assert.equal(never.calls.length, maxWriteTries);
});
