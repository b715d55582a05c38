/**
 * The API server's pod subresources against a real kubelet server in process: pods/log,
 * pods/exec over WebSocket (v5, proxied untouched to the kubelet, translated there to the
 * runtime's SPDY), nodes/proxy, and the authorization on both hops (RBAC at the API server,
 * SubjectAccessReview of the API server's kubelet client identity at the kubelet). The runtime's
 * streaming server is the SPDY fake; containerd is exercised by the end-to-end tests.
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { startTestApi, type TestApi } from "../../src/client/testing/test-api.ts";
import type { Pod } from "../../src/kubelet/pod-source.ts";
import { apiReviewClient, KubeletAuth } from "../../src/kubelet/server/auth.ts";
import type { ContainerAccess, KubeletHost } from "../../src/kubelet/server/host.ts";
import { KubeletServer } from "../../src/kubelet/server/kubelet-server.ts";
import { startFakeStreamingServer, testCertificates } from "../../src/kubelet/server/testing.ts";
import { silentLogger } from "../../src/machinery/log.ts";
import { issueCertificate } from "../../src/pki/certificate.ts";
import { loadPrivateKey } from "../../src/pki/keys.ts";

let api: TestApi;
let kubelet: KubeletServer;
let streaming: Awaited<ReturnType<typeof startFakeStreamingServer>>;
const dir = mkdtempSync(join(tmpdir(), "bosun-api-kubelet-"));
const logPath = join(dir, "app.log");
writeFileSync(logPath, "2026-01-01T00:00:01Z stdout F one\n2026-01-01T00:00:02Z stdout F two\n");
let pod: Pod;
let jane: { certPem: string; keyPem: string };

const access: ContainerAccess = {
  logFile: async (id) => (id === "c-app" ? { path: logPath, running: false } : undefined),
  isRunning: async () => false,
  runningContainer: async (_pod, name) => (name === "app" ? "c-app" : undefined),
  readySandbox: async () => "s1",
  exec: async (_id, cmd) => streaming.url(`/exec/${cmd.join("-")}?streams=4`),
  attach: async () => streaming.url("/attach/x?streams=3"),
  portForward: async () => streaming.url("/portforward/x"),
  containerStats: async () => [],
};

function raw(path: string, who?: { certPem: string; keyPem: string }) {
  const c = api.client.config;
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: api.port,
        path,
        ca: c.caPem,
        cert: who?.certPem ?? c.certPem,
        key: who?.keyPem ?? c.keyPem,
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

before(async () => {
  api = await startTestApi({ kubeletClient: true });
  streaming = await startFakeStreamingServer(async (streams) => {
    const stdin = streams.get("stdin")!;
    let input = "";
    stdin.on("data", (d) => (input += d));
    await new Promise<void>((r) => stdin.once("end", () => r()));
    streams.get("stdout")!.write(Buffer.from(input.toUpperCase()));
    return JSON.stringify({ metadata: {}, status: "Success" });
  });
  const serving = testCertificates().serving;
  const host: KubeletHost = {
    nodeName: "n1",
    getPod: (ns, name) => (ns === "default" && name === "web" ? pod : undefined),
    pods: () => [pod],
    containers: access,
  };
  kubelet = new KubeletServer({
    host,
    auth: new KubeletAuth({ reviews: apiReviewClient(api.client) }),
    tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: api.caCertPem },
    address: "127.0.0.1",
    port: 0,
    log: silentLogger,
  });
  const { port } = await kubelet.start();
  const node = await api.client.create<{ metadata: { name: string } }>("/api/v1/nodes", {
    metadata: { name: "n1" },
  });
  await api.client.update(`/api/v1/nodes/${node.metadata.name}/status`, {
    ...node,
    status: {
      addresses: [{ type: "InternalIP", address: "127.0.0.1" }],
      daemonEndpoints: { kubeletEndpoint: { Port: port } },
    },
  });
  const created = await api.client.create<Pod>("/api/v1/namespaces/default/pods", {
    metadata: { name: "web" },
    spec: {
      nodeName: "n1",
      containers: [
        { name: "app", image: "busybox" },
        { name: "side", image: "busybox" },
      ],
    },
  });
  pod = await api.client.update<Pod>("/api/v1/namespaces/default/pods/web/status", {
    ...created,
    status: {
      phase: "Running",
      containerStatuses: [
        {
          name: "app",
          ready: true,
          restartCount: 0,
          image: "busybox",
          imageID: "",
          containerID: "containerd://c-app",
          state: { running: { startedAt: "2026-01-01T00:00:00Z" } },
        },
        {
          name: "side",
          ready: false,
          restartCount: 0,
          image: "busybox",
          imageID: "",
          state: { waiting: { reason: "ContainerCreating" } },
        },
      ],
    },
  });
  await api.client.create("/api/v1/namespaces/default/pods", {
    metadata: { name: "pending" },
    spec: { containers: [{ name: "app", image: "busybox" }] },
  });
  // jane may read pods/exec (get) but not create it: a WebSocket exec needs both.
  const ca = {
    certPem: api.caCertPem,
    certificate: new X509Certificate(api.caCertPem),
    privateKey: loadPrivateKey(api.caKeyPem),
    keyPem: api.caKeyPem,
  };
  jane = issueCertificate({ ca, commonName: "jane", usages: ["client"] });
  await api.client.create("/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles", {
    metadata: { name: "exec-get" },
    rules: [{ apiGroups: [""], resources: ["pods", "pods/exec", "pods/log"], verbs: ["get"] }],
  });
  await api.client.create("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", {
    metadata: { name: "jane" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "exec-get" },
    subjects: [{ kind: "User", name: "jane", apiGroup: "rbac.authorization.k8s.io" }],
  });
});

after(async () => {
  await kubelet?.stop();
  await streaming?.stop();
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const log = (q: string, who?: { certPem: string; keyPem: string }) =>
  raw(`/api/v1/namespaces/default/pods/web/log${q}`, who);

describe("API server → kubelet", () => {
  it("streams pods/log from the kubelet with the query's options", async () => {
    assert.deepEqual(await log("?container=app"), { status: 200, body: "one\ntwo\n" });
    assert.deepEqual(await log("?container=app&tailLines=1&timestamps=true"), {
      status: 200,
      body: "2026-01-01T00:00:02.000000000Z two\n",
    });
    assert.equal((await log("?container=app", jane)).body, "one\ntwo\n");
  });

  it("answers pods/log errors as upstream", async () => {
    const status = async (q: string) => {
      const r = await log(q);
      const s = JSON.parse(r.body);
      return `${r.status} ${s.reason} ${s.message}`;
    };
    assert.equal(
      await status(""),
      "400 BadRequest a container name must be specified for pod web, choose one of: [app side]",
    );
    assert.equal(
      await status("?container=nope"),
      "400 BadRequest container nope is not valid for pod web",
    );
    assert.equal(
      await status("?container=side"),
      '400 BadRequest container "side" in pod "web" is waiting to start: ContainerCreating',
    );
    assert.equal(
      await status("?container=app&previous=true"),
      '400 BadRequest previous terminated container "app" in pod "web" not found',
    );
    assert.equal(
      await status("?container=app&tailLines=-1"),
      '422 Invalid PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0',
    );
    assert.deepEqual(await raw("/api/v1/namespaces/default/pods/pending/log"), {
      status: 200,
      body: "",
    });
    const missing = await raw("/api/v1/namespaces/default/pods/ghost/log");
    assert.equal(JSON.parse(missing.body).message, 'pods "ghost" not found');
  });

  it("proxies a WebSocket v5 exec to the kubelet and back", async () => {
    const c = api.client.config;
    const ws = new WebSocket(
      `wss://127.0.0.1:${api.port}/api/v1/namespaces/default/pods/web/exec?command=tr&container=app&stdin=true&stdout=true&stderr=true`,
      ["v5.channel.k8s.io"],
      { ca: c.caPem, cert: c.certPem, key: c.keyPem },
    );
    const out: Buffer[] = [];
    let status = "";
    ws.on("message", (d: Buffer) => {
      if (d[0] === 1) out.push(d.subarray(1));
      if (d[0] === 3) status += d.subarray(1);
    });
    await new Promise<void>((r) => ws.once("open", () => r()));
    ws.send(Buffer.from("\x00shout"));
    ws.send(Buffer.from([255, 0]));
    await new Promise<void>((r) => ws.once("close", () => r()));
    assert.equal(Buffer.concat(out).toString(), "SHOUT");
    assert.equal(JSON.parse(status).status, "Success");
  });

  it("needs create on pods/exec for a WebSocket exec, and an upgrade", async () => {
    const ws = new WebSocket(
      `wss://127.0.0.1:${api.port}/api/v1/namespaces/default/pods/web/exec?command=sh&container=app&stdout=true`,
      ["v5.channel.k8s.io"],
      { ca: api.client.config.caPem, cert: jane.certPem, key: jane.keyPem },
    );
    const res = await new Promise<{ status: number; body: string }>((resolve) =>
      ws.on("unexpected-response", (_req, r) => {
        let body = "";
        r.on("data", (d: Buffer) => (body += d));
        r.on("end", () => resolve({ status: r.statusCode ?? 0, body }));
      }),
    );
    assert.equal(res.status, 403);
    assert.equal(
      JSON.parse(res.body).message,
      'pods "web" is forbidden: User "jane" cannot create resource "pods/exec" in API group "" in the namespace "default"',
    );
    const plain = await raw(
      "/api/v1/namespaces/default/pods/web/exec?command=sh&container=app&stdout=true",
    );
    assert.equal(plain.status, 400);
    assert.equal(JSON.parse(plain.body).message, "Upgrade request required");
  });

  it("reports a kubelet that does not answer as upstream does", async () => {
    const { freePort } = await import("../../src/storage/testing/etcd-harness.ts");
    const closed = await freePort();
    const node = await api.client.create<{ metadata: { name: string } }>("/api/v1/nodes", {
      metadata: { name: "down" },
    });
    await api.client.update("/api/v1/nodes/down/status", {
      ...node,
      status: {
        addresses: [{ type: "InternalIP", address: "127.0.0.1" }],
        daemonEndpoints: { kubeletEndpoint: { Port: closed } },
      },
    });
    await api.client.create("/api/v1/namespaces/default/pods", {
      metadata: { name: "stranded" },
      spec: { nodeName: "down", containers: [{ name: "app", image: "busybox" }] },
    });
    const r = await raw("/api/v1/namespaces/default/pods/stranded/log");
    assert.equal(r.status, 500);
    assert.equal(
      JSON.parse(r.body).message,
      `Get "https://127.0.0.1:${closed}/containerLogs/default/stranded/app": dial tcp 127.0.0.1:${closed}: connect: connection refused`,
    );
  });

  it("proxies nodes/proxy to the kubelet's API", async () => {
    const r = await raw("/api/v1/nodes/n1/proxy/pods");
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).items[0].metadata.name, "web");
    assert.equal((await raw("/api/v1/nodes/n1/proxy/healthz")).body, "ok");
    assert.equal((await raw("/api/v1/nodes/n1/proxy/pods", jane)).status, 403);
  });
});
