/**
 * Starts real etcd members on loopback ports of their own for tests and benchmarks, and stops
 * them. Each member has a data directory under a temporary folder that `stop()` removes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, openSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EtcdClient } from "../etcd/etcd-client.ts";

export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  process: ChildProcess | undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === "object" && addr ? addr.port : 0));
    });
  });
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const p of running) p.kill("SIGKILL");
});

export class EtcdCluster {
  readonly members: EtcdMember[];
  readonly #root: string;
  readonly #initialCluster: string;

  private constructor(root: string, members: EtcdMember[]) {
    this.#root = root;
    this.members = members;
    this.#initialCluster = members.map((m) => `${m.name}=${m.peerUrl}`).join(",");
  }

  /** Starts `size` members and waits until the cluster answers writes. */
  static async start(size = 1): Promise<EtcdCluster> {
    const root = mkdtempSync(join(tmpdir(), "bosun-etcd-"));
    const members: EtcdMember[] = [];
    for (let i = 0; i < size; i++) {
      members.push({
        name: `m${i}`,
        clientUrl: `http://127.0.0.1:${await freePort()}`,
        peerUrl: `http://127.0.0.1:${await freePort()}`,
        dataDir: join(root, `m${i}`),
        process: undefined,
      });
    }
    const cluster = new EtcdCluster(root, members);
    for (const m of members) cluster.#spawn(m);
    await cluster.waitReady();
    return cluster;
  }

  get endpoints(): string[] {
    return this.members.map((m) => m.clientUrl);
  }

  #spawn(m: EtcdMember): void {
    const logFd = openSync(join(this.#root, `${m.name}.log`), "a");
    m.process = spawn(
      "etcd",
      [
        `--name=${m.name}`,
        `--data-dir=${m.dataDir}`,
        `--listen-client-urls=${m.clientUrl}`,
        `--advertise-client-urls=${m.clientUrl}`,
        `--listen-peer-urls=${m.peerUrl}`,
        `--initial-advertise-peer-urls=${m.peerUrl}`,
        `--initial-cluster=${this.#initialCluster}`,
        "--initial-cluster-state=new",
        "--initial-cluster-token=bosun-test",
        "--log-level=error",
        "--logger=zap",
      ],
      { stdio: ["ignore", logFd, logFd] },
    );
    const child = m.process;
    running.add(child);
    child.once("exit", () => running.delete(child));
  }

  /** Waits until every running member answers a linearizable read. */
  async waitReady(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const m of this.members) {
      if (!m.process) continue;
      const client = new EtcdClient({ endpoints: [m.clientUrl], timeoutMs: 1000 });
      try {
        for (;;) {
          try {
            await client.range({ key: Buffer.from("/health") });
            break;
          } catch (err) {
            if (Date.now() > deadline) throw new Error(`etcd ${m.name} not ready`, { cause: err });
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      } finally {
        client.close();
      }
    }
  }

  /** Kills a member (SIGKILL) and waits for it to exit. */
  async kill(index: number): Promise<void> {
    const m = this.members[index]!;
    const p = m.process;
    if (!p) return;
    m.process = undefined;
    if (p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGKILL");
    await exited;
  }

  /** Starts a stopped member again on the same data directory and ports. */
  restart(index: number): void {
    const m = this.members[index]!;
    if (!m.process) this.#spawn(m);
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((_, i) => this.kill(i)));
    rmSync(this.#root, { recursive: true, force: true });
  }
}
