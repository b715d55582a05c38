/** Why a protobuf request body could not be decoded. The API server maps each to an HTTP status. */
export type ProtobufDecodeErrorReason =
  /** The body does not start with the `k8s\0` magic prefix, or is empty. */
  | "BadMagic"
  /** The body ends in the middle of a field. */
  | "Truncated"
  /** The bytes are not a valid message of the expected type, or embedded JSON does not parse. */
  | "Malformed"
  /** No built-in message is known for the envelope's (apiVersion, kind). */
  | "UnknownKind"
  /** The envelope declares a content encoding or content type this decoder does not handle. */
  | "UnsupportedContent";

/** 400 for broken bodies, 415 for bodies that are fine but of a type the server cannot read. */
export const protobufDecodeErrorCode: Record<ProtobufDecodeErrorReason, 400 | 415> = {
  BadMagic: 400,
  Truncated: 400,
  Malformed: 400,
  UnknownKind: 415,
  UnsupportedContent: 415,
};

export interface ProtobufDecodeErrorOptions {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly cause?: unknown;
}

export class ProtobufDecodeError extends Error {
  override readonly name = "ProtobufDecodeError";
  readonly reason: ProtobufDecodeErrorReason;
  /** The HTTP status the API server should answer with. */
  readonly code: 400 | 415;
  readonly apiVersion: string | undefined;
  readonly kind: string | undefined;

  constructor(
    reason: ProtobufDecodeErrorReason,
    message: string,
    options: ProtobufDecodeErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.code = protobufDecodeErrorCode[reason];
    this.apiVersion = options.apiVersion;
    this.kind = options.kind;
  }
}

export function isProtobufDecodeError(
  err: unknown,
  reason?: ProtobufDecodeErrorReason,
): err is ProtobufDecodeError {
  return err instanceof ProtobufDecodeError && (reason === undefined || err.reason === reason);
}
