import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "../../machinery/clock.ts";
import { storeContract } from "../contract.ts";
import { withWatchFanout } from "../watch-fanout.ts";
import { SqliteStore } from "./sqlite-store.ts";

function harness(wrap: boolean) {
  const clock = new FakeClock();
  const dir = mkdtempSync(join(tmpdir(), "bosun-sqlite-"));
  return {
    minLeaseTtl: 1,
    async open() {
      const store = new SqliteStore({ path: join(dir, "state.db"), clock });
      return { store: wrap ? withWatchFanout(store) : store, root: "/t" };
    },
    async elapse(ms: number) {
      clock.advance(ms);
      await new Promise((r) => setTimeout(r, 5));
    },
    async teardown() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

storeContract("sqlite", harness(false));
storeContract("sqlite with watch fan-out", harness(true));
