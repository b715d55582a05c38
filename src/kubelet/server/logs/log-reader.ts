/**
 * Reads a container's CRI log file the way upstream's kubelet does (`ReadLogs` in
 * `pkg/kubelet/kuberuntime/logs/logs.go`): from the start or the last `tailLines` lines, skipping
 * lines older than `since`, optionally prefixed with their timestamp, one stream or both, cut at
 * `limitBytes`; with `follow`, it waits at the end of the file for more, reopens the file when the
 * log was rotated (renamed and created anew), and ends once the container no longer runs and
 * everything written has been read.
 */
import { watch } from "node:fs";
import { type FileHandle, open, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { type Clock, realClock } from "../../../machinery/clock.ts";
import {
  type CriLogLine,
  formatLogTimestamp,
  logLineNanos,
  parseCriLogLine,
} from "./cri-log-line.ts";

export interface ContainerLogOptions {
  /** Only the last N lines (of the file); undefined means all. */
  readonly tailLines?: number;
  /** Skip lines older than this (Unix nanoseconds). */
  readonly since?: bigint;
  readonly timestamps?: boolean;
  readonly follow?: boolean;
  /** Stop after writing this many bytes. */
  readonly limitBytes?: number;
  readonly stream?: "All" | "Stdout" | "Stderr";
}

export interface ReadLogsHooks {
  /** Receives output; resolves when the consumer can take more (back-pressure). */
  readonly write: (chunk: Buffer) => Promise<void>;
  /** Ends reading (the client went away). */
  readonly signal?: AbortSignal;
  /** Following ends at the end of the file once this answers false. */
  readonly isRunning?: () => Promise<boolean>;
  readonly clock?: Clock;
  /** How long to wait at the end of the file before looking again (default 250 ms). */
  readonly pollMs?: number;
  /** How often `isRunning` is asked while following (default 1 s; upstream 5 s). */
  readonly stateCheckMs?: number;
}

const CHUNK = 64 * 1024;
const NL = 0x0a;

/** The byte offset where the last `n` lines of the file start (upstream `FindTailLineStartIndex`). */
export async function tailStartOffset(f: FileHandle, n: number): Promise<number> {
  const { size } = await f.stat();
  if (n <= 0) return size;
  let end = size;
  let found = 0;
  let skipLastNewline = true;
  const buf = Buffer.alloc(CHUNK);
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const { bytesRead } = await f.read(buf, 0, end - start, start);
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (buf[i] !== NL) {
        skipLastNewline = false;
        continue;
      }
      if (skipLastNewline) {
        skipLastNewline = false; // the file's final newline ends the last line, not a line of its own
        continue;
      }
      if (++found === n) return start + i + 1;
    }
    end = start;
  }
  return 0;
}

/**
 * Turns parsed lines into output bytes, tracking line starts (for timestamps) and the limit.
 * Output is gathered per batch of lines and written once (a write per line costs more than the
 * line).
 */
class LogWriter {
  #remaining: number;
  #atLineStart = true;
  #pending: Buffer[] = [];
  readonly #o: ContainerLogOptions;
  readonly #write: (chunk: Buffer) => Promise<void>;

  constructor(o: ContainerLogOptions, write: (chunk: Buffer) => Promise<void>) {
    this.#o = o;
    this.#write = write;
    this.#remaining = o.limitBytes ?? Number.POSITIVE_INFINITY;
  }

  /** Adds one line; false once the byte limit is reached. */
  line(l: CriLogLine): boolean {
    const addPrefix = this.#atLineStart;
    this.#atLineStart = !l.partial;
    const stream = this.#o.stream ?? "All";
    if (stream !== "All" && stream.toLowerCase() !== l.stream) return true;
    if (this.#o.since !== undefined && logLineNanos(l) < this.#o.since) return true;
    const parts: Buffer[] = [];
    if (this.#o.timestamps && addPrefix) parts.push(Buffer.from(`${formatLogTimestamp(l.time)} `));
    parts.push(l.content);
    if (!l.partial) parts.push(newline);
    for (const part of parts) {
      const take = part.length > this.#remaining ? part.subarray(0, this.#remaining) : part;
      if (take.length > 0) this.#pending.push(take);
      this.#remaining -= take.length;
      if (this.#remaining <= 0) return false;
    }
    return true;
  }

  /** Writes what the lines so far produced. */
  async flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const out = Buffer.concat(this.#pending);
    this.#pending = [];
    await this.#write(out);
  }
}

const newline = Buffer.from("\n");

/** Reads complete lines from a file handle from an offset on. */
class LineReader {
  readonly #buf = Buffer.alloc(CHUNK);
  #pending: Buffer = Buffer.alloc(0);
  position: number;
  f: FileHandle;

  constructor(f: FileHandle, position: number) {
    this.f = f;
    this.position = position;
  }

  /** The complete lines available now (an unfinished last line stays pending). */
  async next(): Promise<Buffer[]> {
    const { bytesRead } = await this.f.read(this.#buf, 0, CHUNK, this.position);
    if (bytesRead === 0) return [];
    this.position += bytesRead;
    const data = Buffer.concat([this.#pending, this.#buf.subarray(0, bytesRead)]);
    const lines: Buffer[] = [];
    let start = 0;
    for (let i = data.indexOf(NL); i >= 0; i = data.indexOf(NL, start)) {
      lines.push(data.subarray(start, i));
      start = i + 1;
    }
    this.#pending = Buffer.from(data.subarray(start));
    return lines;
  }

  /** Whatever is left without a final newline. */
  takePending(): Buffer {
    const p = this.#pending;
    this.#pending = Buffer.alloc(0);
    return p;
  }

  /** Continues with another file (after rotation), from its start. */
  switchTo(f: FileHandle): void {
    this.f = f;
    this.position = 0;
  }
}

export async function readContainerLogs(
  path: string,
  options: ContainerLogOptions,
  hooks: ReadLogsHooks,
): Promise<void> {
  const writer = new LogWriter(options, hooks.write);
  const f = await openLog(path, hooks.clock ?? realClock);
  const reader = new LineReader(
    f,
    options.tailLines === undefined ? 0 : await tailStartOffset(f, options.tailLines),
  );
  const follower = options.follow ? new Follower(path, hooks) : undefined;
  try {
    for (;;) {
      if (hooks.signal?.aborted) return;
      const lines = await reader.next();
      let more = true;
      for (const raw of lines) {
        const parsed = parseCriLogLine(raw);
        if (parsed && !writer.line(parsed)) {
          more = false;
          break;
        }
      }
      await writer.flush();
      if (!more) return;
      if (lines.length > 0) continue;
      // At the end of the file. Make sure nothing more was appended since the read.
      if ((await reader.f.stat()).size > reader.position) continue;
      const next = follower ? await follower.wait(reader.f, reader.position) : "stop";
      if (next === "stop") {
        const rest = parseCriLogLine(reader.takePending()); // an incomplete last line
        if (rest && !hooks.signal?.aborted) {
          writer.line(rest);
          await writer.flush();
        }
        return;
      }
      if (next !== "more") {
        await reader.f.close();
        reader.switchTo(next);
      }
    }
  } finally {
    follower?.close();
    await reader.f.close().catch(() => {});
  }
}

/**
 * Opens the log. While it is being rotated, the path names no file for a moment (between the
 * rename and the runtime's reopen): a missing file is looked for again for up to a second.
 */
async function openLog(path: string, clock: Clock): Promise<FileHandle> {
  const deadline = clock.now() + 1000;
  for (;;) {
    try {
      return await open(path, "r");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT" || clock.now() >= deadline) throw err;
      await new Promise<void>((resolve) => clock.after(50, resolve));
    }
  }
}

/** Waits at the end of a followed log: for more data, a rotated file, or the container's end. */
class Follower {
  readonly #path: string;
  readonly #hooks: ReadLogsHooks;
  readonly #clock: Clock;
  #lastCheck: number;
  #wake: (() => void) | undefined;
  readonly #watcher: ReturnType<typeof watch> | undefined;

  constructor(path: string, hooks: ReadLogsHooks) {
    this.#path = path;
    this.#hooks = hooks;
    this.#clock = hooks.clock ?? realClock;
    this.#lastCheck = this.#clock.now();
    try {
      // Writes and renames in the log's directory wake the reader at once; polling is the fallback.
      this.#watcher = watch(dirname(path), { persistent: false }, () => this.#wake?.());
      this.#watcher.on("error", () => {});
    } catch {
      this.#watcher = undefined;
    }
  }

  /** Waits, then says what to do; `position` is how far `current` has been read. */
  async wait(current: FileHandle, position: number): Promise<"more" | "stop" | FileHandle> {
    const signal = this.#hooks.signal;
    await new Promise<void>((resolve) => {
      const timer = this.#clock.after(this.#hooks.pollMs ?? 250, () => done());
      const done = () => {
        timer.cancel();
        signal?.removeEventListener("abort", done);
        this.#wake = undefined;
        resolve();
      };
      this.#wake = done;
      signal?.addEventListener("abort", done, { once: true });
    });
    if (signal?.aborted) return "stop";
    // Whatever was appended to the file being read comes first, also after a rotation.
    if ((await current.stat()).size > position) return "more";
    if (await this.#rotated(current)) {
      // Drain what was written to the old file before switching (it may have grown meanwhile).
      if ((await current.stat()).size > position) return "more";
      return open(this.#path, "r");
    }
    const now = this.#clock.now();
    if (this.#hooks.isRunning && now - this.#lastCheck >= (this.#hooks.stateCheckMs ?? 1000)) {
      this.#lastCheck = now;
      if (!(await this.#hooks.isRunning()) && (await current.stat()).size <= position) {
        return "stop";
      }
    }
    return "more";
  }

  /** Whether the path now names another file than the one being read (the log was rotated). */
  async #rotated(current: FileHandle): Promise<boolean> {
    try {
      return (await stat(this.#path)).ino !== (await current.stat()).ino;
    } catch {
      return false; // renamed, not yet created anew
    }
  }

  close(): void {
    this.#watcher?.close();
    this.#wake?.();
  }
}
