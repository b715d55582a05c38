/**
 * Failures of CRI calls as one error class with the gRPC status name, so callers can tell
 * "not found" (a removed sandbox, an image not pulled) from "unavailable" (containerd down) and
 * from the runtime's own errors, without knowing gRPC.
 */

export type CriErrorCode =
  | "NotFound"
  | "Unavailable"
  | "DeadlineExceeded"
  | "Unimplemented"
  | "InvalidArgument"
  | "AlreadyExists"
  | "Unknown";

export class CriError extends Error {
  readonly code: CriErrorCode;
  /** The RPC, e.g. "RunPodSandbox". */
  readonly method: string;
  /** The runtime's own message, without our prefix. */
  readonly details: string;

  constructor(code: CriErrorCode, method: string, details: string, options?: ErrorOptions) {
    super(`${method}: ${details}`, options);
    this.name = "CriError";
    this.code = code;
    this.method = method;
    this.details = details;
  }
}

/** The error as Go's gRPC prints it, which is what upstream kubelets put in pod status. */
export function grpcErrorText(err: unknown): string {
  if (err instanceof CriError) return `rpc error: code = ${err.code} desc = ${err.details}`;
  return err instanceof Error ? err.message : String(err);
}

export function isCriError(err: unknown, code?: CriErrorCode): err is CriError {
  return err instanceof CriError && (code === undefined || err.code === code);
}
