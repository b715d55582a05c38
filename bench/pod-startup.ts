/**
 * Pod start-up latency on a real node (issue 8): one `bosun server --disable-agent` and one
 * `bosun agent --runtime containerd` (its own containerd; images imported from archives, so
 * nothing is pulled), measured from the pod's create request to the watch event that shows it
 * Running. 100 pods one at a time, then rounds of 30 created at once; the agent's RSS (without
 * containerd, which is reported apart) with 30 pods running.
 *
 * Figures, not pass/fail. `npm run bench -- pod-startup` (root, containerd installed);
 * BOSUN_BENCH_SCALE=0.2 for a quick run; BOSUN_BENCH_AGENT_ARGS="--disable-proxy" adds agent flags
 * (e.g. to see the kubelet's own memory); BOSUN_BENCH_AGENT_NODE_FLAGS="--max-semi-space-size=1" runs
 * the agent with those Node flags; BOSUN_BENCH_AGENT_SMAPS=file keeps the agent's smaps (per mapping)
 * at the last sample.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import type { Pod } from "../src/api/generated/types.ts";
import { nodeDirs } from "../src/cli/containerd-node.ts";
import { configFromKubeconfig, RestClient } from "../src/client/rest-client.ts";
import { freePort } from "../src/storage/testing/etcd-harness.ts";
import { buildTestImages } from "../test/images/build.ts";
import { measureCriFloor } from "./cri-floor.ts";
import { startBosun, until, usage, waitForReadyNodes } from "./processes.ts";
import { now, printTable, summarize } from "./stats.ts";

const scale = Number(process.env.BOSUN_BENCH_SCALE ?? 1);
const sequentialCount = Math.max(5, Math.round(100 * scale));
const batchSize = 30;
const rounds = Math.max(1, Math.round(3 * scale));
const ns = "default";

function pod(name: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { bench: "pod-startup" } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: "app",
          image: "busybox:1.36",
          imagePullPolicy: "IfNotPresent",
          // Exits on SIGTERM at once, so that clean-up between rounds is quick.
          command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"],
        },
      ],
    },
  };
}

/** Create → Running as seen by a watch, per pod name. */
class RunningWatch {
  readonly seen = new Map<string, number>();
  readonly #stop = new AbortController();
  readonly #waiters = new Map<string, () => void>();

  constructor(client: RestClient) {
    void (async () => {
      const path = `/api/v1/namespaces/${ns}/pods`;
      const list = await client.get<{ metadata: { resourceVersion: string } }>(path);
      const query = { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: false };
      for await (const ev of client.watch<Pod>(path, query, this.#stop.signal)) {
        const p = ev.object;
        const name = p.metadata?.name ?? "";
        if (p.status?.phase === "Running" && !this.seen.has(name)) {
          this.seen.set(name, now());
          this.#waiters.get(name)?.();
        }
      }
    })().catch(() => {});
  }

  running(name: string): Promise<number> {
    const at = this.seen.get(name);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve) => this.#waiters.set(name, () => resolve(this.seen.get(name)!)));
  }

  close(): void {
    this.#stop.abort();
  }
}

async function startOne(client: RestClient, watch: RunningWatch, name: string): Promise<number> {
  const t0 = now();
  await client.create(`/api/v1/namespaces/${ns}/pods`, pod(name));
  return (await watch.running(name)) - t0;
}

async function deleteAll(client: RestClient): Promise<void> {
  await client.request("DELETE", `/api/v1/namespaces/${ns}/pods`, {
    query: { labelSelector: "bench=pod-startup" },
  });
  await until("pods deleted", 300_000, async () => {
    const list = await client.get<{ items: Pod[] }>(`/api/v1/namespaces/${ns}/pods`);
    return list.items.length === 0;
  });
}

function containerdPid(dataDir: string): number | undefined {
  const file = join(nodeDirs(dataDir).run, "containerd.pid");
  return existsSync(file) ? Number(readFileSync(file, "utf8")) : undefined;
}

function shimCount(): number {
  return readdirSync("/proc").filter((p) => {
    if (!/^\d+$/.test(p)) return false;
    try {
      return readFileSync(`/proc/${p}/comm`, "utf8").startsWith("containerd-shim");
    } catch {
      return false;
    }
  }).length;
}

export async function run(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log("pod-startup: needs root (it runs containerd); skipped");
    return;
  }
  console.log(
    `cores: ${availableParallelism()}; sequential: ${sequentialCount} pods; at once: ${rounds} × ${batchSize} pods`,
  );
  const floor = await measureCriFloor({
    sequential: Math.min(sequentialCount, 30),
    parallel: batchSize,
  });
  const dir = mkdtempSync(join(tmpdir(), "bosun-bench-pods-"));
  const nodeData = join(dir, "node");
  const port = await freePort();
  const server = await startBosun([
    "server",
    "--data-dir",
    dir,
    "--https-port",
    String(port),
    "--disable-agent",
  ]);
  let agent: Awaited<ReturnType<typeof startBosun>> | undefined;
  const kubeconfig = join(dir, "admin.kubeconfig");
  try {
    await until("server ready", 60_000, async () => existsSync(kubeconfig));
    const images = join(nodeData, "agent", "images");
    mkdirSync(images, { recursive: true });
    for (const image of await buildTestImages({ only: ["busybox", "registry.k8s.io/pause"] })) {
      copyFileSync(image.archive, join(images, `${image.registryPath}.tar`));
    }
    const client = new RestClient(configFromKubeconfig(kubeconfig, "bench"));
    await until("API", 60_000, () =>
      client.get("/api/v1/namespaces/default").then(
        () => true,
        () => false,
      ),
    );
    const agentStart = now();
    const agentNodeFlags = (process.env.BOSUN_BENCH_AGENT_NODE_FLAGS ?? "")
      .split(" ")
      .filter(Boolean);
    agent = await startBosun(
      [
        "agent",
        "--kubeconfig",
        kubeconfig,
        "--data-dir",
        nodeData,
        "--node-name",
        "bench-node",
        "--runtime",
        "containerd",
        ...(process.env.BOSUN_BENCH_AGENT_ARGS ?? "").split(" ").filter(Boolean),
      ],
      agentNodeFlags,
    );
    await waitForReadyNodes(client, 1);
    const readyMs = now() - agentStart;
    await until("service account", 60_000, () =>
      client.get(`/api/v1/namespaces/${ns}/serviceaccounts/default`).then(
        () => true,
        () => false,
      ),
    );
    const watch = new RunningWatch(client);
    await startOne(client, watch, "warm-up");
    await deleteAll(client);

    const sequential: number[] = [];
    for (let i = 0; i < sequentialCount; i++)
      sequential.push(await startOne(client, watch, `seq-${i}`));
    await deleteAll(client);

    const batch: number[] = [];
    let rss = { agent: usage(0), containerd: 0, shims: 0 };
    for (let r = 0; r < rounds; r++) {
      const names = Array.from({ length: batchSize }, (_, i) => `batch-${r}-${i}`);
      batch.push(...(await Promise.all(names.map((n) => startOne(client, watch, n)))));
      await new Promise((res) => setTimeout(res, 2000)); // let the agent settle before sampling
      const ctd = containerdPid(nodeData);
      // BOSUN_BENCH_AGENT_SMAPS=file keeps the agent's /proc/<pid>/smaps of the last round.
      const smapsOut = process.env.BOSUN_BENCH_AGENT_SMAPS;
      if (smapsOut) writeFileSync(smapsOut, readFileSync(`/proc/${agent.pid}/smaps`));
      rss = {
        agent: usage(agent.pid),
        containerd: ctd ? usage(ctd).rssMiB : Number.NaN,
        shims: shimCount(),
      };
      await deleteAll(client);
    }
    watch.close();
    client.close();

    const row = (name: string, samples: number[]) => {
      const s = summarize(samples);
      return [name, samples.length, s.p50, s.p90, s.p99, s.max];
    };
    printTable(
      ["pods (create → Running, watch), ms", "n", "p50", "p90", "p99", "max"],
      [
        row("one at a time", sequential),
        row(`${batchSize} at once`, batch),
        row("containerd alone, one at a time", floor.sequential),
        row(`containerd alone, ${batchSize} at once`, floor.parallel),
      ],
    );
    console.log(
      "(containerd alone: CRI RunPodSandbox → CreateContainer → StartContainer returned)",
    );
    console.log();
    printTable(
      [
        "with 30 pods running",
        "agent RSS MiB",
        "private",
        "file-backed",
        "agent CPU s (whole run)",
        "containerd RSS MiB",
        "shims",
      ],
      [
        [
          "",
          rss.agent.rssMiB,
          rss.agent.anonMiB,
          rss.agent.fileMiB,
          rss.agent.cpuSeconds,
          rss.containerd,
          rss.shims,
        ],
      ],
    );
    console.log(
      "(private: the agent's heap and allocations; file-backed: pages of the node binary and libraries, shared with every Node process)",
    );
    console.log(
      `\nagent start → node Ready: ${Math.round(readyMs)} ms (containerd start, pause image, archive import, registration)`,
    );
  } finally {
    await agent?.stop();
    await server.stop();
    rmSync(nodeDirs(nodeData).run, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await run();
