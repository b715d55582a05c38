/**
 * Scale benchmark (issue 7): one `bosun server` on this machine with simulated nodes.
 *
 * 1. 100 nodes: a Deployment of 10,000 pods; scheduling throughput (binds/s) and how far pod
 *    creation ran ahead of the scheduler (the backlog: while it is > 0 the bind rate is the
 *    scheduler's own throughput, not the creation rate).
 * 2. 1,000 nodes: the same Deployment again, three times (`BOSUN_BENCH_ROLLOUTS`), each after the
 *    last one's pods are gone, and their median (one run varies by ±10% on a shared machine);
 *    then once more with the scheduler held off (the benchmark takes its leader Lease) until
 *    every pod exists, so that its bind rate is its own.
 * 3. 1,000 nodes holding 30,000 pods: API p50/p99 for get, list, create and update under the
 *    nodes' heartbeat load; server RSS and CPU; Lease renewals and all writes per second.
 *
 * `BOSUN_BENCH_ONLY=alone` runs only the scheduler-alone rollout at 1,000 nodes (a quick look at the
 * scheduler's own throughput, e.g. with a CPU profile); `BOSUN_BENCH_ONLY=rollout` only the
 * Deployment at 1,000 nodes.
 * `BOSUN_BENCH_SERVER_NODE_FLAGS="--max-semi-space-size=64"` runs the server with those Node flags,
 * `BOSUN_BENCH_SIMULATOR_NODE_FLAGS` the simulator.
 * `BOSUN_BENCH_HUGE=1` adds an attempt at 5,000 nodes and 150,000 pods and reports how far it gets.
 * `BOSUN_BENCH_CPU_PROFILE_OUT=dir` runs the server under `node --cpu-prof`, prints its threads' busy
 * time by component while the scheduler works alone, and keeps the profiles in `dir`.
 * Figures, not pass/fail. Run with `npm run bench -- scale`.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { Deployment, Lease, Node, Pod } from "../src/api/generated/types.ts";
import { configFromKubeconfig, RestClient } from "../src/client/rest-client.ts";
import { isStatusError } from "../src/machinery/status.ts";
import { freePort } from "../src/storage/testing/etcd-harness.ts";
import { cpuByComponent, monotonicMicros, readProfiles } from "./cpu-profile.ts";
import {
  type BenchProcess,
  startBosun,
  type Usage,
  until,
  usage,
  waitForReadyNodes,
} from "./processes.ts";
import { median, now, printTable, summarize } from "./stats.ts";

const namespace = "scale";
/** Smaller runs for a quick check of the benchmark itself: BOSUN_BENCH_SCALE=0.01. */
const scale = Number(process.env.BOSUN_BENCH_SCALE ?? 1);
const perDeployment = Math.max(10, Math.round(10_000 * scale));
const firstNodes = Math.max(2, Math.round(100 * scale));
const allNodes = Math.max(4, Math.round(1000 * scale));
/** One phase only, at 1,000 nodes: "alone" (the scheduler alone) or "rollout" (a Deployment). */
const only = process.env.BOSUN_BENCH_ONLY;
const profDir = process.env.BOSUN_BENCH_CPU_PROFILE_OUT;
/** Node flags that profile a process into `dir` (the server's into the top, the simulator's below). */
const profileFlags = (dir: string | undefined) =>
  dir ? ["--cpu-prof", "--cpu-prof-dir", dir, "--cpu-prof-interval", "10000"] : [];
/** Node flags for the server only, to try V8 settings: BOSUN_BENCH_SERVER_NODE_FLAGS="…". */
const serverNodeFlags = (process.env.BOSUN_BENCH_SERVER_NODE_FLAGS ?? "")
  .split(" ")
  .filter(Boolean);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * Rollouts at 1,000 nodes, each of a new Deployment once the last one's pods are gone: one run
 * varies by ±10% on a shared 2-core machine, so the table shows each and their median.
 */
const rolloutsAt1000 = Math.max(1, Number(process.env.BOSUN_BENCH_ROLLOUTS ?? 3));

function deployment(name: string, replicas: number): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: "main",
              image: "nginx:1.27",
              resources: { requests: { cpu: "10m", memory: "16Mi" } },
            },
          ],
        },
      },
    },
  };
}

interface RolloutFigures {
  pods: number;
  createdSeconds: number;
  boundSeconds: number;
  runningSeconds: number;
  bindRate: number;
  maxBacklog: number;
  /** From the scheduler's start (the Deployment's creation, or the Lease's release) to the last bind. */
  bindWindow: { fromUs: number; toUs: number };
}

const schedulerLease = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler";
const microTime = (ms: number) => new Date(ms).toISOString().replace("Z", "000Z");

/**
 * Takes the scheduler's Lease for the benchmark, as another scheduler would: the scheduler sees
 * a live holder at its next renewal (every 2 s) and stops scheduling.
 */
async function holdScheduler(client: RestClient): Promise<void> {
  // The scheduler renews its Lease every few seconds: a renewal between the read and the write
  // is a conflict, and the read is tried again.
  for (let attempt = 0; ; attempt++) {
    const lease = await client.get<Lease>(schedulerLease);
    try {
      await client.update(schedulerLease, {
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: "scale-benchmark",
          leaseDurationSeconds: 3600,
          acquireTime: microTime(Date.now()),
          renewTime: microTime(Date.now()),
        },
      });
      break;
    } catch (err) {
      if (attempt >= 5 || !isStatusError(err, "Conflict")) throw err;
    }
  }
  await sleep(5000);
}

/**
 * Creates a Deployment and follows its pods by watch until all are bound and Running. With
 * `backlog`, the scheduler is held off until every pod exists, then let go: its bind rate is
 * then its own throughput, not the pace of pod creation.
 */
async function rollout(
  client: RestClient,
  name: string,
  replicas: number,
  backlog = false,
  onRelease?: () => void,
): Promise<RolloutFigures> {
  const abort = new AbortController();
  const seen = new Set<string>();
  const bound = new Set<string>();
  const running = new Set<string>();
  const bindTimes: number[] = [];
  let maxBacklog = 0;
  let createdAt = 0;
  let allCreated = 0;
  const rv = (
    await client.get<{ metadata: { resourceVersion: string } }>(
      `/api/v1/namespaces/${namespace}/pods`,
      { limit: "1" },
    )
  ).metadata.resourceVersion;
  const query = new URLSearchParams({
    labelSelector: `app=${name}`,
    resourceVersion: rv,
    allowWatchBookmarks: "true",
    watch: "true",
  });
  const watching = observe(
    client,
    `/api/v1/namespaces/${namespace}/pods?${query}`,
    abort.signal,
    (line) => {
      const ev = JSON.parse(line) as { type: string; object: Pod };
      if (ev.type !== "ADDED" && ev.type !== "MODIFIED") return;
      const pod = ev.object;
      const uid = pod.metadata?.uid ?? "";
      const t = now();
      if (!seen.has(uid)) {
        seen.add(uid);
        if (seen.size === replicas) allCreated = t;
      }
      if (pod.spec?.nodeName && !bound.has(uid)) {
        bound.add(uid);
        bindTimes.push(t);
      }
      if (pod.status?.phase === "Running") running.add(uid);
      maxBacklog = Math.max(maxBacklog, seen.size - bound.size);
      if (running.size === replicas) abort.abort();
    },
  );
  if (backlog) await holdScheduler(client);
  createdAt = now();
  let releasedUs = monotonicMicros();
  await client.create(
    `/apis/apps/v1/namespaces/${namespace}/deployments`,
    deployment(name, replicas),
  );
  if (backlog) {
    await until("every pod created", 600_000, async () => seen.size === replicas);
    if (bound.size > 0) throw new Error(`${name}: ${bound.size} pods bound while held off`);
    onRelease?.();
    await client.delete(schedulerLease);
    createdAt = now();
    releasedUs = monotonicMicros();
  }
  const deadline = Date.now() + 600_000;
  while (running.size < replicas && Date.now() < deadline) await sleep(100);
  abort.abort();
  await watching.catch(() => undefined);
  if (running.size < replicas) {
    throw new Error(`${name}: only ${running.size}/${replicas} pods Running after 10 minutes`);
  }
  const first = bindTimes[0] ?? createdAt;
  const last = bindTimes[bindTimes.length - 1] ?? createdAt;
  return {
    pods: replicas,
    createdSeconds: (allCreated - createdAt) / 1000,
    boundSeconds: (last - createdAt) / 1000,
    runningSeconds: (now() - createdAt) / 1000,
    bindRate: bindTimes.length / Math.max((last - first) / 1000, 0.001),
    maxBacklog,
    bindWindow: { fromUs: releasedUs, toUs: releasedUs + (last - createdAt) * 1000 },
  };
}

/** A GET with the client's credentials, its body handed over chunk by chunk. */
function rawGet(
  client: RestClient,
  path: string,
  onData: (chunk: Buffer) => void,
  signal?: AbortSignal,
): Promise<void> {
  const c = client.config;
  return new Promise<void>((resolve, reject) => {
    const req = httpsRequest(
      `${c.server}${path}`,
      {
        ca: c.caPem,
        ...(c.certPem && c.keyPem ? { cert: c.certPem, key: c.keyPem } : {}),
        ...(signal ? { signal } : {}),
      },
      (res) => {
        if (res.statusCode !== 200) reject(new Error(`GET ${path}: HTTP ${res.statusCode}`));
        res.on("data", onData);
        res.on("end", () => resolve());
        res.on("error", (err) => (signal?.aborted ? resolve() : reject(err)));
      },
    );
    if (c.token) req.setHeader("Authorization", `Bearer ${c.token}`);
    req.on("error", (err) => (signal?.aborted ? resolve() : reject(err)));
    req.end();
  });
}

/**
 * Follows a watch, handing each event's JSON line to `onEvent` as it arrives, until `signal`.
 * The benchmark's own observer shares the machine with what it measures: this is the watch
 * without a client library's layers (no async iteration, string decoder or line buffer per
 * event), which took 1.3 s of CPU during a 10,000-pod rollout.
 */
function observe(
  client: RestClient,
  path: string,
  signal: AbortSignal,
  onEvent: (line: string) => void,
): Promise<void> {
  let rest: Buffer | undefined;
  return rawGet(
    client,
    path,
    (chunk) => {
      const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
      let start = 0;
      for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, start)) {
        if (nl > start && !signal.aborted) onEvent(buf.toString("utf8", start, nl));
        start = nl + 1;
      }
      rest = start < buf.length ? buf.subarray(start) : undefined;
    },
    signal,
  );
}

/** `apiserver_request_total` by "verb resource/subresource", read from the server's /metrics. */
async function requestCounts(client: RestClient): Promise<Map<string, number>> {
  const chunks: Buffer[] = [];
  await rawGet(client, "/metrics", (d) => chunks.push(d));
  const text = Buffer.concat(chunks).toString("utf8");
  const counts = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(line)?.[1] ?? "";
    const sub = label("subresource");
    const key = `${label("verb")} ${label("resource")}${sub ? `/${sub}` : ""}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  return counts;
}

/** Requests per pod during a rollout, by verb and resource, largest first. */
function printRequestsPerPod(
  before: Map<string, number>,
  after: Map<string, number>,
  pods: number,
) {
  const rows = [...after]
    .map(([key, n]): [string, number] => [key, (n - (before.get(key) ?? 0)) / pods])
    .filter(([, perPod]) => perPod >= 0.01)
    .sort((a, b) => b[1] - a[1]);
  console.log("\nAPI requests per pod during the rollout:\n");
  printTable(["request", "per pod"], rows);
}

async function deleteDeployment(client: RestClient, name: string): Promise<void> {
  await client.delete(`/apis/apps/v1/namespaces/${namespace}/deployments/${name}`, {
    propagationPolicy: "Background",
  });
  await until(`pods of ${name} gone`, 600_000, async () => {
    const pods = await client.get<{ items: Pod[] }>(`/api/v1/namespaces/${namespace}/pods`, {
      labelSelector: `app=${name}`,
      limit: "1",
    });
    return pods.items.length === 0;
  });
}

async function addNodes(
  kubeconfig: string,
  prefix: string,
  count: number,
  sims: BenchProcess[],
  client: RestClient,
  total: number,
): Promise<number> {
  const t0 = now();
  sims.push(
    await startBosun(
      [
        "simulate",
        "nodes",
        "--count",
        String(count),
        "--prefix",
        prefix,
        "--kubeconfig",
        kubeconfig,
        "--capacity",
        "cpu=32,memory=256Gi,pods=110",
      ],
      [
        ...profileFlags(profDir && join(profDir, "simulator")),
        ...(process.env.BOSUN_BENCH_SIMULATOR_NODE_FLAGS ?? "").split(" ").filter(Boolean),
      ],
    ),
  );
  await waitForReadyNodes(client, total);
  const joined = (now() - t0) / 1000;
  // Settled before measuring: every node has its pod CIDR from the node IPAM controller, and
  // each kubelet, which polls for it at doubling intervals up to 10 s, has seen it (else ~4,000
  // of those GETs and the IPAM's patches fall into the first rollout's window).
  await until("pod CIDRs", 120_000, async () => {
    const nodes = await client.get<{ items: Node[] }>("/api/v1/nodes");
    return nodes.items.filter((n) => n.spec?.podCIDR).length >= total;
  });
  await sleep(10_000);
  return joined;
}

/** p50/p99 of `op` run `samples` times, `concurrency` at a time. */
async function latency(samples: number, concurrency: number, op: (i: number) => Promise<unknown>) {
  const times: number[] = [];
  let next = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < samples) {
        const i = next++;
        const t = now();
        try {
          await op(i);
          times.push(now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  return { ...summarize(times), errors };
}

async function apiUnderLoad(client: RestClient, pods: string[]) {
  const cms = `/api/v1/namespaces/${namespace}/configmaps`;
  const rows: Array<Array<string | number>> = [];
  const add = (name: string, r: Awaited<ReturnType<typeof latency>>) =>
    rows.push([name, r.p50, r.p99, r.max, r.errors]);
  add(
    "get pod",
    await latency(1000, 8, (i) =>
      client.get(`/api/v1/namespaces/${namespace}/pods/${pods[(i * 7919) % pods.length]}`),
    ),
  );
  add(
    "list pods (limit 500)",
    await latency(100, 4, () =>
      client.get(`/api/v1/namespaces/${namespace}/pods`, { limit: "500" }),
    ),
  );
  add(
    "list pods of one node",
    await latency(200, 4, (i) =>
      client.get("/api/v1/pods", {
        fieldSelector: `spec.nodeName=sim-b-${i % (allNodes - firstNodes)}`,
      }),
    ),
  );
  add("list nodes (all)", await latency(20, 2, () => client.get("/api/v1/nodes")));
  add(
    "create configmap",
    await latency(1000, 8, (i) =>
      client.create(cms, { metadata: { name: `cm-${i}` }, data: { n: String(i) } }),
    ),
  );
  add(
    "update configmap",
    await latency(1000, 8, async (i) => {
      const path = `${cms}/cm-${i}`;
      const cm = await client.get<Record<string, unknown>>(path);
      const t = now();
      await client.update(path, { ...cm, data: { n: `${i}-updated` } });
      return now() - t;
    }),
  );
  add(
    "patch pod label",
    await latency(1000, 8, (i) =>
      client.patch(
        `/api/v1/namespaces/${namespace}/pods/${pods[(i * 104_729) % pods.length]}`,
        "merge",
        {
          metadata: { labels: { touched: String(i) } },
        },
      ),
    ),
  );
  console.log(
    `\nAPI latency with ${allNodes} nodes and ${pods.length} pods (ms; update includes its GET):\n`,
  );
  printTable(["operation", "p50", "p99", "max", "errors"], rows);
}

/** Lease renewals and all store writes per second over `seconds`. */
/**
 * Waits (up to 2 minutes) until writes other than the nodes' own heartbeats (Leases, node
 * status) come at fewer than 2 a second, and says what it waited for.
 */
async function settleWrites(client: RestClient): Promise<void> {
  const t0 = now();
  const waitedFor = new Map<string, number>();
  for (let i = 0; i < 24; i++) {
    const before = await requestCounts(client);
    await sleep(5_000);
    const after = await requestCounts(client);
    let writes = 0;
    for (const [key, n] of after) {
      const [verb = "", resource = ""] = key.split(" ");
      if (!/^(create|update|patch|delete)$/.test(verb)) continue;
      if (resource === "leases" || resource.startsWith("nodes")) continue;
      const d = n - (before.get(key) ?? 0);
      writes += d;
      if (d > 0) waitedFor.set(key, (waitedFor.get(key) ?? 0) + d);
    }
    if (writes < 10) break;
  }
  const seconds = (now() - t0) / 1000;
  if (seconds > 6) {
    const top = [...waitedFor].sort((a, b) => b[1] - a[1]).slice(0, 3);
    console.log(
      `(waited ${seconds.toFixed(0)} s for earlier writes to settle: ${top.map(([k, n]) => `${n} ${k}`).join(", ")})`,
    );
  }
}

async function writeLoad(client: RestClient, seconds: number) {
  const revision = async () =>
    Number(
      (
        await client.get<{ metadata: { resourceVersion: string } }>("/api/v1/configmaps", {
          limit: "1",
        })
      ).metadata.resourceVersion,
    );
  const abort = new AbortController();
  let leases = 0;
  const r0 = await revision();
  const watching = (async () => {
    for await (const ev of client.watch(
      "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
      {},
      abort.signal,
    )) {
      if (ev.type === "MODIFIED") leases++;
    }
  })().catch(() => undefined);
  await sleep(seconds * 1000);
  abort.abort();
  await watching;
  const writes = (await revision()) - r0;
  return { leasesPerSecond: leases / seconds, writesPerSecond: writes / seconds };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bosun-scale-"));
  const port = await freePort();
  const server = await startBosun(
    // A cluster CIDR with a /24 for each of 5,000 nodes (the default /16 has 256), as a cluster
    // this size would be set up; nodes without one keep asking for it.
    [
      "server",
      "--data-dir",
      dir,
      "--https-port",
      String(port),
      "--disable-agent",
      "--cluster-cidr",
      "10.128.0.0/11",
    ],
    [...profileFlags(profDir), ...serverNodeFlags],
  );
  const sims: BenchProcess[] = [];
  const kubeconfig = join(dir, "admin.kubeconfig");
  let aloneWindow: { fromUs: number; toUs: number } | undefined;
  try {
    await until("server ready", 60_000, async () => existsSync(kubeconfig));
    const client = new RestClient(configFromKubeconfig(kubeconfig, "bosun-bench"));
    await until("API answers", 60_000, () =>
      client.get("/version").then(
        () => true,
        () => false,
      ),
    );
    await client.create("/api/v1/namespaces", { metadata: { name: namespace } });
    await until("default service account", 30_000, () =>
      client.get(`/api/v1/namespaces/${namespace}/serviceaccounts/default`).then(
        () => true,
        () => false,
      ),
    );

    const rows: Array<Array<string | number>> = [];
    if (only === "alone" || only === "rollout") {
      const joined = await addNodes(kubeconfig, "sim-", allNodes, sims, client, allNodes);
      console.log(`${allNodes} simulated nodes Ready in ${joined.toFixed(1)} s`);
      if (only === "alone") aloneWindow = await schedulerAlone(client, rows, server, sims);
      else {
        const usage0 = cpuOf(server, sims);
        const requests0 = await requestCounts(client);
        const r = await rollout(client, "web", perDeployment);
        printCpu("rollout", r, usage0, cpuOf(server, sims));
        printRequestsPerPod(requests0, await requestCounts(client), r.pods);
        rows.push([
          String(allNodes),
          r.pods,
          r.createdSeconds,
          r.boundSeconds,
          r.runningSeconds,
          r.bindRate,
          r.maxBacklog,
        ]);
        aloneWindow = r.bindWindow;
      }
      printRollouts(rows);
      client.close();
      return;
    }
    const join100 = await addNodes(kubeconfig, "sim-a-", firstNodes, sims, client, firstNodes);
    console.log(`${firstNodes} simulated nodes Ready in ${join100.toFixed(1)} s`);
    const at100 = await rollout(client, "web100", perDeployment);
    rows.push([
      String(firstNodes),
      at100.pods,
      at100.createdSeconds,
      at100.boundSeconds,
      at100.runningSeconds,
      at100.bindRate,
      at100.maxBacklog,
    ]);
    await deleteDeployment(client, "web100");

    const join900 = await addNodes(
      kubeconfig,
      "sim-b-",
      allNodes - firstNodes,
      sims,
      client,
      allNodes,
    );
    console.log(`${allNodes - firstNodes} more simulated nodes Ready in ${join900.toFixed(1)} s`);
    const rates: number[] = [];
    for (let i = 1; i <= rolloutsAt1000; i++) {
      const name = `web1000-${i}`;
      const at1000 = await rollout(client, name, perDeployment);
      rates.push(at1000.bindRate);
      rows.push([
        rolloutsAt1000 > 1 ? `${allNodes} (run ${i})` : String(allNodes),
        at1000.pods,
        at1000.createdSeconds,
        at1000.boundSeconds,
        at1000.runningSeconds,
        at1000.bindRate,
        at1000.maxBacklog,
      ]);
      // The last one's pods stay: they are part of the 30,000 held below.
      if (i < rolloutsAt1000) await deleteDeployment(client, name);
    }
    aloneWindow = await schedulerAlone(client, rows, server, sims);
    printRollouts(rows);
    if (rolloutsAt1000 > 1) {
      const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
      console.log(
        `\nA Deployment at ${allNodes} nodes, ${rolloutsAt1000} runs: median ${fmt(median(rates))} binds/s (${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))})`,
      );
    }

    await rollout(client, "hold-2", perDeployment);
    // What rollouts and deletions leave behind (queued events, statuses settling) is written for a
    // while after their pods run or go: let it pass before measuring the steady state.
    await sleep(20_000);
    await settleWrites(client);
    const cpu0 = usage(server.pid);
    const t0 = now();
    const load = await writeLoad(client, 20);
    const cpu1 = usage(server.pid);
    const idleCpu = (cpu1.cpuSeconds - cpu0.cpuSeconds) / ((now() - t0) / 1000);
    const pods = (
      await client.get<{ items: Pod[] }>(`/api/v1/namespaces/${namespace}/pods`, {
        limit: String(3 * perDeployment),
      })
    ).items.map((p) => p.metadata?.name ?? "");
    const a0 = usage(server.pid);
    const ta = now();
    await apiUnderLoad(client, pods);
    const a1 = usage(server.pid);
    const busyCpu = (a1.cpuSeconds - a0.cpuSeconds) / ((now() - ta) / 1000);
    console.log(`\nWith ${allNodes} nodes and ${pods.length.toLocaleString("en-US")} pods:\n`);
    printTable(
      ["figure", "value"],
      [
        ["server RSS MiB", a1.rssMiB],
        ["server CPU (cores) holding steady", idleCpu],
        ["server CPU (cores) during the API test", busyCpu],
        ["simulator RSS MiB (all nodes)", sims.reduce((s, p) => s + usage(p.pid).rssMiB, 0)],
        ["Lease renewals/s", load.leasesPerSecond],
        ["store writes/s (all)", load.writesPerSecond],
      ],
    );

    if (process.env.BOSUN_BENCH_HUGE === "1") await huge(kubeconfig, client, sims, server);
    client.close();
  } finally {
    for (const s of sims) await s.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    // The server has written its profiles on exit.
    if (profDir && aloneWindow) printBusyTime(profDir, aloneWindow);
  }
}

/**
 * The Deployment rolled out with the scheduler held off until every pod exists; its row in
 * `rows`, and the CPU the server and the simulator used until the last bind.
 */
async function schedulerAlone(
  client: RestClient,
  rows: Array<Array<string | number>>,
  server: BenchProcess,
  sims: BenchProcess[],
): Promise<{ fromUs: number; toUs: number }> {
  let before: Usage[] = [];
  const alone = await rollout(client, "hold-1", perDeployment, true, () => {
    before = cpuOf(server, sims);
  });
  const after = cpuOf(server, sims);
  rows.push([
    `${allNodes}, scheduler alone`,
    alone.pods,
    Number.NaN,
    alone.boundSeconds,
    alone.runningSeconds,
    alone.bindRate,
    alone.maxBacklog,
  ]);
  printCpu("scheduler alone, from its release", alone, before, after);
  return alone.bindWindow;
}

/** Usage of the server, the simulators, and last this benchmark itself (the observer). */
const cpuOf = (server: BenchProcess, sims: BenchProcess[]) =>
  [server.pid, ...sims.map((p) => p.pid), process.pid].map(usage);

/** CPU the server and the simulator used between two samples of `cpuOf`, and per pod. */
function printCpu(what: string, r: RolloutFigures, before: Usage[], after: Usage[]): void {
  const used = (part: "cpuSeconds" | "systemSeconds" | "minorFaults") =>
    after.map((c, i) => c[part] - (before[i]?.[part] ?? 0));
  const [server0 = 0, ...sim] = used("cpuSeconds");
  const [serverSys = 0, ...simSys] = used("systemSeconds");
  const observer = sim.pop() ?? 0;
  simSys.pop();
  const simulator = sim.reduce((a, b) => a + b, 0);
  const simulatorSys = simSys.reduce((a, b) => a + b, 0);
  const [serverFaults = 0] = used("minorFaults");
  console.log(
    `${what}, CPU until every pod Running (${r.runningSeconds.toFixed(1)} s): server ${server0.toFixed(1)} s (${serverSys.toFixed(1)} in the kernel, ${Math.round(serverFaults / r.pods)} page faults per pod), simulator ${simulator.toFixed(1)} s (${simulatorSys.toFixed(1)}), per pod ${((1000 * (server0 + simulator)) / r.pods).toFixed(2)} ms`,
  );
  // Near 100%, the machine's cores are the limit: moving work between threads cannot help, only
  // doing less of it.
  const share = (server0 + simulator + observer) / (r.runningSeconds * cpus().length);
  console.log(
    `  with this benchmark's own watch of the pods (${observer.toFixed(1)} s): ${(100 * share).toFixed(0)}% of the machine's ${cpus().length} cores`,
  );
}

function printRollouts(rows: Array<Array<string | number>>): void {
  console.log(
    `\nScheduling a Deployment of ${perDeployment} pods (seconds from the Deployment's creation; "scheduler alone": every pod created while the scheduler's Lease was held, seconds from letting it go):\n`,
  );
  printTable(
    ["nodes", "pods", "all created s", "all bound s", "all Running s", "binds/s", "max backlog"],
    rows,
  );
}

/** The server's threads' busy time by component while the scheduler worked alone. */
function printBusyTime(profDir: string, window: { fromUs: number; toUs: number }): void {
  const { main, workers } = readProfiles(profDir);
  const threads = [
    ...(main ? [["main thread (API server)", main] as const] : []),
    ...workers.map((w) => ["worker thread (controller manager, scheduler)", w] as const),
  ];
  console.log(
    `\nWhile the scheduler worked alone (${((window.toUs - window.fromUs) / 1e6).toFixed(1)} s; monotonic µs ${window.fromUs}-${window.toUs}), busy seconds (10 ms samples; profiles in ${profDir}):\n`,
  );
  for (const [name, profile] of threads) {
    console.log(`${name}:`);
    printTable(
      ["component", "busy s"],
      cpuByComponent(profile, window).map((c) => [c.component, c.seconds]),
    );
  }
}

/** 5,000 nodes and 150,000 pods: reports how far it gets. */
async function huge(
  kubeconfig: string,
  client: RestClient,
  sims: BenchProcess[],
  server: BenchProcess,
) {
  console.log("\nAttempt: 5,000 nodes and 150,000 pods\n");
  try {
    const joined = await addNodes(kubeconfig, "sim-c-", 4000, sims, client, 5000);
    console.log(
      `5,000 nodes Ready after ${joined.toFixed(1)} s; server RSS ${usage(server.pid).rssMiB.toFixed(0)} MiB`,
    );
    for (let i = 0; i < 12; i++) {
      const r = await rollout(client, `huge-${i}`, 10_000);
      const u = usage(server.pid);
      console.log(
        `${(30_000 + (i + 1) * 10_000).toLocaleString("en-US")} pods: last 10,000 Running in ${r.runningSeconds.toFixed(1)} s, ${r.bindRate.toFixed(0)} binds/s, server RSS ${u.rssMiB.toFixed(0)} MiB`,
      );
    }
  } catch (err) {
    console.log(
      `stopped: ${(err as Error).message}; server RSS ${usage(server.pid).rssMiB.toFixed(0)} MiB`,
    );
  }
}
