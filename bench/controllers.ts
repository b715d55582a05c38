/**
 * Controller benchmark (issue 6): one `bosun server` (API server, controller manager and
 * scheduler in one process) with simulated nodes (`bosun simulate nodes`, 100 × 110 pods).
 *
 * 1. A Deployment scaled 0 → 10,000 replicas through the scale subresource: seconds until every
 *    pod exists, is scheduled, is Running, and the Deployment reports them available; then
 *    scaled back to 0 (seconds until every pod is gone). Server and node-process CPU and RSS,
 *    and the server's CPU split by component (sampled with `node --cpu-prof`).
 * 2. Endpoint update latency for a Service with 1,000 endpoints: from a pod's Ready condition
 *    changing (written by the benchmark, which plays the kubelet of those pods' node) to the
 *    EndpointSlice showing it; one pod at a time, then 100 at once.
 *
 * Figures, not pass/fail. `npm run bench -- controllers`; BOSUN_BENCH_SCALE=0.1 for a quick run,
 * BOSUN_BENCH_CPU_PROFILE=0 to run the server without the sampling profiler,
 * BOSUN_BENCH_CPU_PROFILE_OUT=file.cpuprofile to keep the server's profile (Chrome DevTools opens it),
 * BOSUN_BENCH_SERVER_NODE_FLAGS="--max-semi-space-size=32" to try Node/V8 flags on the server.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { Deployment, Pod } from "../src/api/generated/types.ts";
import { configFromKubeconfig, RestClient } from "../src/client/rest-client.ts";
import { freePort } from "../src/storage/testing/etcd-harness.ts";
import { cpuByComponent, monotonicMicros, readProfiles } from "./cpu-profile.ts";
import { measureEndpointLatency } from "./endpoint-latency.ts";
import { type BenchProcess, startBosun, until, usage, waitForReadyNodes } from "./processes.ts";
import { now, printTable } from "./stats.ts";

const scale = Number(process.env.BOSUN_BENCH_SCALE ?? 1);
const replicas = Math.max(100, Math.round(10_000 * scale));
const nodeCount = Math.max(3, Math.round(100 * scale));
const profiling = process.env.BOSUN_BENCH_CPU_PROFILE !== "0";
const ns = "bench";

interface Phase {
  name: string;
  seconds: number;
}

/** Samples a process's RSS every 250 ms; `peak` is the largest seen. */
function rssSampler(pid: number) {
  let peak = usage(pid).rssMiB;
  const timer = setInterval(() => {
    peak = Math.max(peak, usage(pid).rssMiB);
  }, 250);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

function deployment(name: string): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "main", image: "nginx:1.27" }] },
      },
    },
  };
}

/** Scales `name` to `target` and times the stages by watching its pods and the Deployment. */
async function scaleAndWatch(client: RestClient, name: string, target: number): Promise<Phase[]> {
  const abort = new AbortController();
  const exists = new Set<string>();
  const bound = new Set<string>();
  const running = new Set<string>();
  const marks = new Map<string, number>();
  const mark = (what: string) => {
    if (!marks.has(what)) marks.set(what, now());
  };
  const podPath = `/api/v1/namespaces/${ns}/pods`;
  // The pods there already (scaling down), and the revision to watch from.
  const listed = await client.get<{ metadata: { resourceVersion: string }; items: Pod[] }>(
    podPath,
    { labelSelector: `app=${name}` },
  );
  for (const p of listed.items) exists.add(p.metadata?.uid ?? "");
  const rv = listed.metadata.resourceVersion;
  const pods = (async () => {
    for await (const ev of client.watch<Pod>(
      podPath,
      { labelSelector: `app=${name}`, resourceVersion: rv },
      abort.signal,
    )) {
      const uid = ev.object.metadata?.uid ?? "";
      if (ev.type === "DELETED") {
        exists.delete(uid);
        bound.delete(uid);
        running.delete(uid);
      } else if (ev.type === "ADDED" || ev.type === "MODIFIED") {
        exists.add(uid);
        if (ev.object.spec?.nodeName) bound.add(uid);
        if (ev.object.status?.phase === "Running") running.add(uid);
      }
      if (target > 0) {
        if (exists.size === target) mark("all pods exist");
        if (bound.size === target) mark("all scheduled");
        if (running.size === target) mark("all Running");
      } else if (exists.size === 0) mark("all pods gone");
    }
  })().catch((err) => {
    if (!abort.signal.aborted) throw err;
  });
  const t0 = now();
  await client.patch(`/apis/apps/v1/namespaces/${ns}/deployments/${name}/scale`, "merge", {
    spec: { replicas: target },
  });
  await until(`${name} at ${target}`, 900_000, async () => {
    const d = await client.get<Deployment>(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
    const done =
      target > 0
        ? (d.status?.availableReplicas ?? 0) === target && marks.has("all Running")
        : (d.status?.replicas ?? 0) === 0 && marks.has("all pods gone");
    if (done) mark(target > 0 ? "Deployment available" : "Deployment at 0");
    return done;
  });
  abort.abort();
  await pods;
  return [...marks].map(([phase, t]) => ({ name: phase, seconds: (t - t0) / 1000 }));
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bosun-bench-controllers-"));
  const profDir = join(dir, "cpu-profile");
  mkdirSync(profDir);
  const port = await freePort();
  console.log(
    `controllers: ${nodeCount} simulated nodes, Deployment 0 → ${replicas.toLocaleString("en-US")}; ${cpus().length} cores; profiling ${profiling ? "on (10 ms samples)" : "off"}`,
  );
  const server = await startBosun(
    ["server", "--data-dir", dir, "--https-port", String(port), "--disable-agent"],
    [
      ...(process.env.BOSUN_BENCH_SERVER_NODE_FLAGS?.split(" ").filter(Boolean) ?? []),
      ...(profiling
        ? ["--cpu-prof", "--cpu-prof-dir", profDir, "--cpu-prof-interval", "10000"]
        : []),
    ],
  );
  let nodes: BenchProcess | undefined;
  const client = await until("server ready", 60_000, async () => {
    try {
      const c = new RestClient(configFromKubeconfig(join(dir, "admin.kubeconfig"), "bench"));
      await c.get("/version");
      return c;
    } catch {
      return undefined;
    }
  });
  try {
    const kubeconfig = join(dir, "admin.kubeconfig");
    nodes = await startBosun([
      "simulate",
      "nodes",
      "--kubeconfig",
      kubeconfig,
      "--count",
      String(nodeCount),
      "--capacity",
      "pods=110",
    ]);
    await waitForReadyNodes(client, nodeCount);
    await client.create("/api/v1/namespaces", { metadata: { name: ns } });
    await until("default service account", 30_000, () =>
      client.get(`/api/v1/namespaces/${ns}/serviceaccounts/default`).then(
        () => true,
        () => false,
      ),
    );
    await client.create(`/apis/apps/v1/namespaces/${ns}/deployments`, deployment("big"));

    const requestsBefore = await requestCounts(join(dir, "admin.kubeconfig"));
    const before = { server: usage(server.pid), nodes: usage(nodes.pid) };
    const serverRss = rssSampler(server.pid);
    const fromUs = monotonicMicros();
    const up = await scaleAndWatch(client, "big", replicas);
    const afterUp = { server: usage(server.pid), nodes: usage(nodes.pid) };
    const upUs = monotonicMicros();
    const peakRss = serverRss.stop();
    const requestsAfter = await requestCounts(join(dir, "admin.kubeconfig"));
    const down = await scaleAndWatch(client, "big", 0);
    const afterDown = { server: usage(server.pid), nodes: usage(nodes.pid) };
    const downUs = monotonicMicros();

    console.log(`\nDeployment scaled 0 → ${replicas.toLocaleString("en-US")}, then → 0:\n`);
    printTable(
      ["stage", "seconds", "pods/s"],
      [
        ...up.map((p) => [`up: ${p.name}`, p.seconds, replicas / p.seconds]),
        ...down.map((p) => [`down: ${p.name}`, p.seconds, replicas / p.seconds]),
      ],
    );
    console.log();
    printTable(
      ["process", "CPU s (scale up)", "CPU s (scale down)", "RSS MiB before", "peak (up)", "after"],
      [
        [
          "bosun server",
          afterUp.server.cpuSeconds - before.server.cpuSeconds,
          afterDown.server.cpuSeconds - afterUp.server.cpuSeconds,
          before.server.rssMiB,
          peakRss,
          afterDown.server.rssMiB,
        ],
        [
          `simulate nodes (${nodeCount})`,
          afterUp.nodes.cpuSeconds - before.nodes.cpuSeconds,
          afterDown.nodes.cpuSeconds - afterUp.nodes.cpuSeconds,
          before.nodes.rssMiB,
          Number.NaN,
          afterDown.nodes.rssMiB,
        ],
      ],
    );

    console.log(
      "\nAPI requests during the scale up, per pod (the API server's apiserver_request_total):\n",
    );
    printTable(
      ["verb", "resource", "per pod"],
      [...requestsAfter]
        .map(([k, n]) => [k, (n - (requestsBefore.get(k) ?? 0)) / replicas] as const)
        .filter(([, perPod]) => perPod >= 0.01)
        .sort((a, b) => b[1] - a[1])
        .map(([k, perPod]) => [...k.split(" "), perPod]),
    );

    await measureEndpointLatency(client, { namespace: ns, endpoints: Math.min(1000, replicas) });

    await nodes.stop();
    nodes = undefined;
    await server.stop();
    const profiles = profiling ? readProfiles(profDir) : undefined;
    const profile = profiles?.main;
    const keep = process.env.BOSUN_BENCH_CPU_PROFILE_OUT;
    if (profile && keep) {
      writeFileSync(keep, JSON.stringify(profile));
      console.error(`profile windows (µs): scale up ${fromUs}-${upUs}, down ${upUs}-${downUs}`);
    }
    if (profile) {
      const upSplit = cpuByComponent(profile, { fromUs, toUs: upUs });
      const downSplit = new Map(
        cpuByComponent(profile, { fromUs: upUs, toUs: downUs }).map((c) => [
          c.component,
          c.seconds,
        ]),
      );
      const total = upSplit.reduce((sum, c) => sum + c.seconds, 0);
      console.log(
        "\nServer main thread busy time by component (sampled every 10 ms; innermost Bosun frame on the stack;\nwhile other processes hold the cores it exceeds the CPU time above):\n",
      );
      printTable(
        ["component", "busy s (scale up)", "% of up", "busy s (scale down)"],
        upSplit.map((c) => [
          c.component,
          c.seconds,
          (100 * c.seconds) / total,
          downSplit.get(c.component) ?? 0,
        ]),
      );
      for (const worker of profiles?.workers ?? []) {
        const up = cpuByComponent(worker, { fromUs, toUs: upUs });
        const down = new Map(
          cpuByComponent(worker, { fromUs: upUs, toUs: downUs }).map((c) => [
            c.component,
            c.seconds,
          ]),
        );
        console.log(
          "\nServer worker thread (controller manager and scheduler) busy time by component:\n",
        );
        printTable(
          ["component", "busy s (scale up)", "busy s (scale down)"],
          up.map((c) => [c.component, c.seconds, down.get(c.component) ?? 0]),
        );
      }
    }
  } finally {
    client.close();
    await nodes?.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `apiserver_request_total` summed over codes, keyed "verb resource[/subresource]". */
async function requestCounts(kubeconfig: string): Promise<Map<string, number>> {
  const config = configFromKubeconfig(kubeconfig, "bench");
  const text = await new Promise<string>((resolve, reject) => {
    const url = new URL("/metrics", config.server);
    const req = request(
      url,
      { ca: config.caPem, cert: config.certPem, key: config.keyPem, agent: false },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          body += d;
        });
        res.on("end", () => resolve(body));
      },
    );
    req.on("error", reject);
    req.end();
  });
  const counts = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^apiserver_request_total\{(.*)\} (\d+)/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries(
      [...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]),
    );
    if (labels.verb === "watch") continue;
    const resource = labels.subresource
      ? `${labels.resource}/${labels.subresource}`
      : labels.resource;
    const key = `${labels.verb} ${resource}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(m[2]));
  }
  return counts;
}
