/**
 * The seam to the kernel: `NftRunner` applies an nft script as one transaction (`nft -f -`).
 * `ExecNftRunner` runs the real binary, optionally inside a named network namespace (tests,
 * benchmarks; a node's agent already runs inside its node's namespace). A missing binary is a
 * clear error naming the Debian package.
 */
import { spawn } from "node:child_process";

export interface NftRunner {
  /** Applies `script` atomically; rejects with nft's message when it fails (nothing applied). */
  apply(script: string): Promise<void>;
  /** Parses and checks `script` against the kernel without applying it (`nft -c`). */
  check(script: string): Promise<void>;
  /** Runs `nft <args>` and returns its output (`list table …`). */
  run(args: readonly string[]): Promise<string>;
}

export class ToolError extends Error {
  override readonly name = "ToolError";
  readonly stderr: string;
  constructor(message: string, stderr: string, options?: ErrorOptions) {
    super(message, options);
    this.stderr = stderr;
  }
}

export interface ExecOptions {
  /** The binary (default `nft` from PATH). */
  readonly binary?: string;
  /** Run inside `ip netns exec <netns>`. */
  readonly netns?: string;
  /** Debian package that provides the binary, for the "not found" message. */
  readonly debianPackage?: string;
}

/** Runs a command, feeding `input` on stdin; resolves with stdout. */
export function execTool(
  args: readonly string[],
  options: ExecOptions & { input?: string; okCodes?: readonly number[] } = {},
): Promise<{ stdout: string; stderr: string; code: number }> {
  const binary = options.binary ?? "nft";
  const [cmd, argv] = options.netns
    ? ["ip", ["netns", "exec", options.netns, binary, ...args]]
    : [binary, [...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") {
        const pkg = options.debianPackage ?? binary;
        reject(
          new ToolError(
            `${cmd} not found in PATH: install it (Debian: apt-get install ${pkg})`,
            "",
            { cause: e },
          ),
        );
      } else reject(e);
    });
    child.on("close", (code) => {
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString();
      if (code === 0 || options.okCodes?.includes(code ?? -1)) {
        resolve({ stdout, stderr, code: code ?? 0 });
      } else {
        const first = stderr.trim().split("\n").slice(0, 6).join("\n");
        reject(
          new ToolError(`${binary} ${args.join(" ")} failed (exit ${code}): ${first}`, stderr),
        );
      }
    });
    child.stdin.on("error", () => {}); // EPIPE when the tool exits early; its exit code tells.
    child.stdin.end(options.input ?? "");
  });
}

export class ExecNftRunner implements NftRunner {
  readonly #options: ExecOptions;

  constructor(options: ExecOptions = {}) {
    this.#options = { debianPackage: "nftables", ...options };
  }

  async apply(script: string): Promise<void> {
    await execTool(["-f", "-"], { ...this.#options, input: script });
  }

  async check(script: string): Promise<void> {
    await execTool(["-c", "-f", "-"], { ...this.#options, input: script });
  }

  async run(args: readonly string[]): Promise<string> {
    return (await execTool(args, this.#options)).stdout;
  }
}
