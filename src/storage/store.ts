/**
 * The cluster store: a small, etcd-shaped key/value interface.
 *
 * Every write advances one global revision. A key remembers the revision that created it
 * (`createRevision`) and the one that last changed it (`modRevision`); updates and deletes are
 * guarded by the caller's expected `modRevision`, which is how Kubernetes' optimistic concurrency
 * (resourceVersion) maps onto the store. Old revisions are kept until compacted, so lists can be
 * read at a past revision and watches can start in the past.
 *
 * Only the API server talks to a Store. Backends: memory (the reference), sqlite (the embedded
 * default), etcd (HA). All of them pass the contract suite in `contract.ts`.
 */
import type { StoreError } from "./errors.ts";

export interface KeyValue {
  readonly key: string;
  readonly value: Uint8Array;
  /** Revision of the write that created the key. */
  readonly createRevision: number;
  /** Revision of the write that last changed the key (for a delete event: the delete). */
  readonly modRevision: number;
  /** Lease the key is attached to; 0 when none. */
  readonly lease: number;
}

export interface GetOptions {
  /** Read as of this revision (0 or absent: the newest). */
  readonly revision?: number;
}

export interface ListOptions {
  /** Read as of this revision (0 or absent: the newest). Ignored when `continue` is given. */
  readonly revision?: number;
  /** Page size; 0 or absent means everything. */
  readonly limit?: number;
  /** Token from a previous page; the next page is read at that page's revision. */
  readonly continue?: string;
}

export interface ListResult {
  readonly items: KeyValue[];
  /** The revision the page was read at. */
  readonly revision: number;
  /** Present when more keys follow; pass it back to read the next page. */
  readonly continue?: string;
}

export interface WriteOptions {
  /** Attach the key to this lease: it is deleted when the lease expires or is revoked. */
  readonly lease?: number;
}

export interface DeleteOptions {
  /** Delete only if the key's modRevision is this. */
  readonly expectedRevision?: number;
}

export type WatchEventType = "create" | "update" | "delete";

export interface WatchEvent {
  readonly type: WatchEventType;
  /** The key after the change; for a delete, `value` is empty and `modRevision` is the delete's. */
  readonly kv: KeyValue;
  /** The key before the change (absent for a create). */
  readonly prev?: KeyValue;
}

/**
 * Every change under the watched prefix up to `revision` has been delivered. Only watches opened
 * with `progressNotify` receive these; a watch cache uses them to know it is current even when
 * the global revision moved because of writes elsewhere.
 */
export interface ProgressNotice {
  readonly type: "progress";
  readonly revision: number;
}

export type WatchItem = WatchEvent | ProgressNotice;

export interface WatchOptions {
  /** Deliver every event with a revision greater than this one, in order, then live events. */
  readonly afterRevision: number;
  /** Stops the watch; the iterator then ends without error. */
  readonly signal?: AbortSignal;
  /** Also deliver ProgressNotices (after writes elsewhere, and on `requestProgress`). */
  readonly progressNotify?: boolean;
}

/**
 * A running watch. Iterating yields events in revision order. The iterator throws a `StoreError`
 * with reason `Compacted` when `afterRevision` is older than the compacted history, or
 * `Unavailable` when the backend stops answering for good.
 */
export interface Watch extends AsyncIterable<WatchItem> {
  /** Asks for a ProgressNotice at the current revision (progressNotify watches only). */
  requestProgress(): void;
  close(): void;
}

export interface Store {
  /** Throws NotFound. */
  get(key: string, options?: GetOptions): Promise<KeyValue>;
  /** Keys starting with `prefix`, in key order. Throws Compacted for a compacted revision. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** Number of keys under `prefix` now. */
  count(prefix: string): Promise<number>;
  /** Throws AlreadyExists. */
  create(key: string, value: Uint8Array, options?: WriteOptions): Promise<KeyValue>;
  /**
   * Replaces the value if the key's modRevision is `expectedRevision`.
   * Throws NotFound, or Conflict carrying the current key.
   */
  update(
    key: string,
    value: Uint8Array,
    expectedRevision: number,
    options?: WriteOptions,
  ): Promise<KeyValue>;
  /** Returns the deleted key as it was. Throws NotFound, or Conflict carrying the current key. */
  delete(key: string, options?: DeleteOptions): Promise<KeyValue>;
  watch(prefix: string, options: WatchOptions): Watch;
  /** Forgets history at and below `revision` except each key's value as of `revision`. */
  compact(revision: number): Promise<void>;
  /** The revision of the newest write. */
  currentRevision(): Promise<number>;
  /** Grants a lease that expires `ttlSeconds` after the last keep-alive; returns its id. */
  grantLease(ttlSeconds: number): Promise<number>;
  /** Restarts the lease's countdown. Throws NotFound for an unknown or expired lease. */
  keepAliveLease(id: number): Promise<void>;
  /** Expires the lease now, deleting its keys. */
  revokeLease(id: number): Promise<void>;
  /** Releases connections, timers and files. */
  close(): Promise<void>;
}

export type { StoreError };
