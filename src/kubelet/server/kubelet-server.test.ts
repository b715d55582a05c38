import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { FakeClock } from "../../machinery/clock.ts";
import { silentLogger } from "../../machinery/log.ts";
import type { Pod } from "../pod-source.ts";
import { KubeletAuth } from "./auth.ts";
import type { ContainerAccess, KubeletHost, StreamRequest } from "./host.ts";
import { KubeletServer } from "./kubelet-server.ts";
import { attachRequest } from "./stream-handlers.ts";
import {
  FakeReviews,
  rawWebSocket,
  startFakeStreamingServer,
  testCertificates,
} from "./testing.ts";

const certs = testCertificates();
const apiserver = certs.client("kube-apiserver-kubelet-client", ["kubeadm:cluster-admins"]);
const stranger = certs.client("jane");
const dir = mkdtempSync(join(tmpdir(), "bosun-kubelet-server-"));
const logPath = join(dir, "app-0.log");
writeFileSync(
  logPath,
  "2026-01-01T00:00:01Z stdout F hello\n2026-01-01T00:00:02Z stderr F oops\n2026-01-01T00:00:03Z stdout F bye\n",
);

const running = (name: string, id: string) => ({
  name,
  containerID: `containerd://${id}`,
  state: { running: { startedAt: "2026-01-01T00:00:00Z" } },
  ready: true,
  restartCount: 0,
  image: "busybox",
  imageID: "",
});

const pods: Pod[] = [
  {
    metadata: { name: "web", namespace: "default", uid: "u1" },
    spec: { containers: [{ name: "app" }, { name: "side" }] },
    status: {
      containerStatuses: [
        running("app", "c-app"),
        {
          ...running("side", ""),
          containerID: "",
          state: { waiting: { reason: "ContainerCreating" } },
        },
      ],
    },
  },
  {
    metadata: { name: "term", namespace: "default", uid: "u2" },
    spec: { containers: [{ name: "shell", tty: true, stdin: true }] },
    status: { containerStatuses: [running("shell", "c-shell")] },
  },
] as Pod[];

/** The stream options of the last attach the runtime was asked for. */
let lastAttach: StreamRequest | undefined;

let streaming: Awaited<ReturnType<typeof startFakeStreamingServer>>;
const access: ContainerAccess = {
  async logFile(id) {
    return id === "c-app" ? { path: logPath, running: false } : undefined;
  },
  async isRunning() {
    return false;
  },
  async runningContainer(pod, name) {
    if (pod.metadata?.name === "term" && name === "shell") return "c-shell";
    return pod.metadata?.name === "web" && name === "app" ? "c-app" : undefined;
  },
  async readySandbox(pod) {
    return pod.metadata?.name === "web" ? "s-web" : undefined;
  },
  async exec(_id, cmd, o) {
    const streams = 1 + Number(o.stdin) + Number(o.stdout) + Number(o.stderr) + Number(o.tty);
    return streaming.url(`/exec/${cmd.join("_")}?streams=${streams}`);
  },
  async attach(_id, o) {
    lastAttach = o;
    const streams = 1 + Number(o.stdin) + Number(o.stdout) + Number(o.stderr) + Number(o.tty);
    return streaming.url(`/attach/x?streams=${streams}`);
  },
  async portForward() {
    return streaming.url("/portforward/x");
  },
  async containerStats() {
    const stat = (id: string, pod: string, name: string, cpuNanos: string, bytes: string) => ({
      attributes: {
        id,
        metadata: { name, attempt: 0 },
        labels: { "io.kubernetes.pod.name": pod, "io.kubernetes.pod.namespace": "default" },
        annotations: {},
      },
      cpu: { timestamp: "1767225600000000000", usage_core_nano_seconds: { value: cpuNanos } },
      memory: { timestamp: "1767225600000000000", working_set_bytes: { value: bytes } },
    });
    // c-old exited: the runtime still has it, the endpoint leaves it out.
    return [
      stat("c-app", "web", "app", "1500000000", "2097152"),
      stat("c-old", "web", "old", "9", "9"),
    ];
  },
};
const host: KubeletHost = {
  nodeName: "node-1",
  getPod: (ns, name) => pods.find((p) => p.metadata?.namespace === ns && p.metadata?.name === name),
  pods: () => pods,
  containers: access,
};
const reviews = new FakeReviews();
reviews.allowed.add("kube-apiserver-kubelet-client get proxy");
reviews.allowed.add("kube-apiserver-kubelet-client create proxy");
reviews.allowed.add("kube-apiserver-kubelet-client get healthz");
reviews.allowed.add("kube-apiserver-kubelet-client get metrics");
reviews.tokens.set("jane-token", { username: "jane", groups: ["system:authenticated"] });
reviews.allowed.add("jane get pods");
const clock = new FakeClock(Date.UTC(2026, 0, 1, 0, 0, 10));
const server = new KubeletServer({
  host,
  auth: new KubeletAuth({ reviews, clock }),
  tls: {
    certPem: certs.serving.certPem,
    keyPem: certs.serving.keyPem,
    clientCaPem: certs.ca.certPem,
  },
  address: "127.0.0.1",
  port: 0,
  clock,
  log: silentLogger,
});
let port = 0;

before(async () => {
  streaming = await startFakeStreamingServer(async (streams) => {
    // `cat`, then stderr, then exit 3 — unless stdin is absent.
    const stdin = streams.get("stdin");
    let input = "";
    const resize = streams.get("resize");
    if (stdin) {
      stdin.on("data", (d) => (input += d));
      await new Promise<void>((r) => stdin.once("end", () => r()));
    } else if (resize) {
      input = await new Promise<string>((r) => resize.once("data", (d) => r(String(d))));
    }
    streams.get("stdout")?.write(Buffer.from(`got:${input}`));
    streams.get("stderr")?.write(Buffer.from("warn"));
    return JSON.stringify({
      metadata: {},
      status: "Failure",
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: "3" }] },
    });
  });
  port = (await server.start()).port;
});
after(async () => {
  await server.stop();
  await streaming.stop();
  rmSync(dir, { recursive: true, force: true });
});

function get(
  path: string,
  who: { certPem: string; keyPem: string } | { token: string } = apiserver,
) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        ca: certs.ca.certPem,
        ...("token" in who
          ? { headers: { authorization: `Bearer ${who.token}` } }
          : { cert: who.certPem, key: who.keyPem }),
      },
      (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("kubelet server", () => {
  it("refuses callers without credentials and those the API server does not authorize", async () => {
    assert.deepEqual(await get("/healthz", { token: "nope" }), {
      status: 401,
      body: "Unauthorized",
    });
    assert.deepEqual(await get("/containerLogs/default/web/app", stranger), {
      status: 403,
      body: "Forbidden (user=jane, verb=get, resource=nodes, subresource=proxy)",
    });
    assert.equal((await get("/healthz")).body, "ok");
  });

  it("authorizes /pods as nodes/pods before nodes/proxy, with bearer tokens", async () => {
    const r = await get("/pods", { token: "jane-token" });
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).items[0].metadata.name, "web");
    const calls = reviews.calls;
    await get("/pods", { token: "jane-token" });
    assert.equal(reviews.calls, calls, "token and decision come from the caches");
  });

  it("serves container logs with the query's options", async () => {
    assert.equal((await get("/containerLogs/default/web/app")).body, "hello\noops\nbye\n");
    assert.equal(
      (await get("/containerLogs/default/web/app?tailLines=1&timestamps=true")).body,
      "2026-01-01T00:00:03.000000000Z bye\n",
    );
    assert.equal((await get("/containerLogs/default/web/app?stream=Stderr")).body, "oops\n");
    assert.equal((await get("/containerLogs/default/web/app?sinceSeconds=7")).body, "bye\n");
    assert.equal((await get("/containerLogs/default/web/app?limitBytes=3")).body, "hel");
  });

  it("answers log errors as upstream's kubelet", async () => {
    assert.deepEqual(await get("/containerLogs/default/web/side"), {
      status: 400,
      body: 'container "side" in pod "web" is waiting to start: ContainerCreating',
    });
    assert.deepEqual(await get("/containerLogs/default/web/app?previous=true"), {
      status: 400,
      body: 'previous terminated container "app" in pod "web" not found',
    });
    assert.deepEqual(await get("/containerLogs/default/web/nope"), {
      status: 404,
      body: 'container "nope" not found in pod "web"',
    });
    assert.deepEqual(await get("/containerLogs/default/gone/app"), {
      status: 404,
      body: 'pod "gone" does not exist',
    });
    assert.equal((await get("/containerLogs/default/web/app?tailLines=-1")).status, 422);
    assert.equal((await get("/containerLogs/default/web/app?tailLines=x")).status, 400);
  });

  it("serves the node's, running containers' and pods' usage on /metrics/resource", async () => {
    const { status, body } = await get("/metrics/resource");
    assert.equal(status, 200);
    const at = "1767225600000";
    assert.match(
      body,
      new RegExp(
        `^container_cpu_usage_seconds_total\\{container="app",namespace="default",pod="web"\\} 1\\.5 ${at}$`,
        "m",
      ),
    );
    assert.match(
      body,
      new RegExp(
        `^container_memory_working_set_bytes\\{container="app",namespace="default",pod="web"\\} 2097152 ${at}$`,
        "m",
      ),
    );
    assert.match(
      body,
      new RegExp(
        `^pod_cpu_usage_seconds_total\\{namespace="default",pod="web"\\} 1\\.5 ${at}$`,
        "m",
      ),
    );
    assert.doesNotMatch(body, /container="old"/);
    const node = /^node_cpu_usage_seconds_total (\S+) \d+$/m.exec(body);
    assert.ok(node && Number(node[1]) > 0, "the node's CPU time from /proc/stat");
    assert.match(body, /^node_memory_working_set_bytes \d+ \d+$/m);
    assert.match(body, /^resource_scrape_error 0$/m);
    assert.equal((await get("/metrics/resource", { token: "jane-token" })).status, 403);
  });

  it("translates WebSocket v5 exec to the runtime's SPDY: stdin, its close, output and exit status", async () => {
    const ws = new WebSocket(
      `wss://127.0.0.1:${port}/exec/default/web/app?command=cat&input=1&output=1&error=1`,
      ["v5.channel.k8s.io"],
      { ca: certs.ca.certPem, cert: apiserver.certPem, key: apiserver.keyPem },
    );
    const got = new Map<number, string>();
    const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
    ws.on("message", (d: Buffer) =>
      got.set(d[0]!, (got.get(d[0]!) ?? "") + d.subarray(1).toString()),
    );
    await new Promise<void>((r) => ws.once("open", () => r()));
    assert.equal(ws.protocol, "v5.channel.k8s.io");
    ws.send(Buffer.from("\x00hello"));
    ws.send(Buffer.from([255, 0]));
    assert.equal(await closed, 1000);
    assert.equal(got.get(1), "got:hello");
    assert.equal(got.get(2), "warn");
    assert.equal(JSON.parse(got.get(3)!).details.causes[0].message, "3");
  });

  it("relays output and status that reach it with the runtime's replies (a short exec)", async () => {
    // The fake runtime sends its replies, the output and the exit status in one segment.
    const ws = new WebSocket(
      `wss://127.0.0.1:${port}/exec/default/web/app?command=hostname&output=1&error=1`,
      ["v5.channel.k8s.io"],
      { ca: certs.ca.certPem, cert: apiserver.certPem, key: apiserver.keyPem },
    );
    const got = new Map<number, string>();
    ws.on("message", (d: Buffer) =>
      got.set(d[0]!, (got.get(d[0]!) ?? "") + d.subarray(1).toString()),
    );
    const closed = await Promise.race([
      new Promise<number>((resolve) => ws.on("close", (code) => resolve(code))),
      new Promise<string>((resolve) => setTimeout(() => resolve("no status in 5 s"), 5000)),
    ]);
    ws.terminate();
    assert.equal(closed, 1000);
    assert.equal(got.get(1), "got:");
    assert.equal(got.get(2), "warn");
    assert.equal(JSON.parse(got.get(3)!).details.causes[0].message, "3");
  });

  it("passes SPDY/3.1 exec through to the runtime untouched", async () => {
    const { openUpgrade } = await import("../../machinery/upgrade-proxy.ts");
    const { SpdySession } = await import("./streaming/spdy/session.ts");
    const answer = await openUpgrade({
      url: new URL(
        `https://127.0.0.1:${port}/exec/default/web/app?command=cat&input=1&output=1&error=1`,
      ),
      method: "POST",
      headers: {
        connection: "Upgrade",
        upgrade: "SPDY/3.1",
        "x-stream-protocol-version": ["v5.channel.k8s.io", "v4.channel.k8s.io"],
      },
      tls: { caPem: certs.ca.certPem, certPem: apiserver.certPem, keyPem: apiserver.keyPem },
    });
    assert.ok(answer.upgraded);
    assert.equal(answer.response.headers["x-stream-protocol-version"], "v4.channel.k8s.io");
    const session = new SpdySession(answer.socket, { client: true, head: answer.head });
    const error = session.open({ streamtype: "error" });
    const stdin = session.open({ streamtype: "stdin" });
    const stdout = session.open({ streamtype: "stdout" });
    session.open({ streamtype: "stderr" });
    await Promise.all([error.replied, stdin.replied, stdout.replied]);
    let out = "";
    let status = "";
    stdout.on("data", (d) => (out += d));
    error.on("data", (d) => (status += d));
    stdin.write(Buffer.from("spdy"));
    stdin.end();
    await new Promise<void>((r) => error.once("end", () => r()));
    assert.equal(out, "got:spdy");
    assert.equal(JSON.parse(status).reason, "NonZeroExitCode");
    session.close();
  });

  it("serves WebSocket v4 (no stdin close) and forwards TTY resizes", async () => {
    const ws = new WebSocket(
      `wss://127.0.0.1:${port}/exec/default/web/app?command=sh&output=1&tty=1`,
      ["v4.channel.k8s.io"],
      { ca: certs.ca.certPem, cert: apiserver.certPem, key: apiserver.keyPem },
    );
    const got: Buffer[] = [];
    ws.on("message", (d: Buffer) => got.push(d));
    await new Promise<void>((r) => ws.once("open", () => r()));
    assert.equal(ws.protocol, "v4.channel.k8s.io");
    ws.send(Buffer.from('\x04{"Width":80,"Height":24}'));
    await new Promise<void>((r) => ws.once("close", () => r()));
    const text = Buffer.concat(got.filter((d) => d[0] === 1).map((d) => d.subarray(1))).toString();
    assert.equal(text, 'got:{"Width":80,"Height":24}');
  });

  it("attaches with the container's TTY, whatever the request says, and no stderr with one", async () => {
    // `kubectl attach` without -t asks for stdout and stderr; the container has a terminal.
    const ws = new WebSocket(
      `wss://127.0.0.1:${port}/attach/default/term/shell?output=1&error=1`,
      ["v5.channel.k8s.io"],
      { ca: certs.ca.certPem, cert: apiserver.certPem, key: apiserver.keyPem },
    );
    await new Promise<void>((r) => ws.once("open", () => r()));
    ws.close();
    assert.deepEqual(lastAttach, { stdin: false, stdout: true, stderr: false, tty: true });
    assert.deepEqual(
      attachRequest({ stdin: true, stdout: true, stderr: false, tty: true }, pods[0]!, "app"),
      { stdin: true, stdout: true, stderr: false, tty: false },
      "a container without a terminal gets none",
    );
  });

  it("refuses exec of a container that does not run, and non-upgrade requests", async () => {
    const ws = new WebSocket(
      `wss://127.0.0.1:${port}/exec/default/web/side?command=sh&output=1`,
      ["v5.channel.k8s.io"],
      { ca: certs.ca.certPem, cert: apiserver.certPem, key: apiserver.keyPem },
    );
    const status = await new Promise<number>((resolve) =>
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0)),
    );
    assert.equal(status, 500);
    assert.deepEqual(await get("/exec/default/web/app?command=sh&output=1"), {
      status: 500,
      body: "Upgrade request required",
    });
  });

  it("relays WebSocket-tunnelled SPDY port-forward to the runtime", async () => {
    const { SpdySession } = await import("./streaming/spdy/session.ts");
    const { Duplex } = await import("node:stream");
    const ws = await rawWebSocket({
      host: "127.0.0.1",
      port,
      path: "/portForward/default/web",
      protocol: "SPDY/3.1+portforward.k8s.io",
      tls: { ca: certs.ca.certPem, cert: apiserver.certPem, key: apiserver.keyPem },
    });
    assert.equal(ws.protocol, "SPDY/3.1+portforward.k8s.io");
    // kubectl's side: a SPDY client whose bytes travel in WebSocket messages.
    const pipe = new Duplex({
      read() {},
      write(chunk, _enc, cb) {
        ws.send(chunk);
        cb();
      },
    });
    ws.onMessage((d) => pipe.push(d));
    const spdy = new SpdySession(pipe, { client: true });
    const error = spdy.open({ streamtype: "error", port: "80", requestid: "0" });
    const data = spdy.open({ streamtype: "data", port: "80", requestid: "0" });
    await Promise.all([error.replied, data.replied]);
    let echoed = "";
    data.on("data", (d) => (echoed += d));
    data.write(Buffer.from("ping"));
    data.end();
    await new Promise<void>((r) => data.once("end", () => r()));
    assert.equal(echoed, "80:ping");
    ws.close();
  });
});
