/**
 * Abort-signal helpers that do not miss an abort that already happened: `addEventListener` on an
 * aborted signal never fires, so a loop that registers after an `await` could wait forever.
 */

/** Runs `fn` once when `signal` aborts, or on the next microtask if it already has. */
export function onAbort(signal: AbortSignal, fn: () => void): void {
  if (signal.aborted) queueMicrotask(fn);
  else signal.addEventListener("abort", () => fn(), { once: true });
}

/** Resolves when `signal` aborts (at once if it already has). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => onAbort(signal, resolve));
}
