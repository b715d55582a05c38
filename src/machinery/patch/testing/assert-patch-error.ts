/** Test-only: asserts that `fn` throws a PatchError with this reason and message. */
import assert from "node:assert/strict";
import { isPatchError, type PatchErrorReason } from "../patch-error.ts";

export function assertPatchError(
  fn: () => unknown,
  reason: PatchErrorReason,
  message: string | RegExp,
): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isPatchError(err), `not a PatchError: ${String(err)}`);
    assert.equal(err.reason, reason);
    if (typeof message === "string") assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}
