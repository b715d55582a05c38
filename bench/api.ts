/**
 * API benchmark (issue 4): with 64 keep-alive TLS clients, creates/s and gets/s with p50/p99;
 * LIST of 10,000 objects; 1,000 concurrent watchers' event delivery p50/p99; server RSS with
 * 10,000 and 50,000 objects. The same operations on the raw store in the same run show the
 * API's overhead. Objects are Pods (the issue's unit) when the server serves them.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { freePort } from "../src/storage/testing/etcd-harness.ts";
import { withWatchFanout } from "../src/storage/watch-fanout.ts";
import { median, now, printTable, summarize } from "./stats.ts";

const bosun = fileURLToPath(new URL("../bin/bosun.js", import.meta.url));
const clients = 64;

interface Client {
  call(method: string, path: string, body?: string): Promise<{ status: number; body: string }>;
  stream(path: string, onLine: (line: string) => void): () => void;
  close(): void;
}

function client(dir: string, port: number): Client {
  const tls = join(dir, "server", "tls");
  const base = {
    host: "127.0.0.1",
    port,
    ca: readFileSync(join(tls, "ca.crt")),
    cert: readFileSync(join(tls, "admin.crt")),
    key: readFileSync(join(tls, "admin.key")),
  };
  const agent = new Agent({ ...base, keepAlive: true, maxSockets: clients });
  const watchAgent = new Agent({ ...base, keepAlive: false, maxSockets: Infinity });
  return {
    call(method, path, body) {
      const type = method === "PATCH" ? "application/merge-patch+json" : "application/json";
      return new Promise((resolve, reject) => {
        const req = request(
          {
            ...base,
            agent,
            method,
            path,
            headers: body ? { "Content-Type": type } : {},
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (d: Buffer) => chunks.push(d));
            res.on("end", () =>
              resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
            );
          },
        );
        req.once("error", reject);
        req.end(body);
      });
    },
    stream(path, onLine) {
      let buffer = "";
      const req = request({ ...base, agent: watchAgent, path }, (res) => {
        res.on("data", (d: Buffer) => {
          buffer += d.toString();
          let nl = buffer.indexOf("\n");
          while (nl >= 0) {
            onLine(buffer.slice(0, nl));
            buffer = buffer.slice(nl + 1);
            nl = buffer.indexOf("\n");
          }
        });
        res.on("error", () => {});
      });
      req.on("error", () => {});
      req.end();
      return () => req.destroy();
    },
    close() {
      agent.destroy();
      watchAgent.destroy();
    },
  };
}

function podBody(name: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: "bench", tier: "web" } },
    spec: {
      containers: [
        {
          name: "main",
          image: "registry.local/app:1.0",
          ports: [{ containerPort: 8080 }],
          resources: { requests: { cpu: "100m", memory: "64Mi" } },
          env: [{ name: "MODE", value: "bench" }],
        },
      ],
    },
  });
}

async function load(
  n: number,
  op: (i: number) => Promise<void>,
): Promise<{ rate: number; lat: number[] }> {
  let next = 0;
  const lat: number[] = [];
  const t0 = now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < n) {
        const i = next++;
        const t = now();
        await op(i);
        lat.push(now() - t);
      }
    }),
  );
  return { rate: n / ((now() - t0) / 1000), lat };
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function ready(c: Client): Promise<void> {
  for (;;) {
    try {
      if ((await c.call("GET", "/readyz")).status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function rawStore(dir: string, n: number) {
  const store = withWatchFanout(new SqliteStore({ path: join(dir, "raw.db") }));
  const value = new TextEncoder().encode(podBody("x"));
  const create = await load(n, async (i) => {
    await store.create(`/raw/pods/default/p-${i}`, value);
  });
  const get = await load(n, async (i) => {
    await store.get(`/raw/pods/default/p-${i % n}`);
  });
  const t = now();
  await store.list("/raw/pods/");
  const list = now() - t;
  await store.close();
  return { create, get, list };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bosun-bench-api-"));
  const port = await freePort();
  const server = spawn(
    process.execPath,
    [bosun, "server", "--data-dir", dir, "--https-port", String(port), "--disable-agent"],
    {
      stdio: "ignore",
      env: { ...process.env, BOSUN_LOG_LEVEL: "warn" },
    },
  );
  const readyFile = join(dir, "admin.kubeconfig");
  while (!existsSync(readyFile)) await new Promise((r) => setTimeout(r, 50));
  const c = client(dir, port);
  try {
    await ready(c);
    const kinds = JSON.parse((await c.call("GET", "/api/v1")).body).resources.map(
      (r: { name: string }) => r.name,
    );
    const resource = kinds.includes("pods") ? "pods" : "configmaps";
    const body =
      resource === "pods"
        ? podBody
        : (name: string) =>
            JSON.stringify({
              apiVersion: "v1",
              kind: "ConfigMap",
              metadata: { name, labels: { app: "bench" } },
              data: { mode: "bench".repeat(100) },
            });
    const n = 10_000;
    const runs = 3;
    const nsPath = (r: number) => `/api/v1/namespaces/bench-${r}/${resource}`;
    const createRates: number[] = [];
    const getRates: number[] = [];
    const createLat: number[] = [];
    const getLat: number[] = [];
    const listTimes: number[] = [];
    let rss10k = 0;
    for (let r = 0; r < runs; r++) {
      const ns = JSON.stringify({
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: `bench-${r}` },
      });
      await c.call("POST", "/api/v1/namespaces", ns);
      const create = await load(n, async (i) => {
        const res = await c.call("POST", nsPath(r), body(`p-${i}`));
        if (res.status !== 201) throw new Error(`create: HTTP ${res.status} ${res.body}`);
      });
      const get = await load(n * 2, async (i) => {
        const res = await c.call("GET", `${nsPath(r)}/p-${i % n}`);
        if (res.status !== 200) throw new Error(`get: HTTP ${res.status}`);
      });
      createRates.push(create.rate);
      getRates.push(get.rate);
      for (const l of create.lat) createLat.push(l);
      for (const l of get.lat) getLat.push(l);
      const t = now();
      const list = await c.call("GET", nsPath(r));
      listTimes.push(now() - t);
      if (JSON.parse(list.body).items.length !== n) throw new Error("short list");
      if (r === 0) rss10k = rssMiB(server.pid!);
    }
    const path = nsPath(0);
    const create = { rate: median(createRates), lat: createLat };
    const get = { rate: median(getRates), lat: getLat };

    // 1,000 watchers; each event is a label change stamped with its send time.
    const delivery: number[] = [];
    const sentAt = new Map<string, number>();
    const stops: Array<() => void> = [];
    let lines = 0;
    const rv = JSON.parse((await c.call("GET", `${path}?limit=1`)).body).metadata.resourceVersion;
    for (let w = 0; w < 1000; w++) {
      const watchPath = `${path}?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Dp-0`;
      stops.push(
        c.stream(watchPath, (line) => {
          lines++;
          const seq = /"seq":"(\d+)"/.exec(line)?.[1];
          const sent = seq === undefined ? undefined : sentAt.get(seq);
          if (sent !== undefined) delivery.push(now() - sent);
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 3000));
    for (let e = 0; e < 50; e++) {
      sentAt.set(String(e), now());
      const patch = JSON.stringify({ metadata: { labels: { seq: String(e) } } });
      const r = await c.call("PATCH", `${path}/p-0`, patch);
      if (r.status !== 200) throw new Error(`patch: HTTP ${r.status} ${r.body}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 2000));
    for (const stop of stops) stop();
    if (delivery.length === 0) console.error(`no watch deliveries (${lines} lines seen)`);

    await c.call(
      "POST",
      "/api/v1/namespaces",
      JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "bench-top" } }),
    );
    await load(50_000 - runs * n, async (i) => {
      const r = await c.call("POST", `/api/v1/namespaces/bench-top/${resource}`, body(`q-${i}`));
      if (r.status !== 201) throw new Error(`create: HTTP ${r.status}`);
    });
    await new Promise((r) => setTimeout(r, 3000));
    const rss50k = rssMiB(server.pid!);

    const raw = await rawStore(dir, n);
    const cs = summarize(create.lat);
    const gs = summarize(get.lat);
    const rc = summarize(raw.create.lat);
    const rg = summarize(raw.get.lat);
    const ws = summarize(delivery);
    console.log(
      `${resource} through the API vs the raw SQLite store (${clients} keep-alive TLS clients; rates are medians of ${runs} runs, latencies pooled)\n`,
    );
    printTable(
      [
        "operation",
        "API ops/s",
        "API p50 ms",
        "API p99 ms",
        "raw store ops/s",
        "raw p50 ms",
        "raw p99 ms",
      ],
      [
        ["create", create.rate, cs.p50, cs.p99, raw.create.rate, rc.p50, rc.p99],
        ["get", get.rate, gs.p50, gs.p99, raw.get.rate, rg.p50, rg.p99],
        [
          `list ${n.toLocaleString("en-US")} (median of ${runs}, ms)`,
          median(listTimes),
          "-",
          "-",
          raw.list,
          "-",
          "-",
        ],
      ],
    );
    console.log(
      `\nWatch delivery to 1,000 watchers (${delivery.length} deliveries), write sent → event read\n`,
    );
    printTable(["p50 ms", "p90 ms", "p99 ms", "max ms"], [[ws.p50, ws.p90, ws.p99, ws.max]]);
    console.log("\nServer RSS\n");
    printTable(
      ["objects", "RSS MiB"],
      [
        ["10,000", rss10k],
        ["50,000", rss50k],
      ],
    );
  } finally {
    c.close();
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}
