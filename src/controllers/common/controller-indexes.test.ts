import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Informer } from "../../client/informer.ts";
import { resources } from "../../client/resources.ts";
import type { RestClient, WatchEvent } from "../../client/rest-client.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { addControllerIndexes, claimCandidates, controlledBy } from "./controller-indexes.ts";
import type { Pod } from "./objects.ts";

/** A client serving one list, then the watch events pushed by the test. */
function fakeClient(initial: Pod[]) {
  const pending: WatchEvent<Pod>[] = [];
  let wake: (() => void) | undefined;
  const client = {
    get: async () => ({ metadata: { resourceVersion: "1" }, items: initial }),
    async *watch(_path: string, _query: unknown, signal: AbortSignal) {
      while (!signal.aborted) {
        const ev = pending.shift();
        if (ev) yield ev;
        else await new Promise<void>((r) => (wake = r));
      }
    },
  };
  const push = (type: WatchEvent<Pod>["type"], object: Pod) => {
    pending.push({ type, object });
    wake?.();
  };
  return { client: client as unknown as RestClient, push };
}

let rv = 1;
function pod(name: string, namespace: string, owner?: string): Pod {
  const ownerReferences = owner
    ? [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: owner, uid: owner, controller: true }]
    : [];
  return { metadata: { name, namespace, uid: name, ownerReferences, resourceVersion: `${++rv}` } };
}

const owner = (uid: string, namespace = "a") => ({ metadata: { uid, namespace, name: uid } });
const names = (pods: Pod[]) => pods.map((p) => p.metadata?.name).sort();

describe("controller indexes", () => {
  it("give a controller its own objects and its namespace's orphans, and follow changes", async () => {
    const { client, push } = fakeClient([
      pod("mine", "a", "rs1"),
      pod("theirs", "a", "rs2"),
      pod("orphan", "a"),
      pod("elsewhere", "b"),
      // Not a controller reference: still an orphan.
      {
        metadata: {
          name: "weak",
          namespace: "a",
          ownerReferences: [{ apiVersion: "v1", kind: "X", name: "x", uid: "rs1" }],
        },
      },
    ]);
    const informer = new Informer<Pod>({ client, resource: resources.pods });
    addControllerIndexes(informer);
    addControllerIndexes(informer); // a second controller sharing the informer
    const stop = new AbortController();
    const running = informer.run(stop.signal);
    await informer.synced();
    assert.deepEqual(names(claimCandidates(informer, owner("rs1"))), ["mine", "orphan", "weak"]);
    assert.deepEqual(names(controlledBy(informer, owner("rs2"))), ["theirs"]);
    assert.deepEqual(names(controlledBy(informer, owner("rs1", "b"))), []);
    assert.deepEqual(names(claimCandidates(informer, owner("rs9", "b"))), ["elsewhere"]);

    // Adopted, released, deleted.
    push("MODIFIED", pod("orphan", "a", "rs1"));
    push("MODIFIED", pod("mine", "a"));
    push("DELETED", pod("theirs", "a", "rs2"));
    await eventually(() => !informer.get("a", "theirs"));
    assert.deepEqual(names(controlledBy(informer, owner("rs1"))), ["orphan"]);
    assert.deepEqual(names(claimCandidates(informer, owner("rs2"))), ["mine", "weak"]);
    assert.deepEqual(controlledBy(informer, owner("rs2")), []);
    stop.abort();
    push("BOOKMARK", pod("x", "a"));
    await running;
  });
});
