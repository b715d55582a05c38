/**
 * Store benchmark: durable creates/s with 1, 8 and 64 writers (1 KiB values) and their latency,
 * a list of 10,000 keys, and watch delivery latency with 1 and 1,000 watchers, for each backend.
 * Anchors in the same run: a bare etcd client (plain Put) on the same etcd, and raw SQLite with
 * one fsync'd transaction per insert.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { EtcdStore } from "../src/storage/etcd/etcd-store.ts";
import { MemoryStore } from "../src/storage/memory/memory-store.ts";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import type { Store } from "../src/storage/store.ts";
import { EtcdCluster } from "../src/storage/testing/etcd-harness.ts";
import { withWatchFanout } from "../src/storage/watch-fanout.ts";
import { median, now, printTable, summarize } from "./stats.ts";

const value = new Uint8Array(1024).fill(120);
const runs = 3;
const writeMs = Number(process.env.BENCH_WRITE_MS ?? 2000);
let seq = 0;
const maxOpsPerRun = 100_000;

interface Subject {
  name: string;
  store: Store;
  /** A bare client doing the same writes without the Store, for comparison. */
  bare?: (key: string) => Promise<unknown>;
  close(): Promise<void>;
}

async function writeLoad(
  write: (key: string) => Promise<unknown>,
  writers: number,
): Promise<{ rate: number; latencies: number[] }> {
  const run = seq++;
  const latencies: number[] = [];
  let n = 0;
  const started = now();
  const deadline = started + writeMs;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (now() < deadline && n < maxOpsPerRun) {
        const t = now();
        await write(`/bench/w/${run}/${n++}`);
        latencies.push(now() - t);
      }
    }),
  );
  return { rate: latencies.length / ((now() - started) / 1000), latencies };
}

async function writes(subject: Subject, rows: Array<Array<string | number>>): Promise<void> {
  const targets: Array<[string, (key: string) => Promise<unknown>]> = [
    [subject.name, (key) => subject.store.create(key, value)],
  ];
  if (subject.bare) targets.push([`${subject.name} (bare client)`, subject.bare]);
  for (const writers of [1, 8, 64]) {
    for (const [label, write] of targets) {
      const rates: number[] = [];
      const all: number[] = [];
      for (let r = 0; r < runs; r++) {
        const { rate, latencies } = await writeLoad(write, writers);
        rates.push(rate);
        for (const l of latencies) all.push(l);
      }
      const s = summarize(all);
      rows.push([label, writers, median(rates), s.p50, s.p99]);
    }
  }
}

async function list(subject: Subject): Promise<number> {
  const prefix = `/bench/list/${seq++}/`;
  for (let i = 0; i < 10_000; i += 100) {
    await Promise.all(
      Array.from({ length: 100 }, (_, j) =>
        subject.store.create(`${prefix}${String(i + j).padStart(5, "0")}`, value),
      ),
    );
  }
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = now();
    const res = await subject.store.list(prefix);
    times.push(now() - t);
    if (res.items.length !== 10_000) throw new Error(`listed ${res.items.length} keys`);
  }
  return median(times);
}

async function watch(subject: Subject, watchers: number, events: number) {
  const prefix = `/bench/watch/${seq++}/`;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const from = await subject.store.currentRevision();
  const consumers = Array.from({ length: watchers }, async () => {
    const w = subject.store.watch(prefix, { afterRevision: from });
    let seen = 0;
    for await (const ev of w) {
      if (ev.type === "progress") continue;
      latencies.push(now() - sentAt.get(ev.kv.key)!);
      if (++seen === events) break;
    }
  });
  for (let i = 0; i < events; i++) {
    const key = `${prefix}${i}`;
    sentAt.set(key, now());
    await subject.store.create(key, value);
    if (watchers > 1) await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(consumers);
  return summarize(latencies);
}

function rawSqlite(dir: string): number {
  const db = new DatabaseSync(join(dir, "raw.db"));
  db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
  db.exec("CREATE TABLE kv (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, value BLOB)");
  const insert = db.prepare("INSERT INTO kv (name, value) VALUES (?, ?)");
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    let n = 0;
    const started = now();
    while (now() - started < writeMs) {
      db.exec("BEGIN");
      insert.run(`/raw/${r}/${n++}`, value);
      db.exec("COMMIT");
    }
    rates.push(n / ((now() - started) / 1000));
  }
  db.close();
  return median(rates);
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bosun-bench-store-"));
  const etcd = await EtcdCluster.start(1);
  const etcdStore = new EtcdStore({ endpoints: etcd.endpoints });
  const subjects: Subject[] = [
    {
      name: "memory",
      store: withWatchFanout(new MemoryStore()),
      close: async () => {},
    },
    {
      name: "sqlite",
      store: withWatchFanout(new SqliteStore({ path: join(dir, "bench.db") })),
      close: async () => {},
    },
    {
      name: "etcd",
      store: withWatchFanout(etcdStore),
      bare: (key) => etcdStore.client.put({ key: Buffer.from(key), value: Buffer.from(value) }),
      close: async () => etcd.stop(),
    },
  ];
  try {
    const writeRows: Array<Array<string | number>> = [];
    const readRows: Array<Array<string | number>> = [];
    for (const subject of subjects) {
      await writes(subject, writeRows);
      const listMs = await list(subject);
      const w1 = await watch(subject, 1, 2000);
      const w1000 = await watch(subject, 1000, 300);
      readRows.push([subject.name, listMs, w1.p50, w1.p99, w1000.p50, w1000.p99]);
    }
    writeRows.push(["raw SQLite, one fsync'd txn per insert", 1, rawSqlite(dir), "-", "-"]);
    console.log(`Durable creates, 1 KiB values (median of ${runs} runs of ${writeMs} ms)\n`);
    printTable(["store", "writers", "creates/s", "p50 ms", "p99 ms"], writeRows);
    console.log(
      "\nList of 10,000 keys (median of 5) and watch delivery, write issued → event seen\n",
    );
    printTable(["store", "list ms", "1 watcher p50", "p99", "1,000 watchers p50", "p99"], readRows);
  } finally {
    for (const s of subjects) {
      await s.store.close();
      await s.close();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
