/**
 * Logs, exec, cp and port-forward on a real node: one `bosun server` running its own containerd
 * node, images from the local test registry, driven by kubectl 1.34 and, for the protocol's own
 * cost, by a WebSocket v5 client in process. Figures:
 *
 *   exec round trip      `kubectl exec … -- true` (process start included), WebSocket and SPDY;
 *                        an in-process WebSocket v5 exec (API server → kubelet → containerd)
 *   logs                 `kubectl logs` of a 200,000-line container log, and `--tail=10`
 *   cp                   `kubectl cp` of a 32 MiB file into the pod and back
 *   port-forward         nginx serving a 32 MiB file through `kubectl port-forward` (tunnel, SPDY)
 *
 * `npm run bench -- pod-streams` (root, containerd installed). BOSUN_BENCH_SCALE=0.3 for a quick run.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { nodeDirs } from "../src/cli/containerd-node.ts";
import { configFromKubeconfig } from "../src/client/rest-client.ts";
import { freePort } from "../src/storage/testing/etcd-harness.ts";
import { TestRegistry } from "../test/e2e/lib/registry.ts";
import { TestServer } from "../test/e2e/lib/server.ts";
import { now, printTable, summarize } from "./stats.ts";

const scale = Number(process.env.BOSUN_BENCH_SCALE ?? 1);
const execRuns = Math.max(5, Math.round(30 * scale));
const spdy = {
  KUBECTL_REMOTE_COMMAND_WEBSOCKETS: "false",
  KUBECTL_PORT_FORWARD_WEBSOCKETS: "false",
};
const MiB = 1024 * 1024;

async function until<T>(fn: () => Promise<T | undefined | false>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** kubectl with extra environment; fails unless it succeeds. */
async function k(s: TestServer, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const r = await s.kubectl(args, { env });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = now();
  await fn();
  return now() - t;
}

/** One WebSocket v5 exec of `true`, straight to the API server with the admin certificate. */
function wsExec(s: TestServer): Promise<void> {
  const c = configFromKubeconfig(s.kubeconfig);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(
      `wss://127.0.0.1:${s.port}/api/v1/namespaces/default/pods/box/exec?command=true&container=box&stdout=true`,
      ["v5.channel.k8s.io"],
      { ca: c.caPem, cert: c.certPem, key: c.keyPem },
    );
    let status = "";
    ws.on("message", (d: Buffer) => {
      if (d[0] === 3) status += d.subarray(1);
    });
    ws.once("close", () => (status.includes("Success") ? resolve() : reject(new Error(status))));
    ws.once("error", reject);
  });
}

function download(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () => resolve(Buffer.concat(chunks)));
      res.on("error", reject);
    }).once("error", reject);
  });
}

export async function run(): Promise<void> {
  const registry = await TestRegistry.start({
    images: ["nginx", "busybox", "registry.k8s.io/pause"],
  });
  const s = await TestServer.start({
    agent: true,
    args: [...registry.agentArgs(), "--node-name", "bench-streams"],
  });
  const local = mkdtempSync(join(tmpdir(), "bosun-bench-streams-"));
  try {
    await until(async () => (await s.kubectl(["get", "nodes"])).stdout.includes(" Ready"));
    const pods = [
      {
        metadata: { name: "box" },
        spec: {
          containers: [
            { name: "box", image: "busybox", command: ["sh", "-c", "seq 1 200000; sleep 3600"] },
          ],
        },
      },
      { metadata: { name: "web" }, spec: { containers: [{ name: "nginx", image: "nginx" }] } },
    ].map((p) =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        ...p,
        spec: { terminationGracePeriodSeconds: 1, ...p.spec },
      }),
    );
    await s.kubectl(["create", "-f", "-"], { input: pods.join("\n") });
    await s.k("wait", "--for=condition=Ready", "pod/box", "pod/web", "--timeout=120s");
    await until(async () => (await s.kubectl(["logs", "box", "--tail=1"])).stdout === "200000\n");

    const rows: Array<Array<string | number>> = [];
    for (const [label, env] of [
      ["kubectl exec -- true (WebSocket)", {}],
      ["kubectl exec -- true (SPDY)", spdy],
    ] as const) {
      const samples: number[] = [];
      for (let i = 0; i < execRuns; i++)
        samples.push(await timed(() => k(s, ["exec", "box", "--", "true"], env)));
      const st = summarize(samples);
      rows.push([label, execRuns, st.p50, st.p90, st.max]);
    }
    const direct: number[] = [];
    for (let i = 0; i < execRuns; i++) direct.push(await timed(() => wsExec(s)));
    const ds = summarize(direct);
    rows.push(["WebSocket v5 exec in process", execRuns, ds.p50, ds.p90, ds.max]);
    const kubectlStart: number[] = [];
    for (let i = 0; i < 5; i++)
      kubectlStart.push(await timed(() => s.kubectl(["version", "--client"])));
    const ks = summarize(kubectlStart);
    rows.push(["(kubectl version --client)", 5, ks.p50, ks.p90, ks.max]);
    printTable(["exec round trip", "runs", "p50 ms", "p90 ms", "max ms"], rows);

    const throughput: Array<Array<string | number>> = [];
    let logBytes = 0;
    const logMs = await timed(async () => {
      logBytes = Buffer.byteLength((await s.kubectl(["logs", "box"])).stdout);
    });
    throughput.push([
      "kubectl logs (200,000 lines)",
      logBytes / MiB,
      logMs,
      logBytes / MiB / (logMs / 1000),
    ]);
    const tailMs = await timed(() => s.kubectl(["logs", "box", "--tail=10"]));
    throughput.push(["kubectl logs --tail=10 (same log)", 0, tailMs, Number.NaN]);

    const file = join(local, "blob");
    const blob = randomBytes(32 * MiB);
    writeFileSync(file, blob);
    for (const [label, env] of [
      ["WebSocket", {}],
      ["SPDY", spdy],
    ] as const) {
      const up = await timed(() => k(s, ["cp", file, "box:/tmp/blob"], env));
      throughput.push([`kubectl cp into the pod (${label})`, 32, up, 32 / (up / 1000)]);
      const back = join(local, `back-${label}`);
      const down = await timed(() => k(s, ["cp", "box:/tmp/blob", back], env));
      throughput.push([`kubectl cp out of the pod (${label})`, 32, down, 32 / (down / 1000)]);
      if (!readFileSync(back).equals(blob)) throw new Error("cp changed the file");
    }
    await k(s, ["cp", file, "web:/usr/share/nginx/html/blob"], {});
    const digest = createHash("sha256").update(blob).digest("hex");
    for (const [label, env] of [
      ["tunnel", {}],
      ["SPDY", spdy],
    ] as const) {
      const port = await freePort();
      const pf = spawn(
        s.kubectlBin,
        ["--kubeconfig", s.kubeconfig, "port-forward", "pod/web", `${port}:80`],
        {
          env: { ...process.env, KUBECONFIG: "", HOME: s.dataDir, ...env },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let out = "";
      pf.stdout.on("data", (d: Buffer) => (out += d));
      await until(async () => out.includes("Forwarding from"), 20_000);
      await download(`http://127.0.0.1:${port}/`);
      const samples: number[] = [];
      for (let i = 0; i < 3; i++) {
        let body: Buffer = Buffer.alloc(0);
        samples.push(
          await timed(async () => (body = await download(`http://127.0.0.1:${port}/blob`))),
        );
        if (createHash("sha256").update(body).digest("hex") !== digest)
          throw new Error("port-forward changed the file");
      }
      const best = Math.min(...samples);
      throughput.push([
        `port-forward GET 32 MiB (${label}, best of 3)`,
        32,
        best,
        32 / (best / 1000),
      ]);
      pf.kill("SIGINT");
    }
    console.log("");
    printTable(["transfer", "MiB", "ms", "MiB/s"], throughput);
  } finally {
    await s.kubectl([
      "delete",
      "pods",
      "--all",
      "--grace-period=1",
      "--wait=true",
      "--timeout=60s",
    ]);
    const run = nodeDirs(s.dataDir).run;
    await s.dispose();
    await registry.stop();
    rmSync(local, { recursive: true, force: true });
    rmSync(run, { recursive: true, force: true }); // containerd's state dir (tmpfs), empty by now
  }
}
