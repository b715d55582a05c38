import { FakeClock } from "../../machinery/clock.ts";
import { storeContract } from "../contract.ts";
import { withWatchFanout } from "../watch-fanout.ts";
import { MemoryStore } from "./memory-store.ts";

function harness(wrap: boolean) {
  const clock = new FakeClock();
  return {
    minLeaseTtl: 1,
    async open() {
      const store = new MemoryStore({ clock });
      return { store: wrap ? withWatchFanout(store) : store, root: "/t" };
    },
    async elapse(ms: number) {
      clock.advance(ms);
      await new Promise((r) => setImmediate(r));
    },
  };
}

storeContract("memory", harness(false));
storeContract("memory with watch fan-out", harness(true));
