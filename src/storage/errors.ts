import type { KeyValue } from "./store.ts";

/** Why a store operation failed. The API server maps each reason to a Kubernetes Status. */
export type StoreErrorReason =
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Compacted"
  | "Unavailable"
  | "InvalidArgument";

export interface StoreErrorOptions {
  readonly key?: string;
  /** For Conflict: the key as it is now. */
  readonly current?: KeyValue;
  /** For Compacted: the oldest revision still readable. */
  readonly compactRevision?: number;
  readonly cause?: unknown;
}

export class StoreError extends Error {
  override readonly name = "StoreError";
  readonly reason: StoreErrorReason;
  readonly key: string | undefined;
  readonly current: KeyValue | undefined;
  readonly compactRevision: number | undefined;

  constructor(reason: StoreErrorReason, message: string, options: StoreErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.key = options.key;
    this.current = options.current;
    this.compactRevision = options.compactRevision;
  }
}

export function isStoreError(err: unknown, reason?: StoreErrorReason): err is StoreError {
  return err instanceof StoreError && (reason === undefined || err.reason === reason);
}

export const notFound = (key: string): StoreError =>
  new StoreError("NotFound", `key not found: ${key}`, { key });

export const alreadyExists = (key: string): StoreError =>
  new StoreError("AlreadyExists", `key already exists: ${key}`, { key });

export const conflict = (key: string, current: KeyValue): StoreError =>
  new StoreError("Conflict", `revision mismatch on ${key}: now ${current.modRevision}`, {
    key,
    current,
  });

export const compacted = (revision: number, compactRevision: number): StoreError =>
  new StoreError(
    "Compacted",
    `revision ${revision} has been compacted; oldest available is ${compactRevision}`,
    { compactRevision },
  );

export const unavailable = (message: string, cause?: unknown): StoreError =>
  new StoreError("Unavailable", message, { cause });

export const invalidArgument = (message: string): StoreError =>
  new StoreError("InvalidArgument", message);
