/**
 * The etcd Store: real etcd 3.4+ through `EtcdClient`.
 *
 * Kubernetes' optimistic concurrency maps onto one Txn per write: compare the key's create or mod
 * revision, put or delete on success, read the current value on failure. Watches resume from the
 * last delivered revision when the stream breaks (a restarted member); they end with Unavailable
 * only when etcd stays unreachable past `watchRetryMs`.
 */
import { randomInt } from "node:crypto";
import type * as grpc from "@grpc/grpc-js";
import { type Logger, silentLogger } from "../../machinery/log.ts";
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
import { decodeContinue, encodeContinue, keyAfter, prefixEnd } from "../keys.ts";
import type {
  DeleteOptions,
  GetOptions,
  KeyValue,
  ListOptions,
  ListResult,
  Store,
  Watch,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from "../store.ts";
import { WatchChannel } from "../watch-channel.ts";
import {
  EtcdClient,
  type EtcdClientOptions,
  type EtcdKeyValue,
  type RangeRequest,
  type WatchResponse,
} from "./etcd-client.ts";

export interface EtcdStoreOptions extends EtcdClientOptions {
  /** How long a broken watch keeps trying to resume before it ends with Unavailable. */
  readonly watchRetryMs?: number;
  readonly log?: Logger;
}

const enc = (s: string): Buffer => Buffer.from(s, "utf8");
/** `range_end` "\0" means "every key from `key` on". Never send an empty range_end. */
const rangeEndFor = (prefix: string): Buffer => {
  const end = prefixEnd(prefix);
  return end ? enc(end) : Buffer.from([0]);
};

function toKeyValue(kv: EtcdKeyValue): KeyValue {
  return {
    key: kv.key.toString("utf8"),
    value: new Uint8Array(kv.value.buffer, kv.value.byteOffset, kv.value.byteLength),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    lease: Number(kv.lease),
  };
}

interface WatchState {
  readonly prefix: string;
  /** Revision of the last event delivered (or the starting point). */
  last: number;
  /** Cancels the stream that is open now. */
  cancel: (() => void) | undefined;
  /** Asks the open stream for a progress notification. */
  requestProgress: (() => void) | undefined;
}

function toWatchEvent(ev: WatchResponse["events"][number]): WatchEvent {
  const kv = toKeyValue(ev.kv);
  const prev = ev.prev_kv ? toKeyValue(ev.prev_kv) : undefined;
  if (ev.type === "DELETE") {
    const deleted = { ...kv, createRevision: prev?.createRevision ?? 0 };
    return prev ? { type: "delete", kv: deleted, prev } : { type: "delete", kv: deleted };
  }
  if (kv.createRevision === kv.modRevision || !prev) return { type: "create", kv };
  return { type: "update", kv, prev };
}

export class EtcdStore implements Store {
  readonly client: EtcdClient;
  #watchRetryMs: number;
  #log: Logger;
  #closed = false;
  #watches = new Set<WatchChannel>();

  constructor(options: EtcdStoreOptions) {
    this.client = new EtcdClient(options);
    this.#watchRetryMs = options.watchRetryMs ?? 10_000;
    this.#log = options.log ?? silentLogger;
  }

  async get(key: string, options: GetOptions = {}): Promise<KeyValue> {
    this.#checkOpen();
    const req: RangeRequest = { key: enc(key) };
    if (options.revision) req.revision = options.revision;
    const res = await this.client.range(req);
    const kv = res.kvs[0];
    if (!kv) throw notFound(key);
    return toKeyValue(kv);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.#checkOpen();
    let start = prefix;
    let revision = options.revision ?? 0;
    if (options.continue) {
      const token = decodeContinue(options.continue, prefix);
      start = token.start;
      revision = token.revision;
    }
    const req: RangeRequest = { key: enc(start), range_end: rangeEndFor(prefix) };
    if (revision) req.revision = revision;
    if (options.limit && options.limit > 0) req.limit = options.limit;
    const res = await this.client.range(req);
    const items = res.kvs.map(toKeyValue);
    const rev = revision || Number(res.header.revision);
    const last = items[items.length - 1];
    if (res.more && last) {
      return { items, revision: rev, continue: encodeContinue(rev, keyAfter(last.key), prefix) };
    }
    return { items, revision: rev };
  }

  async count(prefix: string): Promise<number> {
    this.#checkOpen();
    const res = await this.client.range({
      key: enc(prefix),
      range_end: rangeEndFor(prefix),
      count_only: true,
    });
    return Number(res.count);
  }

  async create(key: string, value: Uint8Array, options: WriteOptions = {}): Promise<KeyValue> {
    this.#checkOpen();
    const k = enc(key);
    const res = await this.#txn(() =>
      this.client.txn({
        compare: [{ result: "EQUAL", target: "CREATE", key: k, create_revision: 0 }],
        success: [
          { request_put: { key: k, value: Buffer.from(value), lease: options.lease ?? 0 } },
        ],
        failure: [],
      }),
    );
    if (!res.succeeded) throw alreadyExists(key);
    const rev = Number(res.header.revision);
    return { key, value, createRevision: rev, modRevision: rev, lease: options.lease ?? 0 };
  }

  async update(
    key: string,
    value: Uint8Array,
    expectedRevision: number,
    options: WriteOptions = {},
  ): Promise<KeyValue> {
    this.#checkOpen();
    const k = enc(key);
    const lease = options.lease ?? 0;
    const res = await this.#txn(() =>
      this.client.txn({
        compare: [
          { result: "NOT_EQUAL", target: "CREATE", key: k, create_revision: 0 },
          { result: "EQUAL", target: "MOD", key: k, mod_revision: expectedRevision },
        ],
        success: [{ request_put: { key: k, value: Buffer.from(value), lease, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) {
      const current = res.responses[0]?.response_range?.kvs[0];
      if (!current) throw notFound(key);
      throw conflict(key, toKeyValue(current));
    }
    const prev = res.responses[0]?.response_put?.prev_kv;
    const rev = Number(res.header.revision);
    return {
      key,
      value,
      createRevision: prev ? Number(prev.create_revision) : rev,
      modRevision: rev,
      lease,
    };
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<KeyValue> {
    this.#checkOpen();
    const k = enc(key);
    const compare =
      options.expectedRevision === undefined
        ? [{ result: "NOT_EQUAL" as const, target: "CREATE" as const, key: k, create_revision: 0 }]
        : [
            { result: "NOT_EQUAL" as const, target: "CREATE" as const, key: k, create_revision: 0 },
            {
              result: "EQUAL" as const,
              target: "MOD" as const,
              key: k,
              mod_revision: options.expectedRevision,
            },
          ];
    const res = await this.client.txn({
      compare,
      success: [{ request_delete_range: { key: k, prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.succeeded) {
      const current = res.responses[0]?.response_range?.kvs[0];
      if (!current) throw notFound(key);
      throw conflict(key, toKeyValue(current));
    }
    const prev = res.responses[0]?.response_delete_range?.prev_kvs[0];
    if (!prev) throw notFound(key);
    return toKeyValue(prev);
  }

  /** Writes that name an unknown lease fail as InvalidArgument, as in the other backends. */
  async #txn<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isStoreError(err, "NotFound")) throw invalidArgument(err.message);
      throw err;
    }
  }

  watch(prefix: string, options: WatchOptions): Watch {
    const state: WatchState = {
      prefix,
      last: options.afterRevision,
      cancel: undefined,
      requestProgress: undefined,
    };
    const channel = new WatchChannel({
      signal: options.signal,
      onClose: () => {
        this.#watches.delete(channel);
        state.cancel?.();
      },
      progressNotify: options.progressNotify,
      onRequestProgress: () => state.requestProgress?.(),
    });
    if (this.#closed) {
      channel.fail(new StoreError("Unavailable", "store is closed"));
      return channel;
    }
    this.#watches.add(channel);
    void this.#runWatch(state, channel);
    return channel;
  }

  /** Keeps one etcd watch stream open for `channel`, re-opening it after transport failures. */
  async #runWatch(state: WatchState, channel: WatchChannel): Promise<void> {
    let failingSince: number | undefined;
    while (!channel.closed) {
      const delivered = state.last;
      const outcome = await this.#watchOnce(state, channel);
      if (channel.closed) return;
      if (isStoreError(outcome) && outcome.reason !== "Unavailable") {
        channel.fail(outcome);
        return;
      }
      if (state.last !== delivered) failingSince = undefined;
      failingSince ??= Date.now();
      if (Date.now() - failingSince > this.#watchRetryMs) {
        channel.fail(unavailable(`etcd watch on ${state.prefix} could not be resumed`, outcome));
        return;
      }
      this.#log.warn("etcd watch broken; resuming", {
        prefix: state.prefix,
        after: state.last,
        err: outcome,
      });
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Runs one watch stream until it breaks or the channel closes; resolves with why it ended. */
  #watchOnce(state: WatchState, channel: WatchChannel): Promise<unknown> {
    return new Promise((resolve) => {
      const stream = this.client.watchStream();
      let settled = false;
      const finish = (why: unknown) => {
        if (settled) return;
        settled = true;
        state.cancel = undefined;
        state.requestProgress = undefined;
        stream.cancel();
        resolve(why);
      };
      state.cancel = () => finish(undefined);
      state.requestProgress = () => stream.write({ progress_request: {} });
      stream.on("data", (res: WatchResponse) => {
        if (res.canceled) {
          const compactRev = Number(res.compact_revision);
          finish(
            compactRev > 0
              ? compacted(state.last, compactRev)
              : unavailable(`etcd cancelled the watch: ${res.cancel_reason}`),
          );
          return;
        }
        for (const ev of res.events) {
          const event = toWatchEvent(ev);
          channel.push(event);
          state.last = event.kv.modRevision;
        }
        if (res.events.length === 0 && !res.created) {
          channel.push({ type: "progress", revision: Number(res.header.revision) });
        }
      });
      stream.on("error", (err: grpc.ServiceError) => {
        finish(unavailable(`etcd watch: ${err.details}`, err));
      });
      stream.on("end", () => finish(unavailable("etcd watch stream ended")));
      stream.write({
        create_request: {
          key: enc(state.prefix),
          range_end: rangeEndFor(state.prefix),
          start_revision: state.last + 1,
          prev_kv: true,
        },
      });
    });
  }

  async compact(revision: number): Promise<void> {
    this.#checkOpen();
    try {
      await this.client.compact(revision);
    } catch (err) {
      if (isStoreError(err, "Compacted")) return;
      throw err;
    }
  }

  async currentRevision(): Promise<number> {
    this.#checkOpen();
    const res = await this.client.range({ key: Buffer.from([0]), count_only: true });
    return Number(res.header.revision);
  }

  async grantLease(ttlSeconds: number): Promise<number> {
    this.#checkOpen();
    if (!(ttlSeconds > 0)) throw invalidArgument("lease TTL must be positive");
    // Choose the id ourselves so it fits a JavaScript number.
    const id = randomInt(1, 2 ** 48);
    const res = await this.client.leaseGrant(Math.ceil(ttlSeconds), id);
    if (res.error) throw unavailable(`etcd: ${res.error}`);
    return Number(res.ID);
  }

  async keepAliveLease(id: number): Promise<void> {
    this.#checkOpen();
    const ttl = await this.client.leaseKeepAlive(id);
    if (ttl <= 0) throw notFound(`lease ${id}`);
  }

  async revokeLease(id: number): Promise<void> {
    this.#checkOpen();
    await this.client.leaseRevoke(id);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of [...this.#watches]) w.end();
    this.client.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw new StoreError("Unavailable", "store is closed");
  }
}
