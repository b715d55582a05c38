/**
 * API server start-up and memory: time from process start to /readyz 200 on an existing data dir
 * (median and p90 of runs), and the server's RSS idle and after 10,000 ConfigMaps.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../src/storage/testing/etcd-harness.ts";
import { median, now, printTable, summarize } from "./stats.ts";

const bosun = fileURLToPath(new URL("../bin/bosun.js", import.meta.url));

function ready(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/readyz", rejectUnauthorized: false },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.once("error", () => resolve(false));
    req.end();
  });
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

async function startServer(dir: string, port: number) {
  const t0 = now();
  const child = spawn(
    process.execPath,
    [bosun, "server", "--data-dir", dir, "--https-port", String(port), "--disable-agent"],
    {
      stdio: "ignore",
    },
  );
  while (!(await ready(port))) await new Promise((r) => setTimeout(r, 5));
  return { child, ms: now() - t0 };
}

async function stop(child: ReturnType<typeof spawn>) {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

/** Creates ConfigMaps through the API with the admin client certificate, 32 at a time. */
async function createConfigMaps(dir: string, port: number, count: number) {
  const tls = join(dir, "server", "tls");
  const opts = {
    host: "127.0.0.1",
    port,
    method: "POST",
    path: "/api/v1/namespaces/default/configmaps",
    ca: readFileSync(join(tls, "ca.crt")),
    cert: readFileSync(join(tls, "admin.crt")),
    key: readFileSync(join(tls, "admin.key")),
    headers: { "Content-Type": "application/json" },
  };
  const agent = new Agent({ ...opts, keepAlive: true, maxSockets: 32 });
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const body = JSON.stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `cm-${i}`, labels: { app: "bench" } },
        data: { key: "x".repeat(256) },
      });
      await new Promise<void>((resolve, reject) => {
        const req = request({ ...opts, agent }, (res) => {
          res.resume();
          res.once("end", () =>
            res.statusCode === 201 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
          );
        });
        req.once("error", reject);
        req.end(body);
      });
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  agent.destroy();
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bosun-bench-apiserver-"));
  const port = await freePort();
  try {
    const first = await startServer(dir, port);
    await stop(first.child);
    const starts: number[] = [];
    for (let i = 0; i < 7; i++) {
      const s = await startServer(dir, port);
      starts.push(s.ms);
      await stop(s.child);
    }
    const { child } = await startServer(dir, port);
    await new Promise((r) => setTimeout(r, 2000));
    const idle = rssOf(child.pid!);
    const t = now();
    await createConfigMaps(dir, port, 10_000);
    const createSeconds = (now() - t) / 1000;
    await new Promise((r) => setTimeout(r, 2000));
    const loaded = rssOf(child.pid!);
    await stop(child);
    const s = summarize(starts);
    console.log("Start to /readyz 200 (first start creates the CA and certificates)\n");
    printTable(
      ["data dir", "runs", "median ms", "p90 ms", "max ms"],
      [
        ["new", 1, first.ms, "-", "-"],
        ["existing", starts.length, median(starts), s.p90, s.max],
      ],
    );
    console.log("\nServer RSS (MiB)\n");
    printTable(
      ["state", "RSS MiB", "note"],
      [
        ["idle", idle / 2 ** 20, "after start, namespaces only"],
        [
          "10,000 ConfigMaps",
          loaded / 2 ** 20,
          `created in ${createSeconds.toFixed(1)} s (${Math.round(10_000 / createSeconds)}/s, 32 keep-alive clients)`,
        ],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
