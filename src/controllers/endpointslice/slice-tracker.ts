/**
 * `EndpointSliceTracker`: remembers the slices this controller just wrote or deleted, so that a
 * sync running before the informer has seen those writes does not act on a stale cache (and,
 * say, create a second slice for the same endpoints). A service is stale while the cache lacks
 * a write we made; the informer event that brings it requeues the service.
 */

/** Expected resourceVersion of a written slice, or "deleted". */
type Expectation = { rv: bigint } | "deleted";

interface CachedSlice {
  readonly metadata?: { readonly name?: string; readonly resourceVersion?: string };
}

/** Expectations older than this are dropped, in case the event that meets them never comes. */
const expiryMs = 30_000;

export class SliceTracker {
  readonly #expected = new Map<string, Map<string, { e: Expectation; at: number }>>();

  #entries(serviceKey: string) {
    let m = this.#expected.get(serviceKey);
    if (!m) {
      m = new Map();
      this.#expected.set(serviceKey, m);
    }
    return m;
  }

  expectWritten(serviceKey: string, name: string, resourceVersion: string | undefined): void {
    if (!resourceVersion) return;
    this.#entries(serviceKey).set(name, { e: { rv: BigInt(resourceVersion) }, at: Date.now() });
  }

  expectDeleted(serviceKey: string, name: string): void {
    this.#entries(serviceKey).set(name, { e: "deleted", at: Date.now() });
  }

  /** A slice went away: whatever we expected of it no longer matters. */
  observeDeleted(serviceKey: string, name: string): void {
    this.#expected.get(serviceKey)?.delete(name);
  }

  /** True while `cached` (the informer's slices of the service) lacks one of our writes. */
  stale(serviceKey: string, cached: readonly CachedSlice[]): boolean {
    const entries = this.#expected.get(serviceKey);
    if (!entries) return false;
    const byName = new Map(cached.map((s) => [s.metadata?.name ?? "", s]));
    const now = Date.now();
    for (const [name, { e, at }] of entries) {
      const slice = byName.get(name);
      const met =
        e === "deleted"
          ? slice === undefined
          : slice !== undefined && BigInt(slice.metadata?.resourceVersion ?? "0") >= e.rv;
      if (met || now - at > expiryMs) entries.delete(name);
    }
    if (entries.size === 0) this.#expected.delete(serviceKey);
    return entries.size > 0;
  }

  deleteService(serviceKey: string): void {
    this.#expected.delete(serviceKey);
  }
}
