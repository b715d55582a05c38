/**
 * SQLite durability and growth: acknowledged writes survive `kill -9`, and automatic compaction
 * keeps the database file flat under an endless update loop.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { startCompactor } from "../compactor.ts";
import { SqliteStore } from "./sqlite-store.ts";

const dir = mkdtempSync(join(tmpdir(), "bosun-sqlite-durability-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const writerScript = fileURLToPath(new URL("../testing/sqlite-writer.ts", import.meta.url));

describe("SQLite store durability", () => {
  it("keeps every acknowledged write after the writer is killed with SIGKILL", async () => {
    const path = join(dir, "crash.db");
    const child = spawn(process.execPath, [writerScript, path, "64"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const acked = new Set<number>();
    let partial = "";
    const killed = new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) acked.add(Number(line));
        if (acked.size >= 5000 && !child.killed) child.kill("SIGKILL");
      });
      child.once("exit", () => resolve());
    });
    await killed;
    assert.ok(acked.size >= 5000, `only ${acked.size} writes were acknowledged`);

    const store = new SqliteStore({ path });
    try {
      const { items } = await store.list("/crash/");
      const present = new Map(items.map((kv) => [kv.key, new TextDecoder().decode(kv.value)]));
      for (const n of acked)
        assert.equal(present.get(`/crash/${n}`), `value-${n}`, `lost /crash/${n}`);
      // The store still works after the crash.
      await store.create("/crash/after", new Uint8Array([1]));
      assert.equal(await store.count("/crash/"), items.length + 1);
    } finally {
      await store.close();
    }
  });

  it("stays the same size under a long update loop", async () => {
    const path = join(dir, "growth.db");
    const store = new SqliteStore({ path });
    const compactor = startCompactor(store, { intervalMs: 250 });
    const value = new Uint8Array(1024).fill(7);
    const keys = 200;
    const revs = new Map<number, number>();
    for (let i = 0; i < keys; i++)
      revs.set(i, (await store.create(`/lease/${i}`, value)).modRevision);
    const size = () => {
      let total = statSync(path).size;
      for (const suffix of ["-wal", "-shm"]) {
        try {
          total += statSync(path + suffix).size;
        } catch {}
      }
      return total;
    };
    const samples: number[] = [];
    let updates = 0;
    const started = Date.now();
    let lastSample = started;
    // Enough updates that an uncompacted file would be several times the live data plus a full
    // WAL, however slow the machine (at least 9 s, to see the size settle; at most 60 s).
    const enough = 80_000;
    while (Date.now() - started < 60_000 && (Date.now() - started < 9000 || updates < enough)) {
      await Promise.all(
        Array.from({ length: 64 }, async (_, j) => {
          const i = (updates + j) % keys;
          revs.set(i, (await store.update(`/lease/${i}`, value, revs.get(i)!)).modRevision);
        }),
      );
      updates += 64;
      if (Date.now() - lastSample >= 500) {
        samples.push(size());
        lastSample = Date.now();
      }
    }
    compactor.stop();
    await store.close();
    const third = Math.floor(samples.length / 3);
    const middle = Math.max(...samples.slice(third, 2 * third));
    const last = Math.max(...samples.slice(2 * third));
    const mb = (n: number) => (n / 1048576).toFixed(1);
    process.stderr.write(
      `growth: ${updates} updates of 1 KiB over ${keys} keys; size MiB: ${samples.map(mb).join(" ")}\n`,
    );
    // Without compaction the file would hold every update: at least updates × 1 KiB. With it, the
    // file holds one to two compaction intervals of history plus the WAL, which on a slow machine
    // (fewer updates in the run) is about a quarter of that, so the bound is half.
    assert.ok(updates * 1024 > 2 * last, `${mb(last)} MiB for ${updates} updates: no compaction?`);
    assert.ok(last <= middle * 1.15, `file grew from ${mb(middle)} MiB to ${mb(last)} MiB`);
  });
});
