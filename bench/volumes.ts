/**
 * Volume benchmark: one `bosun server` with simulated nodes (`bosun simulate nodes`, 10) and a
 * StatefulSet of 200 replicas (Parallel) with a volumeClaimTemplate of the default local-path
 * class. Seconds until every claim exists, is Bound and every pod Running; per claim, the time
 * from the scheduler choosing its node (`volume.kubernetes.io/selected-node`) to Bound
 * (provisioning hand-off, local-path provisioner, binding: p50/p99, from one watch); then,
 * after scaling to 0 and deleting the claims, seconds until every volume is gone. Server CPU
 * seconds and RSS.
 *
 * Figures, not pass/fail. `npm run bench -- volumes`; BOSUN_BENCH_SCALE=0.25 for a quick run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PersistentVolumeClaim } from "../src/api/generated/types.ts";
import { configFromKubeconfig, RestClient } from "../src/client/rest-client.ts";
import { freePort } from "../src/storage/testing/etcd-harness.ts";
import { startBosun, until, usage, waitForReadyNodes } from "./processes.ts";
import { now, printTable, summarize } from "./stats.ts";

const scale = Number(process.env.BOSUN_BENCH_SCALE ?? 1);
const replicas = Math.max(20, Math.round(200 * scale));
const nodeCount = 10;
const ns = "bench-volumes";

const statefulSet = {
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "db" },
  spec: {
    replicas,
    serviceName: "db",
    podManagementPolicy: "Parallel",
    selector: { matchLabels: { app: "db" } },
    template: {
      metadata: { labels: { app: "db" } },
      spec: { containers: [{ name: "db", image: "busybox:1.36" }] },
    },
    volumeClaimTemplates: [
      {
        metadata: { name: "data" },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
      },
    ],
  },
};

/** Watches claims, stamping when each first has a selected node and when it is first Bound. */
function watchClaims(client: RestClient, signal: AbortSignal) {
  const selected = new Map<string, number>();
  const bound = new Map<string, number>();
  void (async () => {
    const path = `/api/v1/namespaces/${ns}/persistentvolumeclaims`;
    for await (const ev of client.watch<PersistentVolumeClaim>(path, {}, signal)) {
      const name = ev.object.metadata?.name ?? "";
      const t = now();
      if (ev.object.metadata?.annotations?.["volume.kubernetes.io/selected-node"]) {
        if (!selected.has(name)) selected.set(name, t);
      }
      if (ev.object.status?.phase === "Bound" && !bound.has(name)) bound.set(name, t);
    }
  })().catch(() => {});
  return { selected, bound };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bosun-bench-volumes-"));
  const port = await freePort();
  const server = await startBosun([
    "server",
    "--data-dir",
    dir,
    "--https-port",
    String(port),
    "--disable-agent",
  ]);
  const client = await until("server ready", 60_000, async () => {
    try {
      const c = new RestClient(configFromKubeconfig(join(dir, "admin.kubeconfig"), "bench"));
      await c.get("/version");
      return c;
    } catch {
      return undefined;
    }
  });
  const kubeconfig = join(dir, "admin.kubeconfig");
  const nodes = await startBosun([
    "simulate",
    "nodes",
    "--kubeconfig",
    kubeconfig,
    "--count",
    String(nodeCount),
  ]);
  const abort = new AbortController();
  try {
    await waitForReadyNodes(client, nodeCount);
    await client.create("/api/v1/namespaces", { metadata: { name: ns } });
    const claims = watchClaims(client, abort.signal);
    const cpu0 = usage(server.pid).cpuSeconds;
    const t0 = now();
    await client.create(`/apis/apps/v1/namespaces/${ns}/statefulsets`, statefulSet);
    const list = <T>(what: string) =>
      client.get<{ items: T[] }>(`/api/v1/namespaces/${ns}/${what}`).then((l) => l.items);
    await until(
      "claims created",
      300_000,
      async () => (await list("persistentvolumeclaims")).length >= replicas,
    );
    const created = (now() - t0) / 1000;
    await until("claims bound", 300_000, async () => claims.bound.size >= replicas);
    const allBound = (now() - t0) / 1000;
    await until(
      "pods running",
      300_000,
      async () =>
        (await list<{ status?: { phase?: string } }>("pods")).filter(
          (p) => p.status?.phase === "Running",
        ).length >= replicas,
    );
    const allRunning = (now() - t0) / 1000;
    const cpuUp = usage(server.pid).cpuSeconds - cpu0;
    const latencies = [...claims.bound].flatMap(([name, t]) => {
      const s = claims.selected.get(name);
      return s === undefined ? [] : [t - s];
    });
    const lat = summarize(latencies.sort((a, b) => a - b));

    const t1 = now();
    await client.patch(`/apis/apps/v1/namespaces/${ns}/statefulsets/db`, "merge", {
      spec: { replicas: 0 },
    });
    await until("pods gone", 300_000, async () => (await list("pods")).length === 0);
    await client.delete(`/api/v1/namespaces/${ns}/persistentvolumeclaims`);
    await until(
      "volumes gone",
      300_000,
      async () =>
        (await client.get<{ items: unknown[] }>("/api/v1/persistentvolumes")).items.length === 0,
    );
    const allGone = (now() - t1) / 1000;
    printTable(
      ["figure", "value"],
      [
        ["nodes / replicas", `${nodeCount} / ${replicas}`],
        ["claims created (s)", created.toFixed(2)],
        ["claims Bound (s)", allBound.toFixed(2)],
        ["pods Running (s)", allRunning.toFixed(2)],
        ["selected-node → Bound p50 (ms)", lat.p50.toFixed(1)],
        ["selected-node → Bound p99 (ms)", lat.p99.toFixed(1)],
        ["scale to 0 + delete claims → volumes gone (s)", allGone.toFixed(2)],
        ["server CPU during scale-up (s)", cpuUp.toFixed(2)],
        ["server RSS (MiB)", usage(server.pid).rssMiB.toFixed(0)],
      ],
    );
  } finally {
    abort.abort();
    await nodes.stop();
    await server.stop();
    client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await run();
