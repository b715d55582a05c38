import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../machinery/clock.ts";
import { startCompactor } from "./compactor.ts";
import { rejectsWith } from "./contract.ts";
import { MemoryStore } from "./memory/memory-store.ts";

const settle = () => new Promise((r) => setTimeout(r, 10));

it("compacts to the revision of the previous tick, keeping one interval of history", async () => {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock });
  const compactor = startCompactor(store, { intervalMs: 1000, clock });
  const first = await store.create("/k/first", new Uint8Array([0]));
  const a = await store.create("/k/a", new Uint8Array([1]));
  clock.advance(1000); // first tick: remembers the current revision, compacts nothing
  await settle();
  const b = await store.update("/k/a", new Uint8Array([2]), a.modRevision);
  assert.equal((await store.get("/k/a", { revision: a.modRevision })).value[0], 1);
  clock.advance(1000); // second tick: compacts to a's revision
  await settle();
  await rejectsWith(store.get("/k/first", { revision: first.modRevision }), "Compacted");
  assert.equal((await store.get("/k/a", { revision: a.modRevision })).value[0], 1);
  assert.equal((await store.get("/k/a")).modRevision, b.modRevision);
  compactor.stop();
  await store.close();
});
