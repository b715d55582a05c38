/**
 * Fakes of the kernel seams for unit tests: an `NftRunner` that records scripts (and can be
 * told to fail or to have lost its table) and a `Conntrack` that records deletions.
 */
import type { Conntrack } from "../conntrack.ts";
import { type NftRunner, ToolError } from "../nft-runner.ts";

export class FakeNft implements NftRunner {
  readonly applied: string[] = [];
  /** Scripts rejected so far. */
  readonly rejected: string[] = [];
  /** The next `apply` calls fail while this is above zero. */
  failures = 0;
  /** Whether the table exists (set false to simulate `nft flush ruleset`). */
  hasTable = false;
  #waiters: Array<() => void> = [];

  async apply(script: string): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      this.rejected.push(script);
      throw new ToolError("nft -f - failed (exit 1): Error: injected failure", "");
    }
    this.applied.push(script);
    if (script.includes("table ")) this.hasTable = true;
    for (const w of this.#waiters.splice(0)) w();
  }

  async check(): Promise<void> {}

  async run(args: readonly string[]): Promise<string> {
    if (!this.hasTable) {
      throw new ToolError(`nft ${args.join(" ")} failed (exit 1): No such file or directory`, "");
    }
    return "";
  }

  get last(): string {
    return this.applied.at(-1) ?? "";
  }

  /** Resolves once `count` scripts have been applied. */
  async waitForApplies(count: number, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.applied.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.applied.length} applies`);
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
}

export class FakeConntrack implements Conntrack {
  readonly deletes: string[][] = [];

  async delete(args: readonly string[]): Promise<number> {
    this.deletes.push([...args]);
    return 1;
  }
}
