/**
 * Local multi-node clusters (issue 9): time from `bosun cluster create --workers N` to every node
 * Ready (create returns then) and to a first pod Running on each worker (one pod pinned to each,
 * created when create returns); the memory of the whole cluster (sum of the RSS of its
 * supervisor, node launchers and every process inside the nodes, containers included); delete.
 * 1 master + 2 and + 5 workers, with the simulated runtime and, as root with containerd, the
 * containerd runtime (images from the offline test archives); and 3 masters + 2 workers.
 * Targets: < 5 s for 1+2, < 10 s for 1+5 and < 15 s for 3+2 to all Ready.
 *
 * Figures, not pass/fail. `npm run bench -- cluster` (root); BOSUN_BENCH_CLUSTER_RUNS=3 repeats
 * each case and reports medians; BOSUN_BENCH_CLUSTER_RUNTIMES=containerd and
 * BOSUN_BENCH_CLUSTER_SHAPES=1+2,1+5 pick cases.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Pod } from "../src/api/generated/types.ts";
import { resourcePath, resources } from "../src/client/resources.ts";
import { configFromKubeconfig, RestClient } from "../src/client/rest-client.ts";
import { clusterPids } from "../src/cluster/nodes.ts";
import { readCluster } from "../src/cluster/state.ts";
import { buildTestImages } from "../test/images/build.ts";
import { until } from "./processes.ts";
import { median, now, printTable } from "./stats.ts";

const bosun = fileURLToPath(new URL("../bin/bosun.js", import.meta.url));
const runs = Math.max(1, Number(process.env.BOSUN_BENCH_CLUSTER_RUNS ?? 1));

interface Sample {
  readyS: number;
  controlPlaneS: number;
  podsS: number;
  rssMiB: number;
  processes: number;
  deleteMs: number;
}

function cli(args: string[], stateDir: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bosun, "cluster", ...args, "--state-dir", stateDir], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("close", (code) => resolve({ code: code ?? 1, stderr }));
  });
}

function rssMiB(pids: readonly number[]): number {
  let kib = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      kib += Number(m?.[1] ?? 0);
    } catch {
      // Exited meanwhile.
    }
  }
  return kib / 1024;
}

function pinnedPod(name: string, node: string, runtime: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { bench: "cluster" } },
    spec: {
      nodeName: node,
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: "app",
          image: "busybox:1.36",
          imagePullPolicy: "IfNotPresent",
          command:
            runtime === "containerd" ? ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"] : [],
        },
      ],
    },
  };
}

async function oneRun(
  runtime: string,
  masters: number,
  workers: number,
  images: string | undefined,
) {
  const stateDir = mkdtempSync(join(tmpdir(), "bosun-bench-cluster-"));
  const name = `bench${masters}m${workers}`;
  try {
    const started = now();
    const created = await cli(
      [
        "create",
        "--name",
        name,
        "--masters",
        String(masters),
        "--workers",
        String(workers),
        "--runtime",
        runtime,
        ...(images ? ["--images", images] : []),
      ],
      stateDir,
    );
    const readyS = (now() - started) / 1000;
    if (created.code !== 0) throw new Error(`create failed:\n${created.stderr}`);
    const controlPlaneS = Number(
      /control plane ready .*\((\d+\.\d+) s\)/.exec(created.stderr)?.[1],
    );
    const cluster = readCluster(stateDir, name)!;
    const client = new RestClient(
      configFromKubeconfig(join(stateDir, name, "kubeconfig"), "bench-cluster"),
    );
    const workerNodes = cluster.nodes.filter((n) => n.role === "worker").map((n) => n.name);
    for (const node of workerNodes) {
      await client.create(
        resourcePath(resources.pods, "default"),
        pinnedPod(`first-${node}`, node, runtime),
      );
    }
    await until("a pod Running on every worker", 120_000, async () => {
      const list = await client
        .get<{ items: Pod[] }>(resourcePath(resources.pods, "default"), {
          labelSelector: "bench=cluster",
        })
        .catch(() => ({ items: [] as Pod[] }));
      const running = list.items.filter((p) => p.status?.phase === "Running");
      return running.length === workerNodes.length;
    });
    const podsS = (now() - started) / 1000;
    client.close();
    const pids = clusterPids(cluster);
    const sample: Sample = {
      readyS,
      controlPlaneS,
      podsS,
      rssMiB: rssMiB(pids),
      processes: pids.length,
      deleteMs: 0,
    };
    const deleting = now();
    const deleted = await cli(["delete", name], stateDir);
    if (deleted.code !== 0) throw new Error(`delete failed:\n${deleted.stderr}`);
    sample.deleteMs = now() - deleting;
    return sample;
  } catch (err) {
    await cli(["delete", name], stateDir);
    throw err;
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function offlineImages(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "bosun-bench-cluster-images-"));
  for (const image of await buildTestImages({ only: ["busybox"] })) {
    symlinkSync(image.archive, join(dir, basename(image.archive)));
  }
  return dir;
}

export async function run(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log("skipped: local clusters need root");
    return;
  }
  const only = (name: string) => process.env[name]?.split(",").filter(Boolean);
  const runtimes = [
    "simulated",
    ...(existsSync("/usr/bin/containerd") ? ["containerd"] : []),
  ].filter((r) => only("BOSUN_BENCH_CLUSTER_RUNTIMES")?.includes(r) ?? true);
  const images = runtimes.includes("containerd") ? await offlineImages() : undefined;
  const rows: Array<Array<string | number>> = [];
  try {
    for (const runtime of runtimes) {
      // Three masters: issue 11's target is < 15 s to all Ready.
      const shapes = [
        [1, 2],
        [1, 5],
        [3, 2],
      ].filter(([m, w]) => only("BOSUN_BENCH_CLUSTER_SHAPES")?.includes(`${m}+${w}`) ?? true);
      for (const [masters, workers] of shapes as [number, number][]) {
        const samples: Sample[] = [];
        for (let i = 0; i < runs; i++) {
          samples.push(
            await oneRun(runtime, masters, workers, runtime === "containerd" ? images : undefined),
          );
        }
        const m = (f: (s: Sample) => number) => median(samples.map(f));
        rows.push([
          runtime,
          `${masters}+${workers}`,
          m((s) => s.controlPlaneS),
          m((s) => s.readyS),
          m((s) => s.podsS),
          m((s) => s.rssMiB),
          m((s) => s.processes),
          m((s) => s.deleteMs),
        ]);
      }
    }
  } finally {
    if (images) rmSync(images, { recursive: true, force: true });
  }
  console.log(
    `median of ${runs} run(s) per case; times from the start of "bosun cluster create"\n`,
  );
  printTable(
    [
      "runtime",
      "nodes",
      "API ready s",
      "all Ready s",
      "pod on each worker s",
      "RSS MiB",
      "processes",
      "delete ms",
    ],
    rows,
  );
}
