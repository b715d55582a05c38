/**
 * Running the host tools a cluster is built with (`ip`, `nsenter`, …) behind a small seam, so
 * the network and route code can be tested with a recording fake. A failed command becomes one
 * `CommandError` whose message is the command and its first line of stderr.
 */
import { spawn } from "node:child_process";

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandOptions {
  /** Written to the command's stdin (e.g. an `ip -batch -` script). */
  readonly input?: string;
}

export type RunCommand = (
  cmd: string,
  args: readonly string[],
  options?: CommandOptions,
) => Promise<CommandResult>;

export class CommandError extends Error {
  override readonly name = "CommandError";
  readonly result: CommandResult;
  constructor(cmd: string, args: readonly string[], result: CommandResult) {
    const why = result.stderr.trim().split("\n")[0] || `exit code ${result.code}`;
    super(`${[cmd, ...args].join(" ")}: ${why}`);
    this.result = result;
  }
}

export const runCommand: RunCommand = (cmd, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", (err) => reject(new Error(`cannot run ${cmd}: ${err.message}`)));
    child.once("close", (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }),
    );
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
  });

/** Runs a command and returns its stdout; throws `CommandError` unless it exits 0. */
export async function mustRun(
  run: RunCommand,
  cmd: string,
  args: readonly string[],
  options?: CommandOptions,
): Promise<string> {
  const result = await run(cmd, args, options);
  if (result.code !== 0) throw new CommandError(cmd, args, result);
  return result.stdout;
}

/** Quotes a word for bash (generated scripts). */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
