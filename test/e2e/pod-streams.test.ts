/**
 * Logs, exec, attach, cp and port-forward with real kubectl against a single-node cluster on
 * containerd: kubectl → API server (pods/log, pods/exec, …) → kubelet server → containerd's
 * streaming server. kubectl 1.34 speaks WebSocket (v5 for exec, tunnelled SPDY for port-forward);
 * the same commands run again over the SPDY/3.1 fallback and with kubectl 1.32.
 *
 * Needs root and the packages of scripts/install-deps (containerd, runc, CNI plugins, ...).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { nodeDirs } from "../../src/cli/containerd-node.ts";
import { configFromKubeconfig } from "../../src/client/rest-client.ts";
import { freePort } from "../../src/storage/testing/etcd-harness.ts";
import { TestRegistry } from "./lib/registry.ts";
import { run, TestServer } from "./lib/server.ts";
import { kubectlPath } from "./lib/tools.ts";
import { httpGet, until } from "./lib/wait.ts";

const canRun = process.getuid?.() === 0 && existsSync("/usr/bin/containerd");
const nodeName = "streams-node";
const spdy = {
  KUBECTL_REMOTE_COMMAND_WEBSOCKETS: "false",
  KUBECTL_PORT_FORWARD_WEBSOCKETS: "false",
};

/** A long-running kubectl (logs -f, attach, port-forward) whose output is collected. */
function background(
  s: TestServer,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  bin = s.kubectlBin,
) {
  const child: ChildProcess = spawn(bin, ["--kubeconfig", s.kubeconfig, ...args], {
    env: { ...process.env, KUBECONFIG: "", HOME: s.dataDir, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  return {
    output: () => out,
    /** How the command ended, or undefined while it runs. */
    exit: () =>
      child.exitCode !== null || child.signalCode !== null
        ? `${child.exitCode ?? child.signalCode}`
        : undefined,
    async stop(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGINT");
      await exited;
    },
  };
}

/** Kills this node's leftover shims and unmounts what is left below its directories. */
async function forceClean(dataDir: string, d: ReturnType<typeof nodeDirs>): Promise<void> {
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(d.socket))
        process.kill(Number(pid), "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  const mounts = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4] ?? "")
    .filter((m) => m.startsWith(`${dataDir}/`) || m.startsWith(`${d.run}/`));
  for (const m of mounts.reverse()) await run("umount", ["-l", m]);
}

const podLogsDir = (s: TestServer) => nodeDirs(s.dataDir).podLogs;

const ticker = "i=0; while true; do echo tick $i; echo err $i >&2; i=$((i+1)); sleep 1; done";

describe("logs, exec, attach, cp and port-forward", {
  skip: canRun ? false : "needs root and containerd",
}, () => {
  let registry: TestRegistry;
  let s: TestServer;
  let dirs: ReturnType<typeof nodeDirs>;
  const local = mkdtempSync(join(tmpdir(), "bosun-streams-"));

  before(
    async () => {
      const t0 = performance.now();
      registry = await TestRegistry.start({
        images: ["nginx", "busybox", "registry.k8s.io/pause"],
      });
      s = await TestServer.start({
        agent: true,
        args: [
          ...registry.agentArgs(),
          "--node-name",
          nodeName,
          // Small, quickly checked logs, so that rotation happens within the test.
          "--container-log-max-size",
          "64Ki",
          "--container-log-max-files",
          "3",
          "--container-log-monitor-interval",
          "500ms",
        ],
      });
      dirs = nodeDirs(s.dataDir);
      await until("the node to be Ready", async () =>
        (await s.json("get", "node", nodeName)).status.conditions.some(
          (c: { type: string; status: string }) => c.type === "Ready" && c.status === "True",
        ),
      );
      const manifest = [
        {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "box" },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [
              { name: "ticker", image: "busybox", command: ["sh", "-c", ticker] },
              {
                name: "idle",
                image: "busybox",
                command: ["sh", "-c", "echo idle started; sleep 3600"],
              },
            ],
          },
        },
        {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "web" },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [{ name: "nginx", image: "nginx" }],
          },
        },
        {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "crash" },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: "c",
                image: "busybox",
                command: ["sh", "-c", "echo run at $(date +%s); exit 1"],
              },
            ],
          },
        },
      ]
        .map((o) => JSON.stringify(o))
        .join("\n");
      const created = await s.kubectl(["create", "-f", "-"], { input: manifest });
      assert.equal(created.code, 0, created.stderr);
      await s.k("wait", "--for=condition=Ready", "pod/box", "pod/web", "--timeout=120s");
      console.log(`# cluster and pods ready in ${Math.round(performance.now() - t0)} ms`);
    },
    { timeout: 300_000 },
  );

  after(async () => {
    if (s?.process) {
      await s.kubectl([
        "delete",
        "pods",
        "--all",
        "--grace-period=1",
        "--wait=true",
        "--timeout=60s",
      ]);
    }
    await s?.stop();
    if (dirs) await forceClean(s.dataDir, dirs);
    await s?.dispose();
    await registry?.stop();
    if (dirs) rmSync(dirs.run, { recursive: true, force: true });
    rmSync(local, { recursive: true, force: true });
  });

  it("kubectl logs: a container, --tail, --timestamps, --since, -c, --all-containers, -f", async () => {
    // Five ticks: tick 0 is then well over 2 s old, for --since=2s below.
    await until("five ticks", async () =>
      (await s.k("logs", "box", "-c", "ticker")).includes("tick 4"),
    );
    const all = await s.k("logs", "box", "-c", "ticker");
    // stdout and stderr reach the log through separate pipes: each in order, interleaved anyhow.
    assert.match(all, /^(tick|err) 0\n/);
    assert.deepEqual(
      all
        .split("\n")
        .filter((l) => l.startsWith("tick"))
        .slice(0, 3),
      ["tick 0", "tick 1", "tick 2"],
    );
    assert.ok(all.includes("err 0\n"));
    assert.equal((await s.k("logs", "box", "-c", "ticker", "--tail=1")).split("\n").length, 2);
    const stamped = (await s.k("logs", "box", "-c", "ticker", "--timestamps", "--tail=2"))
      .trim()
      .split("\n");
    assert.equal(stamped.length, 2);
    for (const line of stamped)
      assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (tick|err) \d+$/);
    const recent = await s.k("logs", "box", "-c", "ticker", "--since=2s");
    assert.ok(!recent.includes("tick 0\n"), recent);
    assert.equal(await s.k("logs", "box", "-c", "idle"), "idle started\n");
    const both = await s.k("logs", "box", "--all-containers", "--tail=1");
    assert.match(both, /idle started/);
    assert.match(both, /(tick|err) \d+/);
    const follow = background(s, ["logs", "-f", "box", "-c", "ticker", "--tail=0"]);
    const before = Number(/tick (\d+)/.exec(all.split("\n").reverse().join("\n"))?.[1] ?? 0);
    await until("followed ticks", async () => {
      const m = [...follow.output().matchAll(/tick (\d+)/g)];
      return m.length >= 2 && Number(m[m.length - 1]![1]) > before;
    });
    await follow.stop();
  });

  it("rotates big container logs; kubectl logs -f follows across rotations", async () => {
    // ~20 KiB a second in numbered lines: a 64Ki log rotates every few seconds.
    const chatty = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "chatty" },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: "chatty",
            image: "busybox",
            command: [
              "sh",
              "-c",
              "i=0; while true; do seq $((i*2000+1)) $((i*2000+2000)); i=$((i+1)); sleep 0.5; done",
            ],
          },
        ],
      },
    };
    assert.equal(
      (await s.kubectl(["create", "-f", "-"], { input: JSON.stringify(chatty) })).code,
      0,
    );
    await s.k("wait", "--for=condition=Ready", "pod/chatty", "--timeout=60s");
    const follow = background(s, ["logs", "-f", "chatty"]);
    try {
      const logDir = (await until(
        "the rotated files",
        async () => {
          const dirs = readdirSync(podLogsDir(s)).filter((d) => d.startsWith("default_chatty_"));
          const dir = dirs[0] && join(podLogsDir(s), dirs[0], "chatty");
          // Compression writes `<name>.gz.tmp` first; wait for finished files only.
          const rotated = dir
            ? readdirSync(dir).filter((f) => f.startsWith("0.log.") && !f.endsWith(".tmp"))
            : [];
          return rotated.length >= 2 && rotated.some((f) => f.endsWith(".gz")) && dir;
        },
        60_000,
      )) as string;
      const files = readdirSync(logDir)
        .filter((f) => !f.endsWith(".tmp"))
        .sort();
      assert.ok(files.length <= 3, files.join(" "));
      assert.ok(
        files.some((f) => f.endsWith(".gz")),
        files.join(" "),
      );
      // The follow saw every line, across the rotations, in order.
      const seen = await until(
        "the follow to pass the rotations",
        async () => {
          const out = follow.output().trim();
          const numbers = out.split("\n").map(Number);
          if (numbers.length > 12_000) return numbers;
          // What a failure needs to be understood: how far the follow got, whether kubectl ended
          // and why, and what the kubelet said about the log.
          const said = s.log
            .split("\n")
            .filter((l) => /container log|rotat/.test(l))
            .slice(-5);
          throw new Error(
            `${numbers.length} lines, kubectl exit ${follow.exit() ?? "(running)"}, ` +
              `output ends ${JSON.stringify(out.slice(-200))}; kubelet: ${said.join(" | ")}`,
          );
        },
        30_000,
      );
      // (It starts at the current file's first line: a rotation may come before kubectl does.)
      for (let i = 0; i < seen.length; i++)
        assert.equal(seen[i], seen[0]! + i, `line ${i + 1} of the follow`);
      // Without -f only the current file is read, as upstream.
      // (A file rotated a moment ago is still empty: wait for its first line.)
      const first = await until(
        "a line in the current file",
        async () => Number((await s.k("logs", "chatty")).split("\n")[0]),
        10_000,
      );
      assert.ok(first > 1, `the current file starts at line ${first}`);
    } finally {
      await follow.stop();
      await s.kubectl(["delete", "pod", "chatty", "--grace-period=1", "--wait=false"]);
    }
  });

  it("kubectl logs --previous and the errors upstream gives", async () => {
    const none = await s.kubectl(["logs", "box", "-c", "ticker", "--previous"]);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /previous terminated container "ticker" in pod "box" not found/);
    await until("the crashing pod to restart", async () => {
      const p = await s.json("get", "pod", "crash");
      return (p.status.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && p;
    });
    const previous = await s.k("logs", "crash", "--previous");
    assert.match(previous, /^run at \d+\n$/);
    const missing = await s.kubectl(["logs", "box", "-c", "nope"]);
    assert.match(
      missing.stderr,
      /container nope is not valid for pod box|container "nope" not found/,
    );
    const ghost = await s.kubectl(["logs", "ghost"]);
    assert.match(ghost.stderr, /pods "ghost" not found/);
  });

  it("kubectl logs -f ends with the container; a container that cannot start says why", async () => {
    const pods = [
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "once" },
        spec: {
          restartPolicy: "Never",
          containers: [
            { name: "once", image: "busybox", command: ["sh", "-c", "echo a; sleep 2; echo b"] },
          ],
        },
      },
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "nopull" },
        spec: { containers: [{ name: "nopull", image: "no-such-image:1" }] },
      },
    ];
    const created = await s.kubectl(["create", "-f", "-"], {
      input: pods.map((p) => JSON.stringify(p)).join("\n"),
    });
    assert.equal(created.code, 0, created.stderr);
    await until(
      "the container to run",
      async () =>
        (await s.json("get", "pod", "once")).status.containerStatuses?.[0]?.state?.running,
    );
    const started = performance.now();
    const followed = await s.kubectl(["logs", "-f", "once"]);
    assert.deepEqual([followed.code, followed.stdout], [0, "a\nb\n"]);
    assert.ok(performance.now() - started < 10_000, "the follow ended soon after the container");
    await until("the pull to fail", async () =>
      ["ErrImagePull", "ImagePullBackOff"].includes(
        (await s.json("get", "pod", "nopull")).status.containerStatuses?.[0]?.state?.waiting
          ?.reason,
      ),
    );
    const waiting = await s.kubectl(["logs", "nopull"]);
    assert.notEqual(waiting.code, 0);
    assert.match(
      waiting.stderr,
      /container "nopull" in pod "nopull" is waiting to start: (image can't be pulled|trying and failing to pull image)/,
    );
  });

  for (const [label, env] of [
    ["WebSocket", {}],
    ["SPDY", spdy],
  ] as const) {
    it(`kubectl exec over ${label}: output, exit codes, stdin`, async () => {
      const hostname = await s.kubectl(
        ["exec", "box", "-c", "idle", "--", "cat", "/etc/hostname"],
        { env },
      );
      assert.deepEqual([hostname.code, hostname.stdout], [0, "box\n"]);
      const failed = await s.kubectl(
        ["exec", "box", "-c", "idle", "--", "sh", "-c", "echo out; echo err >&2; exit 3"],
        { env },
      );
      assert.equal(failed.code, 3);
      assert.equal(failed.stdout, "out\n");
      assert.match(failed.stderr, /^err\n/);
      const piped = await s.kubectl(["exec", "-i", "box", "-c", "idle", "--", "sh"], {
        env,
        input: "echo from-stdin; cat /etc/hostname\nexit 4\n",
      });
      assert.deepEqual([piped.code, piped.stdout], [4, "from-stdin\nbox\n"]);
      const counted = await s.kubectl(["exec", "-i", "box", "-c", "idle", "--", "wc", "-c"], {
        env,
        input: "x".repeat(100_000),
      });
      assert.equal(counted.stdout.trim(), "100000");
    });
  }

  it("kubectl exec -it through a pseudo-terminal", async () => {
    const cmd = `${kubectlPath("1.34")} --kubeconfig ${s.kubeconfig} exec -it box -c idle -- sh`;
    const r = await run("script", ["-qec", cmd, "/dev/null"], {
      input: "stty size; echo tty-$((40+2))\nexit 5\n",
      env: { ...process.env, KUBECONFIG: "", HOME: s.dataDir, TERM: "xterm" },
    });
    assert.match(r.stdout, /tty-42/);
    assert.equal(r.code, 5);
  });

  it("kubectl exec refuses an unknown container and a pod that does not exist", async () => {
    const bad = await s.kubectl(["exec", "box", "-c", "nope", "--", "true"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /container nope is not valid for pod box|container not found/);
    const ghost = await s.kubectl(["exec", "ghost", "--", "true"]);
    assert.match(ghost.stderr, /pods "ghost" not found/);
  });

  for (const [label, env] of [
    ["WebSocket", {}],
    ["SPDY", spdy],
  ] as const) {
    it(`kubectl cp both ways over ${label}`, async () => {
      const src = join(local, `in-${label}.txt`);
      const content = `${label} ${"payload ".repeat(5000)}\n`;
      writeFileSync(src, content);
      const up = await s.kubectl(["cp", src, `box:/tmp/${label}.txt`, "-c", "idle"], { env });
      assert.equal(up.code, 0, up.stderr);
      const seen = await s.kubectl([
        "exec",
        "box",
        "-c",
        "idle",
        "--",
        "md5sum",
        `/tmp/${label}.txt`,
      ]);
      assert.match(seen.stdout, /^[0-9a-f]{32} /);
      const back = join(local, `out-${label}.txt`);
      const down = await s.kubectl(["cp", `box:/tmp/${label}.txt`, back, "-c", "idle"], { env });
      assert.equal(down.code, 0, down.stderr);
      assert.equal(readFileSync(back, "utf8"), content);
    });
  }

  for (const [label, env, version] of [
    ["WebSocket tunnel", {}, "1.34"],
    ["SPDY", spdy, "1.34"],
    ["kubectl 1.32", {}, "1.32"],
  ] as const) {
    it(`kubectl port-forward serves nginx on localhost (${label})`, async () => {
      const port = await freePort();
      const pf = background(
        s,
        ["port-forward", "pod/web", `${port}:80`],
        env,
        kubectlPath(version),
      );
      try {
        await until(
          "port-forward to listen",
          async () => pf.output().includes("Forwarding from"),
          20_000,
        );
        const page = await until("nginx through the tunnel", () =>
          httpGet(`http://127.0.0.1:${port}/`),
        );
        assert.match(page, /Welcome to nginx!/);
        // Several connections over one forward.
        const pages = await Promise.all([1, 2, 3].map(() => httpGet(`http://127.0.0.1:${port}/`)));
        for (const p of pages) assert.match(p, /Welcome to nginx!/);
      } finally {
        await pf.stop();
      }
    });
  }

  it("port-forward over WebSocket channels, as client libraries do it", async () => {
    const c = configFromKubeconfig(s.kubeconfig);
    const ws = new WebSocket(
      `wss://127.0.0.1:${s.port}/api/v1/namespaces/default/pods/web/portforward?ports=80`,
      ["v4.channel.k8s.io"],
      { ca: c.caPem, cert: c.certPem, key: c.keyPem },
    );
    const data: Buffer[] = [];
    const firstSeen = new Set<number>();
    ws.on("message", (d: Buffer) => {
      const channel = d[0]!;
      // The first message of each channel starts with the port (uint16, little-endian).
      let payload = d.subarray(1);
      if (!firstSeen.has(channel)) {
        firstSeen.add(channel);
        assert.equal(payload.readUInt16LE(0), 80);
        payload = payload.subarray(2);
      }
      if (channel === 0) data.push(payload);
    });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from("GET / HTTP/1.0\r\nHost: web\r\n\r\n")]));
    await new Promise<void>((r) => ws.once("close", () => r()));
    assert.match(Buffer.concat(data).toString(), /^HTTP\/1\.1 200 OK[\s\S]*Welcome to nginx!/);
  });

  it("kubectl attach shows the container's live output", async () => {
    const attach = background(s, ["attach", "box", "-c", "ticker"]);
    try {
      await until("attached output", async () => /tick \d+/.test(attach.output()), 20_000);
    } finally {
      await attach.stop();
    }
  });

  for (const [protocol, env] of [
    ["WebSocket", {}],
    ["SPDY", spdy],
  ] as const) {
    it(`kubectl attach to a terminal ends when its container exits (${protocol})`, async () => {
      // Without -t, kubectl asks for stdout and stderr; the container was started with a TTY.
      const name = `term-${protocol.toLowerCase()}`;
      const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name },
        spec: {
          restartPolicy: "Never",
          containers: [
            {
              name: "shell",
              image: "busybox",
              tty: true,
              stdin: true,
              command: ["sh", "-c", "sleep 6; echo bye"],
            },
          ],
        },
      };
      await s.kubectl(["apply", "-f", "-"], { input: JSON.stringify(pod) });
      await until(
        `${name} to run`,
        async () => (await s.json("get", "pod", name)).status.phase === "Running",
      );
      const attach = background(s, ["attach", name], env);
      try {
        await until("kubectl attach to end with the container", async () => attach.exit(), 30_000);
      } finally {
        await attach.stop();
      }
      assert.equal(attach.exit(), "0", attach.output());
      assert.match(attach.output(), /bye/);
    });
  }

  it("kubectl debug adds an ephemeral container that shares the target's processes", async () => {
    const r = await s.kubectl([
      "debug",
      "box",
      "--image=busybox",
      "--target=idle",
      "--container=peek",
      "--profile=general",
      "--",
      "sh",
      "-c",
      "ps -o args",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const status = await until("the debug container to finish", async () => {
      const pod = await s.json("get", "pod", "box");
      const peek = (pod.status.ephemeralContainerStatuses ?? []).find(
        (c: { name: string }) => c.name === "peek",
      );
      return peek?.state?.terminated && peek;
    });
    assert.equal(status.state.terminated.exitCode, 0);
    // The idle container's shell is among the processes it saw: one PID namespace.
    assert.match(await s.k("logs", "box", "-c", "peek"), /sleep 3600/);
    // The pod's own containers went on; an ephemeral container is never restarted.
    const pod = await s.json("get", "pod", "box");
    assert.equal(
      pod.status.containerStatuses.find((c: { name: string }) => c.name === "idle").restartCount,
      0,
    );
    const again = await s.kubectl([
      "patch",
      "pod",
      "box",
      "--subresource=ephemeralcontainers",
      "--type=json",
      "-p",
      '[{"op":"remove","path":"/spec/ephemeralContainers/0"}]',
    ]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /existing ephemeral containers "peek" may not be removed/);
  });

  it("kubectl run -i --rm attaches to the new pod's stdin", async () => {
    const r = await s.kubectl(
      [
        "run",
        "once-more",
        "-i",
        "--rm",
        "--restart=Never",
        "--image=busybox",
        "--",
        "sh",
        "-c",
        "read x; echo got $x",
      ],
      { input: "hello\n" },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /got hello/);
    assert.match(r.stdout, /pod "once-more" deleted/);
  });

  it("kubectl 1.32 runs exec and logs too", async () => {
    const bin = kubectlPath("1.32");
    const r = await run(
      bin,
      [
        "--kubeconfig",
        s.kubeconfig,
        "exec",
        "box",
        "-c",
        "idle",
        "--",
        "sh",
        "-c",
        "hostname; exit 2",
      ],
      {
        env: { ...process.env, KUBECONFIG: "", HOME: s.dataDir },
      },
    );
    assert.deepEqual([r.code, r.stdout], [2, "box\n"]);
    const logs = await run(bin, ["--kubeconfig", s.kubeconfig, "logs", "box", "-c", "idle"], {
      env: { ...process.env, KUBECONFIG: "", HOME: s.dataDir },
    });
    assert.equal(logs.stdout, "idle started\n");
  });

  it("kubectl top shows the node's and the pods' CPU and memory (metrics.k8s.io)", async () => {
    const burn = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "burn", labels: { load: "high" } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: "spin",
            image: "busybox",
            command: ["sh", "-c", "while :; do :; done"],
            resources: { requests: { cpu: "100m" } },
          },
        ],
      },
    };
    const created = await s.kubectl(["create", "-f", "-"], { input: JSON.stringify(burn) });
    assert.equal(created.code, 0, created.stderr);
    await s.k("wait", "--for=condition=Ready", "pod/burn", "--timeout=60s");
    // The first request waits for two scrapes of the kubelet; the pod must be in both.
    const metrics = await until("the busy pod's metrics", async () => {
      const r = await s.kubectl([
        "get",
        "--raw",
        "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/burn",
      ]);
      return r.code === 0 ? JSON.parse(r.stdout) : undefined;
    });
    assert.equal(metrics.kind, "PodMetrics");
    assert.equal(metrics.containers[0].name, "spin");
    const nanocores = Number(/^(\d+)n$/.exec(metrics.containers[0].usage.cpu)?.[1]);
    assert.ok(
      nanocores > 100e6,
      `a spinning shell uses over 100m (${metrics.containers[0].usage.cpu})`,
    );
    const pods = await s.k("top", "pod", "--no-headers");
    const row = (name: string) => pods.split("\n").find((l) => l.startsWith(`${name} `)) ?? "";
    assert.match(row("burn"), /^burn\s+\d+m\s+\d+Mi\s*$/);
    assert.match(row("box"), /^box\s+\d+m\s+\d+Mi\s*$/);
    assert.ok(
      Number(/\s(\d+)m/.exec(row("box"))?.[1]) < Number(/\s(\d+)m/.exec(row("burn"))?.[1]),
      pods,
    );
    assert.match(await s.k("top", "pod", "-l", "load=high", "--no-headers"), /^burn\s/);
    const nodes = await s.k("top", "node", "--no-headers");
    assert.match(nodes, new RegExp(`^${nodeName}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%`));
    await s.k("delete", "pod", "burn", "--grace-period=1");
  });

  it("a HorizontalPodAutoscaler scales a busy Deployment up on its CPU utilization", async () => {
    await s.k(
      "create",
      "deployment",
      "spin",
      "--image=busybox",
      "--",
      "sh",
      "-c",
      "while :; do :; done",
    );
    await s.k("set", "resources", "deployment", "spin", "--requests=cpu=50m");
    await s.k("autoscale", "deployment", "spin", "--min=1", "--max=2", "--cpu-percent=50");
    // The controller syncs every 15 s; a spinning shell uses far more than 50% of 50m.
    const hpa = await until(
      "the HPA to scale to 2",
      async () => {
        const h = await s.json("get", "hpa", "spin");
        return h.status?.desiredReplicas === 2 ? h : undefined;
      },
      60_000,
    );
    const cpu = hpa.status.currentMetrics?.[0]?.resource;
    assert.equal(cpu?.name, "cpu");
    assert.ok(cpu.current.averageUtilization > 50, JSON.stringify(hpa.status));
    const active = hpa.status.conditions.find((c: { type: string }) => c.type === "ScalingActive");
    assert.equal(active.reason, "ValidMetricFound");
    assert.equal((await s.json("get", "deployment", "spin")).spec.replicas, 2);
    assert.match(await s.k("get", "hpa", "spin", "--no-headers"), /cpu: \d+%\/50%/);
    await s.k("delete", "hpa", "spin");
    await s.k("delete", "deployment", "spin", "--wait=false");
  });

  it("nodes/proxy reaches the kubelet's API", async () => {
    const pods = JSON.parse(await s.k("get", "--raw", `/api/v1/nodes/${nodeName}/proxy/pods`));
    assert.ok(pods.items.some((p: { metadata: { name: string } }) => p.metadata.name === "web"));
    assert.equal(await s.k("get", "--raw", `/api/v1/nodes/${nodeName}/proxy/healthz`), "ok");
  });
});
