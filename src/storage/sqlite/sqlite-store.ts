/**
 * The embedded default Store: one SQLite database file (WAL, synchronous=FULL).
 *
 * Writes are group-committed: the writes that arrive while a transaction is being committed go
 * into the next one, and none is acknowledged before its transaction is durable. This thread
 * decides each write (its revision, its guards, the row it adds) against the newest committed
 * rows; a writer thread of its own (`writer.ts`) inserts the rows and commits, so the event loop
 * never waits for page writes, fsync or WAL checkpoints. Reads go through this thread's own
 * connection and see committed transactions only. Watchers are told in-process right after the
 * commit. Compaction runs in small chunks on the writer; see `compactor.ts` for when it runs.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { Worker } from "node:worker_threads";
import { type Clock, realClock, type Timer } from "../../machinery/clock.ts";
import {
  alreadyExists,
  compacted,
  conflict,
  invalidArgument,
  isStoreError,
  notFound,
  StoreError,
  unavailable,
} from "../errors.ts";
import { compareKeys, decodeContinue, encodeContinue, keyAfter, prefixEnd } from "../keys.ts";
import type {
  DeleteOptions,
  GetOptions,
  KeyValue,
  ListOptions,
  ListResult,
  Store,
  Watch,
  WatchEvent,
  WatchItem,
  WatchOptions,
  WriteOptions,
} from "../store.ts";
import { WatchChannel } from "../watch-channel.ts";
import { KeyFilter } from "./key-filter.ts";
import { pragmas, type Row, schema, schemaVersion, sql } from "./schema.ts";
import type {
  CommitRequest,
  WriterData,
  WriterMessage,
  WriterReply,
  WriterRequest,
} from "./writer.ts";

export interface SqliteStoreOptions {
  /** Path of the database file (created with its directory if missing). */
  readonly path: string;
  readonly clock?: Clock;
  /** Most writes committed in one transaction. */
  readonly maxBatch?: number;
  /** Revisions deleted per compaction step. */
  readonly compactChunk?: number;
  readonly leaseCheckMs?: number;
  /** Names read per step while the key filter is built after opening. */
  readonly namesPage?: number;
}

type WriteOp =
  | { kind: "create"; key: string; value: Uint8Array; lease: number }
  | { kind: "update"; key: string; value: Uint8Array; expected: number; lease: number }
  | { kind: "delete"; key: string; expected: number | undefined }
  | { kind: "revoke"; lease: number; explicit: boolean };

interface Pending {
  op: WriteOp;
  resolve: (kv: KeyValue | undefined) => void;
  reject: (err: unknown) => void;
}

interface Lease {
  readonly ttlMs: number;
  expiresAt: number;
}

/** One transaction being decided: its rows, their events, and a lease it revokes. */
interface Txn {
  /** The rows written so far, by key: what later writes of the batch see. */
  readonly staged: Map<string, Row>;
  readonly rows: Row[];
  readonly events: WatchEvent[];
  leaseDelete?: number;
}

interface RawWatcher {
  prefix: string;
  channel: WatchChannel;
  /** Events committed while history is still being replayed. */
  held: WatchItem[] | undefined;
}

const replayChunk = 1000;

/** How many keys' newest rows a store keeps (see `#latest`): a few MiB of values. */
const latestRowsMax = 2048;

export class SqliteStore implements Store {
  #db: DatabaseSync;
  #stmts: Record<keyof typeof sql, StatementSync>;
  #revision: number;
  #compactRevision: number;
  #queue: Pending[] = [];
  #scheduled = false;
  /** A transaction is with the writer; the next one waits for its answer. */
  #busy = false;
  #writer: Worker;
  #requests = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  #seq = 0;
  /** Set when the writer thread died: every later write fails with it. */
  #failure: StoreError | undefined;
  /** Leases by id, as in the database (which the writer keeps in step). */
  #leases = new Map<number, Lease>();
  #lastLease: number;
  #maxBatch: number;
  #compactChunk: number;
  #watchers = new Set<RawWatcher>();
  #clock: Clock;
  #leaseCheckMs: number;
  #leaseTimer: Timer | undefined;
  #compacting: Promise<void> | undefined;
  #closed = false;
  /**
   * The newest row of recently written keys. This store is the database's only writer, so the
   * row it committed last for a key is that key's newest until it writes again: an update right
   * after a write (a pod's binding after its create, its status after its binding) takes the row
   * from here instead of reading it, value and all, back from SQLite. Rows enter once committed;
   * cleared when compaction removes rows.
   */
  #latest = new Map<string, Row>();
  /**
   * The names the database has rows for, so that a create of a new key skips the query; built in
   * the background after opening (undefined until then), names written meanwhile in `#namesSince`.
   */
  #names: KeyFilter | undefined;
  #namesSince: string[] | undefined = [];
  /** Settles once the key filter is built (startup never waits for it). */
  readonly namesLoaded: Promise<void>;

  constructor(options: SqliteStoreOptions) {
    mkdirSync(dirname(options.path), { recursive: true });
    try {
      this.#db = new DatabaseSync(options.path);
      this.#db.exec(pragmas);
      this.#db.exec(schema);
    } catch (err) {
      throw unavailable(`cannot open database ${options.path}: ${(err as Error).message}`, err);
    }
    this.#stmts = Object.fromEntries(
      Object.entries(sql).map(([name, text]) => [name, this.#db.prepare(text)]),
    ) as Record<keyof typeof sql, StatementSync>;
    const version = this.#meta("schema_version");
    if (version === undefined) this.#stmts.metaSet.run("schema_version", schemaVersion);
    else if (version !== schemaVersion) {
      throw unavailable(`database schema ${version} is not supported (want ${schemaVersion})`);
    }
    this.#revision = Number((this.#stmts.sequence.get() as { seq: number } | undefined)?.seq ?? 0);
    this.#compactRevision = this.#meta("compact_revision") ?? 0;
    type LeaseRow = { id: number; ttl_ms: number; expires_at: number };
    for (const row of this.#stmts.leasesAll.all() as unknown as LeaseRow[]) {
      this.#leases.set(row.id, { ttlMs: row.ttl_ms, expiresAt: row.expires_at });
    }
    // AUTOINCREMENT: the sequence is the highest lease id ever used.
    this.#lastLease = Number(
      (this.#stmts.leaseSequence.get() as { seq: number } | undefined)?.seq ?? 0,
    );
    const data: WriterData = { path: options.path };
    this.#writer = new Worker(new URL("./writer.ts", import.meta.url), {
      name: "sqlite-writer",
      workerData: data,
    });
    // Referenced only while it owes an answer: an idle store keeps no process alive.
    this.#writer.unref();
    this.#writer.on("message", (reply: WriterReply) => this.#answer(reply));
    this.#writer.on("error", (err) => this.#fail(err));
    this.#writer.on("exit", (code) => this.#fail(new Error(`writer thread exited (${code})`)));
    this.#clock = options.clock ?? realClock;
    this.#maxBatch = options.maxBatch ?? 256;
    this.#compactChunk = options.compactChunk ?? 1000;
    this.#leaseCheckMs = options.leaseCheckMs ?? 500;
    this.#scheduleLeaseCheck();
    this.namesLoaded = this.#loadNames(options.namesPage ?? 10_000);
    // Without the filter every create asks SQLite, as it did before there was one.
    this.namesLoaded.catch(() => {});
  }

  /** Reads every name a page at a time, yielding between pages (150,000 names take ~0.2 s). */
  async #loadNames(namesPage: number): Promise<void> {
    const names: string[] = [];
    let after = "";
    for (;;) {
      if (this.#closed) return;
      const page = this.#stmts.namesAfter.all(after, namesPage) as Array<{ name: string }>;
      for (const row of page) names.push(row.name);
      if (page.length < namesPage) break;
      after = page[page.length - 1]!.name;
      await new Promise((r) => setImmediate(r));
    }
    const filter = new KeyFilter(names.length);
    for (const name of names) filter.add(name);
    for (const name of this.#namesSince ?? []) filter.add(name);
    this.#namesSince = undefined;
    this.#names = filter;
  }

  // ---- reads -------------------------------------------------------------------------------

  async get(key: string, options: GetOptions = {}): Promise<KeyValue> {
    this.#checkOpen();
    const rev = this.#readRevision(options.revision);
    const row = (
      rev === this.#revision ? this.#latestRow(key) : this.#stmts.atRevision.get(key, rev)
    ) as Row | undefined;
    if (!row || row.deleted) throw notFound(key);
    return toKeyValue(row);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.#checkOpen();
    let rev: number;
    let start = prefix;
    if (options.continue) {
      const token = decodeContinue(options.continue, prefix);
      rev = this.#readRevision(token.revision);
      start = token.start;
    } else {
      rev = this.#readRevision(options.revision);
    }
    const limit = options.limit && options.limit > 0 ? options.limit : -1;
    const end = prefixEnd(prefix);
    const fetch = limit === -1 ? -1 : limit + 1;
    const rows = (end
      ? this.#stmts.listRange.all(start, end, rev, fetch)
      : this.#stmts.listFrom.all(start, rev, fetch)) as unknown as Row[];
    const items = rows.map(toKeyValue);
    if (!isSortedByKey(items)) items.sort((a, b) => compareKeys(a.key, b.key));
    if (limit !== -1 && items.length > limit) {
      items.length = limit;
      const last = items[limit - 1]!;
      return { items, revision: rev, continue: encodeContinue(rev, keyAfter(last.key), prefix) };
    }
    return { items, revision: rev };
  }

  async count(prefix: string): Promise<number> {
    this.#checkOpen();
    const end = prefixEnd(prefix);
    const row = (
      end ? this.#stmts.countRange.get(prefix, end) : this.#stmts.countFrom.get(prefix)
    ) as { n: number };
    return row.n;
  }

  async currentRevision(): Promise<number> {
    this.#checkOpen();
    return this.#revision;
  }

  // ---- writes ------------------------------------------------------------------------------

  async create(key: string, value: Uint8Array, options: WriteOptions = {}): Promise<KeyValue> {
    return (await this.#enqueue({ kind: "create", key, value, lease: options.lease ?? 0 }))!;
  }

  async update(
    key: string,
    value: Uint8Array,
    expectedRevision: number,
    options: WriteOptions = {},
  ): Promise<KeyValue> {
    const op: WriteOp = {
      kind: "update",
      key,
      value,
      expected: expectedRevision,
      lease: options.lease ?? 0,
    };
    return (await this.#enqueue(op))!;
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<KeyValue> {
    const op: WriteOp = { kind: "delete", key, expected: options.expectedRevision };
    return (await this.#enqueue(op))!;
  }

  #enqueue(op: WriteOp): Promise<KeyValue | undefined> {
    this.#checkOpen();
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#queue.push({ op, resolve, reject });
      this.#scheduleFlush();
    });
  }

  #scheduleFlush(): void {
    if (this.#scheduled || this.#busy || this.#queue.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => this.#flush());
  }

  /** Decides the next batch of writes against the committed rows and sends it to the writer. */
  #flush(): void {
    this.#scheduled = false;
    if (this.#busy || this.#queue.length === 0) return;
    const batch = this.#takeBatch();
    const txn: Txn = { staged: new Map(), rows: [], events: [] };
    const outcomes: Array<{ kv?: KeyValue | undefined; error?: unknown }> = [];
    let request: { req: CommitRequest; transfer: ArrayBuffer[] };
    try {
      for (const p of batch) {
        try {
          outcomes.push({ kv: this.#apply(p.op, txn) });
        } catch (err) {
          if (!isStoreError(err)) throw err;
          outcomes.push({ error: err });
        }
      }
      request = commitRequest(txn);
    } catch (err) {
      failBatch(batch, err as Error);
      this.#scheduleFlush();
      return;
    }
    const settle = () =>
      batch.forEach((p, i) => {
        const o = outcomes[i]!;
        if (o.error) p.reject(o.error);
        else p.resolve(o.kv);
      });
    if (txn.rows.length === 0 && txn.leaseDelete === undefined) {
      settle();
      this.#scheduleFlush();
      return;
    }
    this.#busy = true;
    this.#request(request.req, request.transfer)
      .then(
        () => {
          for (const row of txn.rows) this.#remember(row);
          if (txn.rows.length > 0) this.#revision = txn.rows[txn.rows.length - 1]!.id;
          if (txn.leaseDelete !== undefined) this.#leases.delete(txn.leaseDelete);
          this.#notify(txn.events);
          settle();
        },
        (err: Error) => failBatch(batch, err),
      )
      .finally(() => {
        this.#busy = false;
        this.#flush();
      });
  }

  /** Up to maxBatch writes; a lease revocation goes alone (it reads the committed keys). */
  #takeBatch(): Pending[] {
    const queue = this.#queue;
    if (queue[0]!.op.kind === "revoke") return queue.splice(0, 1);
    let n = 0;
    while (n < queue.length && n < this.#maxBatch && queue[n]!.op.kind !== "revoke") n++;
    return queue.splice(0, n);
  }

  #request(req: WriterRequest, transfer: ArrayBuffer[] = []): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const seq = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#requests.set(seq, { resolve, reject });
      if (this.#requests.size === 1) this.#writer.ref();
      try {
        const message: WriterMessage = { seq, req };
        this.#writer.postMessage(message, transfer);
      } catch (err) {
        this.#requests.delete(seq);
        if (this.#requests.size === 0) this.#writer.unref();
        reject(err as Error);
      }
    });
  }

  #answer({ seq, error }: WriterReply): void {
    const pending = this.#requests.get(seq);
    if (!pending) return;
    this.#requests.delete(seq);
    if (this.#requests.size === 0) this.#writer.unref();
    if (error === undefined) pending.resolve();
    else pending.reject(new Error(error));
  }

  #fail(err: Error): void {
    if (this.#closed) return;
    this.#failure ??= unavailable(`database writer stopped: ${err.message}`, err);
    for (const pending of this.#requests.values()) pending.reject(this.#failure);
    this.#requests.clear();
  }

  /** Decides one write of a transaction; throws StoreError for a failed guard. */
  #apply(op: WriteOp, txn: Txn): KeyValue | undefined {
    if (op.kind === "revoke") {
      this.#revoke(op.lease, op.explicit, txn);
      return undefined;
    }
    const current = this.#latestRow(op.key, txn);
    const live = current && !current.deleted ? current : undefined;
    if (op.kind === "create") {
      if (live) throw alreadyExists(op.key);
      this.#checkLease(op.lease);
      const kv = this.#insert(txn, op.key, op.value, {
        created: true,
        prev: current,
        lease: op.lease,
      });
      txn.events.push({ type: "create", kv });
      return kv;
    }
    if (!live) throw notFound(op.key);
    const prev = toKeyValue(live);
    const expected = op.expected;
    if (expected !== undefined && live.id !== expected) throw conflict(op.key, prev);
    if (op.kind === "update") {
      this.#checkLease(op.lease);
      const kv = this.#insert(txn, op.key, op.value, {
        created: false,
        prev: live,
        lease: op.lease,
      });
      txn.events.push({ type: "update", kv, prev });
      return kv;
    }
    const kv = this.#insert(txn, op.key, new Uint8Array(0), {
      deleted: true,
      prev: live,
      lease: 0,
    });
    txn.events.push({ type: "delete", kv, prev });
    return prev;
  }

  #insert(
    txn: Txn,
    key: string,
    value: Uint8Array,
    o: { created?: boolean; deleted?: boolean; prev: Row | undefined; lease: number },
  ): KeyValue {
    const id = (txn.rows[txn.rows.length - 1]?.id ?? this.#revision) + 1;
    const createRevision = o.created || !o.prev ? id : o.prev.create_revision;
    const row: Row = {
      id,
      name: key,
      created: o.created ? 1 : 0,
      deleted: o.deleted ? 1 : 0,
      create_revision: createRevision,
      prev_revision: o.prev?.id ?? 0,
      lease: o.lease,
      value,
    };
    txn.rows.push(row);
    txn.staged.set(key, row);
    if (this.#names) this.#names.add(key);
    else this.#namesSince!.push(key);
    return { key, value, createRevision, modRevision: id, lease: o.lease };
  }

  /** Keeps a committed row as its key's newest. */
  #remember(row: Row): void {
    this.#latest.delete(row.name);
    this.#latest.set(row.name, row);
    if (this.#latest.size > latestRowsMax) this.#latest.delete(this.#latest.keys().next().value!);
  }

  /**
   * The newest row of `key` (a tombstone included): the transaction's own, then `#latest`, then
   * SQLite's.
   */
  #latestRow(key: string, txn?: Txn): Row | undefined {
    return (
      txn?.staged.get(key) ??
      this.#latest.get(key) ??
      (this.#names?.mightHave(key) === false
        ? undefined
        : (this.#stmts.latest.get(key) as Row | undefined))
    );
  }

  #checkLease(lease: number): void {
    if (lease && !this.#leases.has(lease)) throw invalidArgument(`lease ${lease} not found`);
  }

  // ---- watch -------------------------------------------------------------------------------

  watch(prefix: string, options: WatchOptions): Watch {
    const watcher: RawWatcher = {
      prefix,
      channel: new WatchChannel({
        signal: options.signal,
        onClose: () => this.#watchers.delete(watcher),
        progressNotify: options.progressNotify,
        onRequestProgress: () =>
          this.#deliver(watcher, { type: "progress", revision: this.#revision }),
      }),
      held: [],
    };
    if (this.#closed) {
      watcher.channel.fail(new StoreError("Unavailable", "store is closed"));
      return watcher.channel;
    }
    if (options.afterRevision < this.#compactRevision) {
      watcher.channel.fail(compacted(options.afterRevision, this.#compactRevision));
      return watcher.channel;
    }
    this.#watchers.add(watcher);
    this.#replay(watcher, options.afterRevision, this.#revision);
    return watcher.channel;
  }

  /** Delivers history in (from, to] a chunk per event-loop turn, then what arrived meanwhile. */
  #replay(watcher: RawWatcher, from: number, to: number): void {
    if (watcher.channel.closed) return;
    if (from < this.#compactRevision) {
      watcher.channel.fail(compacted(from, this.#compactRevision));
      return;
    }
    const end = prefixEnd(watcher.prefix);
    const rows = this.#stmts.changesAfter.all(
      from,
      to,
      watcher.prefix,
      end,
      end,
      replayChunk,
    ) as unknown as ChangeRow[];
    for (const row of rows) watcher.channel.push(toEvent(row));
    if (rows.length === replayChunk) {
      const next = rows[rows.length - 1]!.id;
      setImmediate(() => this.#replay(watcher, next, to));
      return;
    }
    const held = watcher.held ?? [];
    watcher.held = undefined;
    for (const ev of held) watcher.channel.push(ev);
  }

  #notify(events: WatchEvent[]): void {
    if (events.length === 0) return;
    const revision = events[events.length - 1]!.kv.modRevision;
    for (const w of this.#watchers) {
      let last = 0;
      for (const ev of events) {
        if (!ev.kv.key.startsWith(w.prefix)) continue;
        this.#deliver(w, ev);
        last = ev.kv.modRevision;
      }
      if (last !== revision && w.channel.wantsProgress) {
        this.#deliver(w, { type: "progress", revision });
      }
    }
  }

  #deliver(w: RawWatcher, item: WatchItem): void {
    if (w.held) w.held.push(item);
    else w.channel.push(item);
  }

  // ---- compaction --------------------------------------------------------------------------

  async compact(revision: number): Promise<void> {
    this.#checkOpen();
    if (revision > this.#revision) {
      throw invalidArgument(`cannot compact to ${revision}: newer than current ${this.#revision}`);
    }
    while (this.#compacting) await this.#compacting;
    if (revision <= this.#compactRevision) return;
    const from = this.#compactRevision;
    this.#compactRevision = revision;
    this.#compacting = this.#compactRange(from, revision).finally(() => {
      this.#compacting = undefined;
    });
    await this.#compacting;
  }

  async #compactRange(from: number, to: number): Promise<void> {
    for (let lo = from; lo < to && !this.#closed; lo += this.#compactChunk) {
      const hi = Math.min(to, lo + this.#compactChunk);
      // The writer runs requests in order, a step between two transactions. Deciding writes
      // meanwhile needs no wait: compaction removes superseded rows and tombstones, never a key's
      // live row, and a create over a tombstone gone by then only points at a row that is gone.
      try {
        await this.#request({ t: "compact", from: lo, to: hi });
      } catch (err) {
        throw unavailable(`compaction failed: ${(err as Error).message}`, err);
      } finally {
        // A tombstone compacted away is no longer any key's newest row.
        this.#latest.clear();
      }
      await new Promise((r) => setImmediate(r));
    }
    if (!this.#closed) await this.#request({ t: "checkpoint" });
  }

  // ---- leases ------------------------------------------------------------------------------

  async grantLease(ttlSeconds: number): Promise<number> {
    this.#checkOpen();
    if (!(ttlSeconds > 0)) throw invalidArgument("lease TTL must be positive");
    const ttlMs = Math.round(ttlSeconds * 1000);
    const id = ++this.#lastLease;
    const expiresAt = this.#clock.now() + ttlMs;
    await this.#request({ t: "lease", id, ttlMs, expiresAt });
    this.#leases.set(id, { ttlMs, expiresAt });
    return id;
  }

  async keepAliveLease(id: number): Promise<void> {
    this.#checkOpen();
    const lease = this.#leases.get(id);
    if (!lease) throw notFound(`lease ${id}`);
    lease.expiresAt = this.#clock.now() + lease.ttlMs;
    await this.#request({ t: "touch", id, expiresAt: lease.expiresAt });
  }

  async revokeLease(id: number): Promise<void> {
    await this.#enqueue({ kind: "revoke", lease: id, explicit: true });
  }

  /** Deletes a lease's keys (committed ones: a revocation goes in a transaction of its own). */
  #revoke(lease: number, explicit: boolean, txn: Txn): void {
    if (!this.#leases.has(lease)) {
      if (explicit) throw notFound(`lease ${lease}`);
      return;
    }
    for (const { name } of this.#stmts.leaseKeys.all(lease) as Array<{ name: string }>) {
      const row = this.#latestRow(name, txn);
      if (!row || row.deleted || row.lease !== lease) continue;
      const prev = toKeyValue(row);
      const kv = this.#insert(txn, name, new Uint8Array(0), { deleted: true, prev: row, lease: 0 });
      txn.events.push({ type: "delete", kv, prev });
    }
    txn.leaseDelete = lease;
  }

  #scheduleLeaseCheck(): void {
    this.#leaseTimer = this.#clock.after(this.#leaseCheckMs, () => {
      if (this.#closed) return;
      const now = this.#clock.now();
      for (const [id, lease] of this.#leases) {
        if (lease.expiresAt > now) continue;
        this.#enqueue({ kind: "revoke", lease: id, explicit: false }).catch(() => {});
      }
      this.#scheduleLeaseCheck();
    });
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  async close(): Promise<void> {
    if (this.#closed) return;
    while ((this.#queue.length > 0 || this.#scheduled || this.#busy) && !this.#failure) {
      await new Promise((r) => setImmediate(r));
    }
    await this.#compacting?.catch(() => {});
    this.#leaseTimer?.cancel();
    this.#closed = true;
    await this.#request({ t: "close" }).catch(() => {});
    await this.#writer.terminate();
    for (const w of [...this.#watchers]) w.channel.end();
    this.#db.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw new StoreError("Unavailable", "store is closed");
  }

  #readRevision(requested: number | undefined): number {
    if (!requested) return this.#revision;
    if (requested < this.#compactRevision) throw compacted(requested, this.#compactRevision);
    if (requested > this.#revision) {
      throw invalidArgument(`revision ${requested} is in the future (current ${this.#revision})`);
    }
    return requested;
  }

  #meta(key: string): number | undefined {
    const row = this.#stmts.metaGet.get(key) as { value: number } | undefined;
    return row?.value;
  }
}

/** A transaction's rows for the writer: their values copied into one buffer, moved, not cloned. */
function commitRequest(txn: Txn): { req: CommitRequest; transfer: ArrayBuffer[] } {
  let size = 0;
  for (const row of txn.rows) {
    if (!(row.value instanceof Uint8Array))
      throw new TypeError(`value of ${row.name} is not bytes`);
    size += row.value.byteLength;
  }
  const values = new ArrayBuffer(size);
  const bytes = new Uint8Array(values);
  let offset = 0;
  const rows = txn.rows.map((r) => {
    bytes.set(r.value, offset);
    offset += r.value.byteLength;
    return [
      r.id,
      r.name,
      r.created,
      r.deleted,
      r.create_revision,
      r.prev_revision,
      r.lease,
      r.value.byteLength,
    ] as const;
  });
  const req: CommitRequest = {
    t: "commit",
    rows,
    values,
    ...(txn.leaseDelete !== undefined && { leaseDelete: txn.leaseDelete }),
  };
  return { req, transfer: [values] };
}

/** Fails every write of a batch whose transaction was not committed. */
function failBatch(batch: readonly Pending[], err: Error): void {
  const failure = unavailable(`commit failed: ${err.message}`, err);
  for (const p of batch) p.reject(failure);
}

interface ChangeRow extends Row {
  p_id: number | null;
  p_create_revision: number | null;
  p_lease: number | null;
  p_value: Uint8Array | null;
}

function isSortedByKey(items: KeyValue[]): boolean {
  for (let i = 1; i < items.length; i++) {
    if (compareKeys(items[i - 1]!.key, items[i]!.key) > 0) return false;
  }
  return true;
}

function toKeyValue(row: Row): KeyValue {
  return {
    key: row.name,
    value: row.value,
    createRevision: row.create_revision,
    modRevision: row.id,
    lease: row.lease,
  };
}

function toEvent(row: ChangeRow): WatchEvent {
  const kv = toKeyValue(row);
  const prev: KeyValue | undefined =
    row.p_id === null || row.created
      ? undefined
      : {
          key: row.name,
          value: row.p_value ?? new Uint8Array(0),
          createRevision: row.p_create_revision ?? 0,
          modRevision: row.p_id,
          lease: row.p_lease ?? 0,
        };
  if (row.deleted) return prev ? { type: "delete", kv, prev } : { type: "delete", kv };
  if (row.created || !prev) return { type: "create", kv };
  return { type: "update", kv, prev };
}
