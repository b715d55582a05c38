/**
 * Per key, the resourceVersion a controller's last write replaced (upstream's
 * `staleEndpointsTracker`). While its informer still shows that version, the cache is behind the
 * controller's own write: acting on it would undo or conflict with that write, and the write's
 * own event brings the key back for a fresh look.
 */
export class ReplacedVersions {
  readonly #replaced = new Map<string, string>();

  /** Notes a write of `key` that replaced `version` (skipped when the write kept the version). */
  replaced(key: string, version: string | undefined, written: string | undefined): void {
    if (version !== undefined && written !== version) this.#replaced.set(key, version);
  }

  /** Whether the cached `version` of `key` is one this controller has already replaced. */
  isStale(key: string, version: string | undefined): boolean {
    return version !== undefined && this.#replaced.get(key) === version;
  }

  delete(key: string): void {
    this.#replaced.delete(key);
  }
}
