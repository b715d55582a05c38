/**
 * The shape of a `bosun` subcommand. Each command parses its own flags; `main.ts` dispatches.
 */
export interface Command {
  readonly name: string;
  /** One line for `bosun --help`. */
  readonly summary: string;
  /** Full usage text for `bosun <name> --help`. */
  readonly usage: string;
  run(args: string[]): Promise<number>;
}

/** A mistake in how the command was called: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
