import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { silentLogger } from "../machinery/log.ts";
import { MemoryStore } from "../storage/memory/memory-store.ts";
import { SqliteStore } from "../storage/sqlite/sqlite-store.ts";
import { copyStore, migrateSqliteToEtcd } from "./migrate-sqlite.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("SQLite → etcd migration", () => {
  it("copies every live key byte for byte, leaves leased keys behind, and can be re-run", async () => {
    const source = new MemoryStore();
    const target = new MemoryStore();
    for (let i = 0; i < 1200; i++)
      await source.create(`/registry/configmaps/default/cm-${i}`, bytes(`v${i}`));
    await source.create("/registry/secrets/default/s", new Uint8Array([0, 1, 2, 255]));
    const deleted = await source.create("/registry/pods/default/gone", bytes("x"));
    await source.delete(deleted.key);
    const lease = await source.grantLease(3600);
    await source.create("/registry/events/default/e1", bytes("event"), { lease });
    const result = await copyStore(source, target, silentLogger);
    assert.deepEqual(result, { copied: 1201, skippedLeased: 1 });
    assert.equal(await target.count("/"), 1201);
    assert.equal(text((await target.get("/registry/configmaps/default/cm-7")).value), "v7");
    assert.deepEqual([...(await target.get("/registry/secrets/default/s")).value], [0, 1, 2, 255]);
    // Interrupted half-way and run again: keys already there are kept, nothing fails.
    assert.deepEqual(await copyStore(source, target, silentLogger), {
      copied: 0,
      skippedLeased: 1,
    });
    await source.close();
    await target.close();
  });

  it("renames the SQLite file once migrated, so it is never migrated twice", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bosun-migrate-"));
    try {
      const path = join(dir, "state.db");
      const sqlite = new SqliteStore({ path });
      await sqlite.create("/registry/namespaces/default", bytes("ns"));
      await sqlite.close();
      const target = new MemoryStore();
      assert.deepEqual(await migrateSqliteToEtcd(path, target, silentLogger), {
        copied: 1,
        skippedLeased: 0,
      });
      assert.equal(existsSync(path), false);
      assert.equal(existsSync(`${path}.migrated`), true);
      assert.equal(await migrateSqliteToEtcd(path, target, silentLogger), undefined);
      await target.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
