/** Handler scopes: a component's term ends, its handlers leave the informers it shared. */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { ObjectLike } from "../api/object.ts";
import { Informer, withHandlerScope } from "./informer.ts";
import { resources } from "./resources.ts";
import type { RestClient, WatchEvent } from "./rest-client.ts";

const pod = (name: string, rv: string): ObjectLike => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "ns", resourceVersion: rv },
});

/** A client listing one pod, then streaming the events the test pushes. */
function fakeClient() {
  const pending: WatchEvent<ObjectLike>[] = [];
  let wake: (() => void) | undefined;
  const client = {
    async get() {
      return { metadata: { resourceVersion: "1" }, items: [pod("a", "1")] };
    },
    async *watch(_path: string, _query: unknown, signal: AbortSignal) {
      while (!signal.aborted) {
        const ev = pending.shift();
        if (ev) yield ev;
        else await new Promise<void>((r) => (wake = r));
      }
    },
  } as unknown as RestClient;
  return {
    client,
    push(ev: WatchEvent<ObjectLike>) {
      pending.push(ev);
      wake?.();
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

it("handlers added in a scope are removed when it aborts; the others stay", async () => {
  const fake = fakeClient();
  const informer = new Informer({ client: fake.client, resource: resources.pods });
  const stop = new AbortController();
  void informer.run(stop.signal);
  await informer.synced();
  const term = new AbortController();
  const inTerm: string[] = [];
  const always: string[] = [];
  withHandlerScope(term.signal, () =>
    informer.addHandlers({ onAdd: (o) => inTerm.push(o.metadata!.name!) }),
  );
  informer.addHandlers({ onAdd: (o) => always.push(o.metadata!.name!) });
  assert.deepEqual(inTerm, ["a"], "told of the cached pod at once");
  fake.push({ type: "ADDED", object: pod("b", "2") });
  await tick();
  term.abort();
  fake.push({ type: "ADDED", object: pod("c", "3") });
  await tick();
  assert.deepEqual(inTerm, ["a", "b"]);
  assert.deepEqual(always, ["a", "b", "c"]);
  // A scope that ended already adds nothing.
  withHandlerScope(term.signal, () =>
    informer.addHandlers({ onAdd: (o) => inTerm.push(o.metadata!.name!) }),
  );
  assert.deepEqual(inTerm, ["a", "b"]);
  stop.abort();
  fake.push({ type: "BOOKMARK", object: pod("", "4") });
});
