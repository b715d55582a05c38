/**
 * `--cluster-init` on a data dir that ran on SQLite: every live key is copied into the new etcd
 * member once, then the SQLite file is renamed `state.db.migrated` (kept, never read again).
 *
 * What clients see: etcd numbers its revisions afresh, so every object gets a new
 * resourceVersion; watches and informers that resume from an old resourceVersion get 410 Gone
 * (or, for one older than etcd's first revision, a list at a newer revision) and relist, as after
 * an etcd restore upstream. Values are copied byte for byte, so encrypted Secrets stay readable
 * (the encryption key binds to the key name, which does not change). Keys attached to a lease
 * (Events, whose TTL cannot be carried over) are left behind: they would have expired anyway.
 */
import { existsSync, renameSync } from "node:fs";
import type { Logger } from "../machinery/log.ts";
import { isStoreError } from "../storage/errors.ts";
import type { Store } from "../storage/store.ts";

export interface MigrationResult {
  readonly copied: number;
  readonly skippedLeased: number;
}

/** Copies `source` into `target` (creates; keys already there are left as they are). */
export async function copyStore(
  source: Store,
  target: Store,
  log: Logger,
): Promise<MigrationResult> {
  let copied = 0;
  let skippedLeased = 0;
  let cont: string | undefined;
  let revision: number | undefined;
  do {
    const page = await source.list("/", {
      limit: 500,
      ...(cont ? { continue: cont } : {}),
      ...(revision ? { revision } : {}),
    });
    revision = page.revision;
    for (const kv of page.items) {
      if (kv.lease) {
        skippedLeased++;
        continue;
      }
      try {
        await target.create(kv.key, kv.value);
        copied++;
      } catch (err) {
        if (!isStoreError(err, "AlreadyExists")) throw err;
      }
    }
    cont = page.continue;
    if (copied > 0 && copied % 5000 < 500) log.info("migrating SQLite data to etcd", { copied });
  } while (cont);
  return { copied, skippedLeased };
}

/** Migrates `<sqlitePath>` into `target` if it exists; undefined when there was nothing. */
export async function migrateSqliteToEtcd(
  sqlitePath: string,
  target: Store,
  log: Logger,
): Promise<MigrationResult | undefined> {
  if (!existsSync(sqlitePath)) return undefined;
  const { SqliteStore } = await import("../storage/sqlite/sqlite-store.ts");
  const source = new SqliteStore({ path: sqlitePath });
  const started = Date.now();
  let result: MigrationResult;
  try {
    result = await copyStore(source, target, log);
  } finally {
    await source.close();
  }
  for (const suffix of ["", "-wal", "-shm"]) {
    if (existsSync(sqlitePath + suffix))
      renameSync(sqlitePath + suffix, `${sqlitePath}.migrated${suffix}`);
  }
  log.info("migrated the SQLite store into etcd; resourceVersions start afresh", {
    ...result,
    ms: Date.now() - started,
    kept: `${sqlitePath}.migrated`,
  });
  return result;
}
