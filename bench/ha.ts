/**
 * Several masters (issue 11): write throughput through the API with one master on SQLite (the
 * default), one master on a managed one-member etcd, and three masters (writes spread over their
 * API servers); and the failover gap — the longest interval without an acknowledged write through
 * the surviving masters — when the master of the etcd leader is killed (kill -9), over 3 runs.
 * All masters run on this host (127.0.0.1/.2/.3), so three etcd members and three API servers
 * share its cores: figures for a host per master are higher.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { configFromKubeconfig, RestClient } from "../src/client/rest-client.ts";
import { EtcdClient } from "../src/storage/etcd/etcd-client.ts";
import { freePort } from "../src/storage/testing/etcd-harness.ts";
import { median, now, printTable, summarize } from "./stats.ts";

const bosun = fileURLToPath(new URL("../bin/bosun.js", import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Master {
  readonly dir: string;
  readonly port: number;
  readonly args: string[];
  child: ChildProcess | undefined;
  client: RestClient | undefined;
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of live) c.kill("SIGKILL");
});

function readyz(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/readyz", rejectUnauthorized: false, timeout: 1000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.once("error", () => resolve(false));
    req.once("timeout", () => req.destroy());
    req.end();
  });
}

async function launch(m: Master): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      bosun,
      "server",
      "--data-dir",
      m.dir,
      "--https-port",
      String(m.port),
      "--disable-agent",
      ...m.args,
    ],
    { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, BOSUN_LOG_LEVEL: "error" } },
  );
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  live.add(child);
  child.once("exit", () => live.delete(child));
  m.child = child;
  const deadline = Date.now() + 60_000;
  while (!((await readyz(m.port)) && existsSync(join(m.dir, "admin.kubeconfig")))) {
    if (child.exitCode !== null) throw new Error(`bosun server exited: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`bosun server not ready: ${stderr}`);
    await sleep(50);
  }
  m.client ??= new RestClient(configFromKubeconfig(join(m.dir, "admin.kubeconfig"), "bench-ha"));
}

async function startMaster(args: string[]): Promise<Master> {
  const m: Master = {
    dir: mkdtempSync(join(tmpdir(), "bosun-bench-ha-")),
    port: await freePort(),
    args,
    child: undefined,
    client: undefined,
  };
  await launch(m);
  return m;
}

async function kill9(m: Master): Promise<void> {
  const child = m.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
  m.child = undefined;
}

async function stopAll(masters: Master[]): Promise<void> {
  for (const m of masters) {
    m.client?.close();
    const child = m.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(m.dir, { recursive: true, force: true });
  }
}

const etcdPorts = async () => [
  "--etcd-client-port",
  String(await freePort()),
  "--etcd-peer-port",
  String(await freePort()),
];

async function threeMasters(): Promise<Master[]> {
  const first = await startMaster([
    "--cluster-init",
    ...(await etcdPorts()),
    "--advertise-address",
    "127.0.0.1",
  ]);
  const masters = [first];
  const out = await new Promise<string>((resolve, reject) => {
    const c = spawn(process.execPath, [
      bosun,
      "token",
      "create",
      "--control-plane",
      "--print-join-command",
      "--data-dir",
      first.dir,
    ]);
    let text = "";
    c.stdout.on("data", (d: Buffer) => (text += d.toString()));
    c.once("exit", (code) =>
      code === 0 ? resolve(text) : reject(new Error("token create failed")),
    );
  });
  const join = out.trim().split(/\s+/).slice(2);
  for (const ip of ["127.0.0.2", "127.0.0.3"]) {
    masters.push(await startMaster([...join, ...(await etcdPorts()), "--advertise-address", ip]));
  }
  return masters;
}

let seq = 0;
const cm = () => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: `b-${process.pid}-${seq++}` },
  data: { v: "x".repeat(512) },
});
const cmPath = "/api/v1/namespaces/default/configmaps";

/** `inFlight` writers for `ms`, spread over the clients; creates/s and latency. */
async function throughput(clients: RestClient[], inFlight: number, ms: number) {
  const latencies: number[] = [];
  const end = now() + ms;
  let errors = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async (_, w) => {
      const c = clients[w % clients.length]!;
      while (now() < end) {
        const t = now();
        try {
          await c.create(cmPath, cm());
          latencies.push(now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  return { perSecond: latencies.length / (ms / 1000), ...summarize(latencies), errors };
}

/** Which master's member leads etcd now (through the first live master's etcd client cert). */
async function etcdLeader(masters: Master[]): Promise<number> {
  const m = masters.find((x) => x.child)!;
  const tls = join(m.dir, "server", "tls", "etcd");
  const member = JSON.parse(readFileSync(join(m.dir, "server", "etcd", "member.json"), "utf8"));
  const client = new EtcdClient({
    endpoints: [member.clientURL],
    tls: {
      ca: readFileSync(join(tls, "ca.crt")),
      cert: readFileSync(join(tls, "client.crt")),
      key: readFileSync(join(tls, "client.key")),
      serverName: "localhost",
    },
  });
  try {
    const status = await client.status();
    const { members } = await client.memberList();
    const leader = members.find((x) => x.ID === status.leader)!;
    return masters.findIndex(
      (x) =>
        JSON.parse(readFileSync(join(x.dir, "server", "etcd", "member.json"), "utf8")).name ===
        leader.name,
    );
  } finally {
    client.close();
  }
}

/**
 * Kills the etcd leader's master while writes go to the survivors open-loop (a new create every
 * 10 ms, whether or not earlier ones have answered, so requests stuck at the dead leader until
 * their deadline do not hide when new ones succeed again); the longest interval between
 * acknowledged writes after the kill.
 */
async function failoverGap(masters: Master[]): Promise<{ gapMs: number; writes: number }> {
  const leader = await etcdLeader(masters);
  const survivors = masters.filter((_, i) => i !== leader).map((m) => m.client!);
  let last = now();
  let gapMs = 0;
  let writes = 0;
  let outstanding = 0;
  const pending: Promise<void>[] = [];
  const write = (c: RestClient) => {
    outstanding++;
    pending.push(
      c.create(cmPath, cm()).then(
        () => {
          const t = now();
          gapMs = Math.max(gapMs, t - last);
          last = t;
          writes++;
          outstanding--;
        },
        () => {
          outstanding--;
        },
      ),
    );
  };
  const end = now() + 11_000;
  let killed = false;
  for (let i = 0; now() < end; i++) {
    if (!killed && now() > end - 10_000) {
      gapMs = 0;
      last = now();
      killed = true;
      void kill9(masters[leader]!);
    }
    if (outstanding < 200) write(survivors[i % survivors.length]!);
    await sleep(10);
  }
  await Promise.all(pending);
  await launch(masters[leader]!);
  return { gapMs, writes };
}

export async function run(): Promise<void> {
  const rows: Array<Array<string | number>> = [];
  const runs = 3;
  const configs: [string, () => Promise<Master[]>][] = [
    ["1 master, SQLite", async () => [await startMaster([])]],
    [
      "1 master, managed etcd",
      async () => [await startMaster(["--cluster-init", ...(await etcdPorts())])],
    ],
    ["3 masters, managed etcd", threeMasters],
  ];
  for (const [name, start] of configs) {
    const masters = await start();
    try {
      const clients = masters.map((m) => m.client!);
      await throughput(clients, 4, 1000); // warm-up
      for (const inFlight of [1, 16]) {
        const results = [];
        for (let i = 0; i < runs; i++) results.push(await throughput(clients, inFlight, 3000));
        const mid = results.sort((a, b) => a.perSecond - b.perSecond)[1]!;
        rows.push([name, String(inFlight), mid.perSecond, mid.p50, mid.p99, mid.errors]);
      }
    } finally {
      await stopAll(masters);
    }
  }
  console.log("Creates through the API (ConfigMaps of 512 B; median of 3 runs of 3 s):\n");
  printTable(["masters", "in flight", "creates/s", "p50 ms", "p99 ms", "errors"], rows);

  const masters = await threeMasters();
  try {
    const gaps: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await failoverGap(masters);
      gaps.push(r.gapMs);
      console.log(
        `run ${i + 1}: longest interval without an acknowledged write ${Math.round(r.gapMs)} ms (${r.writes} writes)`,
      );
    }
    console.log(
      `\nFailover gap when the etcd leader's master is killed: median ${Math.round(median(gaps))} ms, max ${Math.round(Math.max(...gaps))} ms (${runs} runs)`,
    );
  } finally {
    await stopAll(masters);
  }
}
