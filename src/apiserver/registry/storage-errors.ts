/**
 * The one place where Store errors become API Status errors. The table is exhaustive over the
 * Store's reasons, so a new reason cannot be forgotten here.
 */
import type { GroupResource } from "../../api/object.ts";
import {
  newAlreadyExists,
  newBadRequest,
  newConflict,
  newNotFound,
  newResourceExpired,
  newServiceUnavailable,
  optimisticLockErrorMsg,
  type StatusError,
} from "../../machinery/status.ts";
import { isStoreError, type StoreError, type StoreErrorReason } from "../../storage/errors.ts";

type Translate = (err: StoreError, gr: GroupResource, name: string) => StatusError;

const translations: Record<StoreErrorReason, Translate> = {
  NotFound: (_, gr, name) => newNotFound(gr, name),
  AlreadyExists: (_, gr, name) => newAlreadyExists(gr, name),
  Conflict: (_, gr, name) => newConflict(gr, name, optimisticLockErrorMsg),
  Compacted: (err) =>
    newResourceExpired(
      err.compactRevision === undefined
        ? "The resourceVersion for the provided list is too old."
        : `too old resource version: ${err.message.match(/revision (\d+)/)?.[1] ?? "?"} (${err.compactRevision})`,
    ),
  Unavailable: (err) => newServiceUnavailable(`storage is unavailable: ${err.message}`),
  InvalidArgument: (err) => newBadRequest(err.message),
};

/** Translates a StoreError; anything else is rethrown unchanged. */
export function toStatusError(err: unknown, gr: GroupResource, name = ""): unknown {
  if (!isStoreError(err)) return err;
  const status = translations[err.reason](err, gr, name);
  return Object.assign(status, { cause: err });
}

/** Runs `fn`, translating Store errors into Status errors. */
export async function translateStoreErrors<T>(
  gr: GroupResource,
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toStatusError(err, gr, name);
  }
}
