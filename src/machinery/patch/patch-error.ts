/**
 * Why a patch could not be applied. The API server turns the reason into a Kubernetes Status:
 * "BadRequest" → 400 (the patch body is malformed), "Invalid" → 422 (the patch is well formed but
 * does not apply to this object), as upstream's patch handler does.
 */
export type PatchErrorReason = "BadRequest" | "Invalid";

export interface PatchErrorOptions {
  /** For JSON patch: the index of the operation that failed. */
  readonly operation?: number;
  readonly cause?: unknown;
}

export class PatchError extends Error {
  override readonly name = "PatchError";
  readonly reason: PatchErrorReason;
  readonly operation: number | undefined;

  constructor(reason: PatchErrorReason, message: string, options: PatchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.operation = options.operation;
  }
}

export function isPatchError(err: unknown, reason?: PatchErrorReason): err is PatchError {
  return err instanceof PatchError && (reason === undefined || err.reason === reason);
}

export const badRequest = (message: string, options?: PatchErrorOptions): PatchError =>
  new PatchError("BadRequest", message, options);

export const invalid = (message: string, options?: PatchErrorOptions): PatchError =>
  new PatchError("Invalid", message, options);
