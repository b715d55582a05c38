/**
 * A long-lived `sh` that runs commands one at a time for the kubelet. Node's `spawn` forks the
 * whole agent process and blocks the event loop while it does (≈20 ms each on a busy 2-core
 * host, measured with 30 pods starting at once); the shell forks only itself. Used for mount and
 * umount, which Node has no API for. The shell exits when the agent does (its stdin closes).
 */
import { type ChildProcess, spawn } from "node:child_process";

export interface ShellResult {
  readonly code: number;
  readonly output: string;
}

interface Pending {
  readonly line: string;
  readonly resolve: (r: ShellResult) => void;
}

const marker = "__bosun_rc__=";

/** `'…'` quoting for sh. */
export const shellQuote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

export class Shell {
  #child: ChildProcess | undefined;
  #queue: Pending[] = [];
  #current: Pending | undefined;
  #buffer = "";

  /** Runs `argv` (combined stdout and stderr come back in `output`). */
  run(argv: readonly string[]): Promise<ShellResult> {
    const line = `${argv.map(shellQuote).join(" ")} </dev/null 2>&1; printf '\\n${marker}%d\\n' $?\n`;
    return new Promise((resolve) => {
      this.#queue.push({ line, resolve });
      this.#next();
    });
  }

  #start(): ChildProcess {
    const child = spawn("/bin/sh", [], { stdio: ["pipe", "pipe", "inherit"] });
    child.unref();
    (child.stdout as unknown as { unref(): void }).unref();
    (child.stdin as unknown as { unref(): void }).unref();
    child.stdout!.on("data", (d: Buffer) => this.#data(d.toString()));
    child.once("exit", () => {
      if (this.#child === child) this.#child = undefined;
      const current = this.#current;
      this.#current = undefined;
      this.#buffer = "";
      current?.resolve({ code: 127, output: "shell exited" });
      this.#next();
    });
    child.stdin!.on("error", () => {}); // the exit handler reports the failure
    return child;
  }

  #next(): void {
    if (this.#current) return;
    const item = this.#queue.shift();
    if (!item) return;
    this.#current = item;
    this.#child ??= this.#start();
    this.#child.stdin!.write(item.line);
  }

  #data(text: string): void {
    this.#buffer += text;
    const at = this.#buffer.indexOf(`\n${marker}`);
    if (at < 0) return;
    const end = this.#buffer.indexOf("\n", at + 1 + marker.length);
    if (end < 0) return;
    const code = Number(this.#buffer.slice(at + 1 + marker.length, end));
    const output = this.#buffer.slice(0, at);
    this.#buffer = this.#buffer.slice(end + 1);
    const current = this.#current;
    this.#current = undefined;
    current?.resolve({ code, output });
    this.#next();
  }

  close(): void {
    this.#child?.stdin?.end();
  }
}
