/**
 * The SQLite store's writer thread: the one connection that writes the database file.
 *
 * The store's event loop decides every write (revisions, guards, the rows they add) and sends
 * them here a transaction at a time; this thread inserts them, commits (the page writes, the
 * fsync, and the WAL checkpoints SQLite runs at commit) and answers. The API server's thread
 * reads through a connection of its own and never waits for the disk. See ADR 4.
 */

import { DatabaseSync } from "node:sqlite";
import { parentPort, workerData } from "node:worker_threads";
import { pragmas, writerSql } from "./schema.ts";

/** One transaction's rows: metadata per row, values back to back in `values`. */
export interface CommitRequest {
  readonly t: "commit";
  /** id, name, created, deleted, create_revision, prev_revision, lease, value length. */
  readonly rows: ReadonlyArray<
    readonly [number, string, number, number, number, number, number, number]
  >;
  readonly values: ArrayBuffer;
  /** A lease revoked in this transaction. */
  readonly leaseDelete?: number;
}

export type WriterRequest =
  | CommitRequest
  | { readonly t: "lease"; readonly id: number; readonly ttlMs: number; readonly expiresAt: number }
  | { readonly t: "touch"; readonly id: number; readonly expiresAt: number }
  | { readonly t: "compact"; readonly from: number; readonly to: number }
  | { readonly t: "checkpoint" }
  | { readonly t: "close" };

/** What the store posts: a request and its number, which the reply carries back. */
export interface WriterMessage {
  readonly seq: number;
  readonly req: WriterRequest;
}

export interface WriterReply {
  readonly seq: number;
  /** The SQLite error's message when the request failed (a transaction is rolled back). */
  readonly error?: string;
}

export interface WriterData {
  readonly path: string;
}

if (parentPort) {
  const port = parentPort;
  const { path } = workerData as WriterData;
  const db = new DatabaseSync(path);
  db.exec(pragmas);
  // Only index pages matter to inserts; the reading connection keeps the large cache.
  db.exec("PRAGMA cache_size = -2000; PRAGMA busy_timeout = 5000;");
  const stmts = Object.fromEntries(
    Object.entries(writerSql).map(([name, text]) => [name, db.prepare(text)]),
  ) as Record<keyof typeof writerSql, ReturnType<DatabaseSync["prepare"]>>;

  const transaction = (body: () => void) => {
    db.exec("BEGIN IMMEDIATE");
    try {
      body();
      db.exec("COMMIT");
    } catch (err) {
      if (db.isTransaction) db.exec("ROLLBACK");
      throw err;
    }
  };

  const handle = (req: WriterRequest): void => {
    switch (req.t) {
      case "commit":
        transaction(() => {
          let offset = 0;
          for (const [id, name, created, deleted, createRev, prevRev, lease, length] of req.rows) {
            const value = new Uint8Array(req.values, offset, length);
            offset += length;
            stmts.insert.run(id, name, created, deleted, createRev, prevRev, lease, value);
          }
          if (req.leaseDelete !== undefined) stmts.leaseDelete.run(req.leaseDelete);
        });
        return;
      case "lease":
        stmts.leaseInsert.run(req.id, req.ttlMs, req.expiresAt);
        return;
      case "touch":
        stmts.leaseTouch.run(req.expiresAt, req.id);
        return;
      case "compact":
        transaction(() => {
          stmts.compactSuperseded.run(req.from, req.to);
          stmts.compactTombstones.run(req.from, req.to);
          stmts.metaSet.run("compact_revision", req.to);
        });
        return;
      case "checkpoint":
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        return;
      case "close":
        db.close();
        return;
    }
  };

  port.on("message", ({ seq, req }: WriterMessage) => {
    let reply: WriterReply;
    try {
      handle(req);
      reply = { seq };
    } catch (err) {
      reply = { seq, error: (err as Error).message };
    }
    port.postMessage(reply);
    if (req.t === "close") port.close();
  });
}
