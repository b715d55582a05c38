/**
 * API errors as `metav1.Status`, mirroring apimachinery's `api/errors` package.
 *
 * A `StatusError` carries the exact Status object the API server writes (kubectl and client-go
 * parse it: `reason` drives their behaviour, `message` is what users read), so every constructor
 * here reproduces upstream's reason, code, details and message format. The HTTP code of each
 * reason lives in one exhaustive table, `statusReasonCodes`.
 *
 * The wire types are in `status-types.ts` (re-exported here); the client's reading of non-Status
 * responses is in `generic-response.ts`. Depends only on other machinery files. The storage →
 * Status translation lives in the API server, not here.
 */
import { type FieldError, toAggregateMessage, toStatusCauses } from "./field-errors.ts";
import { goQuote } from "./go-format.ts";
import {
  type GroupKind,
  type GroupResource,
  groupKindString,
  groupResourceString,
  type Status,
  type StatusCause,
  type StatusDetails,
  type StatusReason,
  statusReasonCodes,
} from "./status-types.ts";

export * from "./status-types.ts";

/** An error the API server reports as a Status; `message` is the Status message. */
export class StatusError extends Error {
  override readonly name = "StatusError";
  readonly status: Status;

  constructor(status: Status, options?: ErrorOptions) {
    super(status.message ?? "", options);
    this.status = status;
  }

  get reason(): StatusReason {
    return this.status.reason ?? "";
  }

  get code(): number {
    return this.status.code ?? 0;
  }
}

export function isStatusError(err: unknown, reason?: StatusReason): err is StatusError {
  return err instanceof StatusError && (reason === undefined || err.reason === reason);
}

/** `ReasonForError`: the reason of a StatusError, "" (Unknown) for anything else. */
export function reasonForError(err: unknown): StatusReason {
  return err instanceof StatusError ? err.reason : "";
}

/** Drops empty strings, empty cause lists and zero retry, as Go's `omitempty` does. */
function compactDetails(d: StatusDetails): StatusDetails {
  const out: StatusDetails = {};
  if (d.name) out.name = d.name;
  if (d.group) out.group = d.group;
  if (d.kind) out.kind = d.kind;
  if (d.uid) out.uid = d.uid;
  if (d.causes && d.causes.length > 0) out.causes = d.causes;
  if (d.retryAfterSeconds) out.retryAfterSeconds = d.retryAfterSeconds;
  return out;
}

/** A Failure status with the reason's code; `details` keeps upstream's (empty) object. */
export function failureStatus(
  reason: StatusReason,
  message: string,
  details?: StatusDetails,
  code = statusReasonCodes[reason],
): Status {
  const status: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure" };
  if (message !== "") status.message = message;
  if (reason !== "") status.reason = reason;
  if (details !== undefined) status.details = compactDetails(details);
  status.code = code;
  return status;
}

function failure(reason: StatusReason, message: string, details?: StatusDetails): StatusError {
  return new StatusError(failureStatus(reason, message, details));
}

const resourceDetails = (gr: GroupResource, name?: string): StatusDetails => ({
  name: name ?? "",
  group: gr.group,
  kind: gr.resource,
});

const errorText = (err: Error | string): string => (typeof err === "string" ? err : err.message);

/** A Success status, as delete responses carry it. */
export function statusSuccess(details?: StatusDetails): Status {
  const status: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success" };
  if (details !== undefined) status.details = compactDetails(details);
  return status;
}

/**
 * `ErrorToAPIStatus`: the Status for any thrown value. A StatusError keeps its own (a missing
 * code becomes 200 or 500); anything else is a 500 with reason Unknown and the error's message.
 */
export function errorToStatus(err: unknown): Status {
  if (err instanceof StatusError) {
    const s: Status = { ...err.status, kind: "Status", apiVersion: "v1" };
    if (s.code === undefined || s.code === 0) s.code = s.status === "Success" ? 200 : 500;
    return s;
  }
  const message = err instanceof Error ? err.message : String(err);
  return failureStatus("", message);
}

/** `FromObject`: rebuilds the error a Status response describes (client side). */
export function statusErrorFromStatus(status: Status): StatusError {
  return new StatusError(status);
}

// ---- constructors, one per upstream `errors.NewXxx` ----

export const newNotFound = (gr: GroupResource, name: string): StatusError =>
  failure(
    "NotFound",
    `${groupResourceString(gr)} ${goQuote(name)} not found`,
    resourceDetails(gr, name),
  );

export const newAlreadyExists = (gr: GroupResource, name: string): StatusError =>
  failure(
    "AlreadyExists",
    `${groupResourceString(gr)} ${goQuote(name)} already exists`,
    resourceDetails(gr, name),
  );

export const newGenerateNameConflict = (
  gr: GroupResource,
  name: string,
  retryAfterSeconds: number,
): StatusError =>
  failure(
    "AlreadyExists",
    `${groupResourceString(gr)} ${goQuote(name)} already exists, the server was not able to generate a unique name for the object`,
    { ...resourceDetails(gr, name), retryAfterSeconds },
  );

export const newUnauthorized = (reason: string): StatusError =>
  failure("Unauthorized", reason === "" ? "not authorized" : reason);

/** `pods "x" is forbidden: <err>`; without a name `pods is forbidden: ...`; without a resource `forbidden: ...`. */
export function newForbidden(gr: GroupResource, name: string, err: Error | string): StatusError {
  const why = errorText(err);
  let message: string;
  if (gr.group === "" && gr.resource === "") message = `forbidden: ${why}`;
  else if (name === "") message = `${groupResourceString(gr)} is forbidden: ${why}`;
  else message = `${groupResourceString(gr)} ${goQuote(name)} is forbidden: ${why}`;
  return failure("Forbidden", message, resourceDetails(gr, name));
}

/** The message the registry uses for a stale resourceVersion (`storage.OptimisticLockErrorMsg`). */
export const optimisticLockErrorMsg =
  "the object has been modified; please apply your changes to the latest version and try again";

export const newConflict = (gr: GroupResource, name: string, err: Error | string): StatusError =>
  failure(
    "Conflict",
    `Operation cannot be fulfilled on ${groupResourceString(gr)} ${goQuote(name)}: ${errorText(err)}`,
    resourceDetails(gr, name),
  );

export const newApplyConflict = (causes: StatusCause[], message: string): StatusError =>
  failure("Conflict", message, { causes });

/** Deprecated upstream in favour of `newResourceExpired`; kept for completeness. */
export const newGone = (message: string): StatusError => failure("Gone", message);

export const newResourceExpired = (message: string): StatusError => failure("Expired", message);

/** What the watch cache answers for a watch or list older than its window: 410 Expired. */
export const newTooOldResourceVersion = (requested: number, oldest: number): StatusError =>
  newResourceExpired(`too old resource version: ${requested} (${oldest})`);

export const expiredListMessage = "The resourceVersion for the provided list is too old.";
export const expiredWatchMessage = "The resourceVersion for the provided watch is too old.";
export const continueExpiredMessage =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.";

/** `Pod "x" is invalid: <aggregate>` with one cause per field error. */
export function newInvalid(
  gk: GroupKind,
  name: string,
  errors: readonly FieldError[],
): StatusError {
  const aggregate = toAggregateMessage(errors);
  const prefix = `${groupKindString(gk)} ${goQuote(name)} is invalid`;
  return failure("Invalid", aggregate === "" ? prefix : `${prefix}: ${aggregate}`, {
    name,
    group: gk.group,
    kind: gk.kind,
    causes: toStatusCauses(errors),
  });
}

export const newBadRequest = (reason: string): StatusError => failure("BadRequest", reason);

export const newTooManyRequests = (message: string, retryAfterSeconds: number): StatusError =>
  failure("TooManyRequests", message, { retryAfterSeconds });

export const newTooManyRequestsError = (message: string): StatusError =>
  failure("TooManyRequests", `Too many requests: ${message}`);

export const newServiceUnavailable = (reason: string): StatusError =>
  failure("ServiceUnavailable", reason);

/** `<action> is not supported on resources of kind "<resource>"` (405). */
export const newMethodNotSupported = (gr: GroupResource, action: string): StatusError =>
  failure(
    "MethodNotAllowed",
    `${action} is not supported on resources of kind ${goQuote(groupResourceString(gr))}`,
    resourceDetails(gr),
  );

export const newServerTimeout = (
  gr: GroupResource,
  operation: string,
  retryAfterSeconds: number,
): StatusError =>
  failure(
    "ServerTimeout",
    `The ${operation} operation against ${groupResourceString(gr)} could not be completed at this time, please try again.`,
    { ...resourceDetails(gr, operation), retryAfterSeconds },
  );

export const newInternalError = (err: Error | string): StatusError =>
  failure("InternalError", `Internal error occurred: ${errorText(err)}`, {
    causes: [{ message: errorText(err) }],
  });

export const newTimeoutError = (message: string, retryAfterSeconds: number): StatusError =>
  failure("Timeout", `Timeout: ${message}`, { retryAfterSeconds });

/** `storage.NewTooLargeResourceVersionError`: a read at a revision the store has not reached. */
export function newTooLargeResourceVersion(
  minimum: number,
  current: number,
  retryAfterSeconds: number,
): StatusError {
  const err = newTimeoutError(
    `Too large resource version: ${minimum}, current: ${current}`,
    retryAfterSeconds,
  );
  err.status.details = {
    ...err.status.details,
    causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
  };
  return err;
}

export const newRequestEntityTooLargeError = (message: string): StatusError =>
  failure("RequestEntityTooLarge", `Request entity too large: ${message}`);

/** A request body in a format the server does not decode (415). */
export const newUnsupportedMediaType = (accepted: readonly string[]): StatusError =>
  failure(
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
  );

/** An Accept header the server cannot satisfy (406). */
export const newNotAcceptable = (accepted: readonly string[]): StatusError =>
  failure("NotAcceptable", `only the following media types are accepted: ${accepted.join(", ")}`);
