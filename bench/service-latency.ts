/**
 * ClusterIP versus pod IP inside a real cluster (issue 10): `bosun cluster create --runtime
 * containerd --workers 2`, an echo pod (busybox httpd) on worker2 behind a ClusterIP Service, and
 * clients on worker1: the node itself (its network namespace) and a pod (its sandbox's network
 * namespace, entered through a host PID of the pod's cgroup). Each exchange is connect + GET +
 * answer + close; paths alternate in batches so load on the shared cores hits them alike.
 * The overhead of the ClusterIP should be within noise, as with upstream's nftables mode.
 * Then from the host: through worker1's NodePort and its ingress controller to the pod, against
 * worker1 reaching the pod directly (latency one at a time, requests/s with 32 in flight).
 *
 * Root with containerd; `npm run bench -- service-latency`. BENCH_SERVICE_CONNECTS (default
 * 2000) sets exchanges per path.
 */
import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { rootSkip, TestCluster } from "../test/e2e/lib/cluster.ts";
import { buildTestImages } from "../test/images/build.ts";
import { printTable, summarize } from "./stats.ts";

const exec = promisify(execFile);
const connects = Number(process.env.BENCH_SERVICE_CONNECTS ?? 2000);
const batches = 4;

const clientScript = `
const net = require("node:net");
const [host, port, count, inFlight] = process.argv.slice(1);
const ms = []; let errors = 0; let left = Number(count);
const once = () => new Promise((resolve) => {
  const t0 = performance.now();
  let data = "";
  const s = net.connect({ host, port: Number(port) }, () => s.write("GET / HTTP/1.0\\r\\nHost: echo.bench\\r\\n\\r\\n"));
  s.setTimeout(2000, () => { s.destroy(); errors++; resolve(); });
  s.on("data", (d) => (data += d));
  s.on("end", () => { if (data.includes("200 OK")) ms.push(performance.now() - t0); else errors++; resolve(); });
  s.on("error", () => { errors++; resolve(); });
});
const loop = async () => { while (left-- > 0) await once(); };
(async () => {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Number(inFlight) }, loop));
  process.stdout.write(JSON.stringify({ ms, errors, elapsedMs: performance.now() - t0 }));
})();`;

/** `count` exchanges with `host:port` from the network namespace at `netPath`, `inFlight` at once. */
async function exchanges(
  netPath: string,
  [host, port]: readonly [string, number],
  count: number,
  inFlight = 1,
) {
  const args = [host, String(port), String(count), String(inFlight)];
  const { stdout } = await exec(
    "nsenter",
    [`--net=${netPath}`, process.execPath, "-e", clientScript, ...args],
    { maxBuffer: 64 << 20 },
  );
  return JSON.parse(stdout) as { ms: number[]; errors: number; elapsedMs: number };
}

/** A host PID in the pod's cgroup (every process of a pod shares its network namespace). */
function podPid(uid: string): number {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cgroup`, "utf8").includes(`pod${uid}`)) return Number(entry);
    } catch {
      // The process ended meanwhile.
    }
  }
  throw new Error(`no process of pod ${uid} found`);
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const nodeIP = (n: Record<string, any>) =>
  n.status.addresses.find((a: { type: string }) => a.type === "InternalIP").address as string;

/**
 * From the host, which reaches pods only through a node: the NodePort and the ingress on worker1
 * to the pod on worker2, against worker1 itself reaching the pod directly; one at a time
 * (latency) and 32 in flight (requests/s).
 */
async function fromTheHost(o: {
  worker1: string;
  nodePort: number;
  direct: readonly [string, number];
  worker1Netns: string;
}): Promise<void> {
  const host = `/proc/${process.pid}/ns/net`; // This process is in the host's.
  const paths: Array<[string, string, readonly [string, number]]> = [
    ["worker1 node → pod IP on worker2 (baseline)", o.worker1Netns, o.direct],
    ["host → NodePort on worker1 → pod on worker2", host, [o.worker1, o.nodePort]],
    ["host → ingress on worker1 → pod on worker2", host, [o.worker1, 80]],
  ];
  await until("the ingress answering", async () => {
    const r = await exchanges(host, [o.worker1, 80], 1);
    return r.ms.length === 1 ? true : undefined;
  });
  const rows: Array<Array<string | number>> = [];
  for (const [label, netPath, target] of paths) {
    await exchanges(netPath, target, 50); // Warm-up.
    const one = await exchanges(netPath, target, 1000);
    const many = await exchanges(netPath, target, 5000, 32);
    const s = summarize(one.ms);
    const rps = Math.round((many.ms.length / many.elapsedMs) * 1000);
    rows.push([label, s.p50.toFixed(2), s.p99.toFixed(2), rps.toLocaleString("en-US")]);
    if (one.errors + many.errors > 0) console.log(`${label}: ${one.errors + many.errors} failed`);
  }
  console.log(
    "\nfrom the host (connect + GET + answer + close; 1,000 one at a time, 5,000 with 32 in flight):\n",
  );
  printTable(["path", "p50 ms", "p99 ms", "requests/s (32 in flight)"], rows);
}

export async function run(): Promise<void> {
  const skip = rootSkip || (existsSync("/usr/bin/containerd") ? false : "needs containerd");
  if (skip) {
    console.log(`service-latency benchmark skipped: ${skip}`);
    return;
  }
  const tmp = mkdtempSync(join(tmpdir(), "bosun-bench-svc-"));
  const images = join(tmp, "images");
  mkdirSync(images);
  for (const image of await buildTestImages({ only: ["busybox"] })) {
    symlinkSync(image.archive, join(images, basename(image.archive)));
  }
  let c: TestCluster | undefined;
  try {
    c = await TestCluster.create("svclat", {
      workers: 2,
      runtime: "containerd",
      args: ["--images", images],
    });
    const cluster = c;
    const node = (role: string) => `${cluster.name}-${role}`;
    const pinned = (name: string, role: string, script: string) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, labels: { app: name } },
      spec: {
        nodeName: node(role),
        containers: [{ name: "c", image: "busybox:1", command: ["sh", "-c", script] }],
      },
    });
    const manifest = [
      pinned(
        "echo",
        "worker2",
        "mkdir -p /www && echo hi > /www/index.html && exec httpd -f -p 8080 -h /www",
      ),
      pinned("client", "worker1", "exec sleep 3600"),
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "echo" },
        spec: {
          type: "NodePort",
          selector: { app: "echo" },
          ports: [{ port: 80, targetPort: 8080 }],
        },
      },
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: "echo" },
        spec: { defaultBackend: { service: { name: "echo", port: { number: 80 } } } },
      },
    ];
    writeFileSync(join(tmp, "app.yaml"), manifest.map((o) => JSON.stringify(o)).join("\n---\n"));
    await c.k("apply", "-f", join(tmp, "app.yaml"));
    const pods = await until("both pods running", async () => {
      const list = (await cluster.json("get", "pods")).items as Record<string, any>[];
      const running = list.filter((p) => p.status.phase === "Running" && p.status.podIP);
      return running.length === 2 ? running : undefined;
    });
    const echo = pods.find((p) => p.metadata.name === "echo")!;
    const client = pods.find((p) => p.metadata.name === "client")!;
    const vip = [(await c.json("get", "svc", "echo")).spec.clusterIP as string, 80] as const;
    const direct = [echo.status.podIP as string, 8080] as const;
    const from = {
      "worker1 node": `/run/netns/bosun-${node("worker1")}`,
      "pod on worker1": `/proc/${podPid(client.metadata.uid)}/ns/net`,
    };
    // The rules and the pod's readiness may trail "Running" a little.
    await until("the ClusterIP answering", async () => {
      const r = await exchanges(from["worker1 node"], vip, 1);
      return r.ms.length === 1 ? true : undefined;
    });
    const per = Math.ceil(connects / batches);
    const rows: Array<Array<string | number>> = [];
    for (const [label, netPath] of Object.entries(from)) {
      await exchanges(netPath, direct, 50); // Warm-up.
      const straight: number[] = [];
      const viaVip: number[] = [];
      let errors = 0;
      for (let b = 0; b < batches; b++) {
        const d = await exchanges(netPath, direct, per);
        const v = await exchanges(netPath, vip, per);
        straight.push(...d.ms);
        viaVip.push(...v.ms);
        errors += d.errors + v.errors;
      }
      for (const [path, ms] of [
        [`${label} → pod IP on worker2`, straight],
        [`${label} → ClusterIP → pod on worker2`, viaVip],
      ] as const) {
        const s = summarize(ms);
        rows.push([path, String(ms.length), s.p50.toFixed(2), s.p99.toFixed(2)]);
      }
      if (errors > 0) console.log(`${label}: ${errors} failed exchanges`);
    }
    console.log(
      `connect + GET + answer + close across nodes, ${per * batches} per path in ${batches} alternating batches:\n`,
    );
    printTable(["exchange (ms)", "n", "p50", "p99"], rows);
    await fromTheHost({
      worker1: nodeIP(await cluster.json("get", "node", node("worker1"))),
      nodePort: (await c.json("get", "svc", "echo")).spec.ports[0].nodePort as number,
      direct,
      worker1Netns: from["worker1 node"],
    });
  } finally {
    await c?.delete();
    rmSync(tmp, { recursive: true, force: true });
  }
}
