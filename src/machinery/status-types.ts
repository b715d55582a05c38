/**
 * The `metav1.Status` wire types and the HTTP code of every `StatusReason`. Re-exported by
 * `status.ts`; import from there.
 */
import type { FieldCause } from "./field-errors.ts";

/** `metav1.StatusReason`. The empty string is `StatusReasonUnknown`. */
export type StatusReason =
  | ""
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Gone"
  | "Invalid"
  | "ServerTimeout"
  | "StoreReadError"
  | "Timeout"
  | "TooManyRequests"
  | "BadRequest"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "RequestEntityTooLarge"
  | "UnsupportedMediaType"
  | "InternalError"
  | "Expired"
  | "ServiceUnavailable";

export const StatusReasonUnknown = "" satisfies StatusReason;

/** The HTTP code each reason is sent with. */
export const statusReasonCodes: Record<StatusReason, number> = {
  "": 500,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Invalid: 422,
  ServerTimeout: 500,
  StoreReadError: 500,
  Timeout: 504,
  TooManyRequests: 429,
  BadRequest: 400,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  InternalError: 500,
  Expired: 410,
  ServiceUnavailable: 503,
};

/** `metav1.CauseType`: the field error types plus a few of the API server's own. */
export type CauseType =
  | FieldCause["reason"]
  | "UnexpectedServerResponse"
  | "FieldManagerConflict"
  | "ResourceVersionTooLarge"
  | (string & {});

export interface StatusCause {
  reason?: CauseType;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  /** For most errors this is the resource (plural), as upstream sets it. */
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: { continue?: string; resourceVersion?: string };
  status: "Success" | "Failure";
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code?: number;
}

/** `schema.GroupResource`; prints as `pods` or `deployments.apps`. */
export interface GroupResource {
  readonly group: string;
  readonly resource: string;
}

/** `schema.GroupKind`; prints as `Pod` or `Deployment.apps`. */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

export const groupResourceString = (gr: GroupResource): string =>
  gr.group === "" ? gr.resource : `${gr.resource}.${gr.group}`;

export const groupKindString = (gk: GroupKind): string =>
  gk.group === "" ? gk.kind : `${gk.kind}.${gk.group}`;
