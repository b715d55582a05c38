/**
 * Container log rotation, as upstream's kubelet does it (`pkg/kubelet/logs/container_log_manager.go`;
 * containerd never rotates): every 10 s, each running container whose CRI log file has reached
 * `containerLogMaxSize` (10 MiB) has it renamed to `<log>.<YYYYMMDD-hhmmss>` and reopened with
 * CRI `ReopenContainerLog`; older rotated files are gzip-compressed, and only
 * `containerLogMaxFiles` (5) files per container are kept, the current one included. `kubectl
 * logs` reads the current file; a follow that is reading when the file rotates carries on in the
 * new one (`server/logs/log-reader.ts`).
 */
import { createReadStream, createWriteStream } from "node:fs";
import { readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { onAbort } from "../../machinery/abort.ts";
import { type Clock, realClock, type Timer } from "../../machinery/clock.ts";
import { type Logger, silentLogger } from "../../machinery/log.ts";
import type { RuntimeService } from "../cri/types.ts";

export interface ContainerLogPolicy {
  /** Rotate at this size (upstream `containerLogMaxSize`, 10Mi). */
  readonly maxSizeBytes: number;
  /** Files kept per container, the current one included (upstream `containerLogMaxFiles`, 5). */
  readonly maxFiles: number;
  /** How often sizes are checked (upstream `containerLogMonitorInterval`, 10 s). */
  readonly intervalMs: number;
}

export const defaultContainerLogPolicy: ContainerLogPolicy = {
  maxSizeBytes: 10 * 1024 * 1024,
  maxFiles: 5,
  intervalMs: 10_000,
};

export interface ContainerLogManagerOptions {
  readonly runtime: Pick<
    RuntimeService,
    "listContainers" | "containerStatus" | "reopenContainerLog"
  >;
  readonly policy?: Partial<ContainerLogPolicy>;
  readonly clock?: Clock;
  readonly log?: Logger;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** Go's `20060102-150405`, in UTC. */
export function rotationSuffix(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

export class ContainerLogManager {
  readonly #o: ContainerLogManagerOptions;
  readonly #policy: ContainerLogPolicy;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(o: ContainerLogManagerOptions) {
    this.#o = o;
    this.#policy = { ...defaultContainerLogPolicy, ...o.policy };
    this.#clock = o.clock ?? realClock;
    this.#log = o.log ?? silentLogger;
  }

  /** Checks every interval until `signal` aborts. */
  run(signal: AbortSignal): void {
    let timer: Timer | undefined;
    const tick = () => {
      if (signal.aborted) return;
      void this.rotateLogs()
        .catch((err) => this.#log.warn("container log rotation failed", { err }))
        .finally(() => {
          if (!signal.aborted) timer = this.#clock.after(this.#policy.intervalMs, tick);
        });
    };
    timer = this.#clock.after(this.#policy.intervalMs, tick);
    onAbort(signal, () => timer?.cancel());
  }

  /** One pass over the running containers. */
  async rotateLogs(): Promise<void> {
    const running = await this.#o.runtime.listContainers({ state: { state: "CONTAINER_RUNNING" } });
    for (const c of running) {
      let path: string;
      try {
        path = (await this.#o.runtime.containerStatus(c.id)).log_path;
        if (!path || (await stat(path)).size < this.#policy.maxSizeBytes) continue;
      } catch {
        continue; // gone meanwhile, or no log file yet
      }
      try {
        await this.#rotateLog(c.id, path);
      } catch (err) {
        this.#log.warn("cannot rotate container log", { container: c.id, path, err });
      }
    }
  }

  async #rotateLog(id: string, path: string): Promise<void> {
    let rotated = await this.#rotatedFiles(path);
    // Upstream: leave room for the file rotated now and the current one.
    const keep = Math.max(0, this.#policy.maxFiles - 2);
    while (rotated.length > keep) {
      await rm(rotated.shift()!, { force: true });
    }
    for (const file of rotated) if (!file.endsWith(".gz")) await compress(file);
    const target = `${path}.${rotationSuffix(this.#clock.now())}`;
    await rename(path, target);
    try {
      await this.#o.runtime.reopenContainerLog(id);
    } catch (err) {
      await rename(target, path).catch(() => {}); // as upstream: put it back, try next time
      throw err;
    }
    rotated = await this.#rotatedFiles(path);
    this.#log.info("rotated container log", { container: id, path, files: rotated.length + 1 });
  }

  /** `<log>.<suffix>[.gz]`, oldest first, leftovers of interrupted compressions removed. */
  async #rotatedFiles(path: string): Promise<string[]> {
    const dir = dirname(path);
    const prefix = `${basename(path)}.`;
    const names = (await readdir(dir)).filter((n) => n.startsWith(prefix));
    const out: string[] = [];
    for (const name of names.sort()) {
      const full = join(dir, name);
      if (name.endsWith(".tmp")) {
        await rm(full, { force: true });
      } else if (!name.endsWith(".gz") && names.includes(`${name}.gz`)) {
        await rm(full, { force: true }); // compressed already; the plain copy is a leftover
      } else {
        out.push(full);
      }
    }
    return out;
  }
}

/** gzip `file` to `file.gz` (through a temporary name), then remove `file`. */
async function compress(file: string): Promise<void> {
  const tmp = `${file}.gz.tmp`;
  await pipeline(createReadStream(file), createGzip(), createWriteStream(tmp));
  await rename(tmp, `${file}.gz`);
  await rm(file, { force: true });
}
