/**
 * Brings one kernel table to a wanted `Ruleset`, remembering what it last applied:
 * - first sync, after a failure, and every `fullSyncPeriodMs`: a full resync. With ClientIP
 *   affinity sets in the table it keeps the table (`reassertText`: refills every chain and map,
 *   keeps the sets' entries, deletes what is not wanted), falling back to a replacement; without
 *   them it replaces the whole table at once (`rulesetText`), which is faster;
 * - otherwise the incremental transaction from the last applied state, or nothing when the
 *   rules did not change.
 * `verify` checks that the table is still there (someone may have flushed the ruleset).
 */
import type { Clock } from "../machinery/clock.ts";
import type { NftRunner } from "./nft-runner.ts";
import { type Ruleset, rulesetText } from "./ruleset.ts";
import { parseTableListing, reassertText, transactionText } from "./transaction.ts";

export type SyncMode = "none" | "incremental" | "full" | "replace";

export interface TableSyncResult {
  readonly mode: SyncMode;
  /** Bytes of nft script sent. */
  readonly bytes: number;
}

export class TableSync {
  readonly #nft: NftRunner;
  readonly #clock: Clock;
  readonly #fullSyncPeriodMs: number;
  #applied: Ruleset | undefined;
  #lastFull = Number.NEGATIVE_INFINITY;

  constructor(options: { nft: NftRunner; clock: Clock; fullSyncPeriodMs?: number }) {
    this.#nft = options.nft;
    this.#clock = options.clock;
    this.#fullSyncPeriodMs = options.fullSyncPeriodMs ?? 3_600_000;
  }

  /** Forces the next sync to be a full one. */
  invalidate(): void {
    this.#applied = undefined;
  }

  async apply(next: Ruleset): Promise<TableSyncResult> {
    const due = this.#clock.now() - this.#lastFull >= this.#fullSyncPeriodMs;
    if (this.#applied && !due) {
      const script = transactionText(this.#applied, next);
      if (script === "") return { mode: "none", bytes: 0 };
      if (script !== undefined) {
        try {
          await this.#nft.apply(script);
          this.#applied = next;
          return { mode: "incremental", bytes: script.length };
        } catch {
          // The kernel differs from what we think: fall through to a full resync.
        }
      }
    }
    this.#applied = undefined;
    // Without affinity sets there is nothing in the kernel worth keeping: replacing the table
    // whole is one atomic load, and faster than listing it and refilling every chain.
    const hasDynamicSets = [...next.sets.values()].some((set) => !set.elements);
    if (!hasDynamicSets) {
      const replace = rulesetText(next);
      await this.#nft.apply(replace);
      this.#applied = next;
      this.#lastFull = this.#clock.now();
      return { mode: "replace", bytes: replace.length };
    }
    const table = `${next.family} ${next.table}`;
    let listing = "";
    try {
      listing = await this.#nft.run(["-t", "list", "table", ...table.split(" ")]);
    } catch {
      // No such table yet.
    }
    const full = reassertText(next, parseTableListing(listing));
    let result: TableSyncResult;
    try {
      await this.#nft.apply(full);
      result = { mode: "full", bytes: full.length };
    } catch {
      const replace = rulesetText(next);
      await this.#nft.apply(replace);
      result = { mode: "replace", bytes: replace.length };
    }
    this.#applied = next;
    this.#lastFull = this.#clock.now();
    return result;
  }

  /** True when the table still has its base chains (a cheap listing of one chain). */
  async verify(family: string, table: string): Promise<boolean> {
    if (!this.#applied) return true;
    try {
      await this.#nft.run(["list", "chain", family, table, "nat-prerouting"]);
      return true;
    } catch {
      this.#applied = undefined;
      return false;
    }
  }
}
