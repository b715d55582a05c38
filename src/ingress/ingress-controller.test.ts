/**
 * The ingress controller against an in-process API server: real HTTP, HTTPS (SNI) and WebSocket
 * requests through it to small backends on 127.0.0.1, found through Services and EndpointSlices.
 */
import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import { after, before, describe, it } from "node:test";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import { WebSocket, WebSocketServer } from "ws";
import { InformerFactory } from "../client/informer-factory.ts";
import { resourcePath, resources } from "../client/resources.ts";
import { eventually, startTestApi, type TestApi } from "../client/testing/test-api.ts";
import { realClock } from "../machinery/clock.ts";
import { silentLogger } from "../machinery/log.ts";
import { createCA, issueCertificate } from "../pki/certificate.ts";
import {
  ingressResource,
  type RunningIngress,
  startIngressController,
} from "./ingress-controller.ts";

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function get(port: number, host: string, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: "127.0.0.1", path, headers: { host } }, (res) => {
      let body = "";
      res.on("data", (c) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

function getTls(port: number, servername: string, ca: string): Promise<Reply & { cn: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        port,
        host: "127.0.0.1",
        servername,
        path: "/",
        headers: { host: servername },
        ca,
        rejectUnauthorized: servername === "secure.example",
      },
      (res) => {
        const cert = (res.socket as TLSSocket).getPeerCertificate();
        let body = "";
        res.on("data", (c) => {
          body += c;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body,
            headers: res.headers,
            cn: String(cert.subject?.CN ?? ""),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** A backend answering `<name> <method> <url> <x-forwarded-for> <x-forwarded-proto>`. */
async function backend(name: string): Promise<Server> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      res.end(
        `${name} ${req.method} ${req.url} ${req.headers["x-forwarded-for"]} ${req.headers["x-forwarded-proto"]} ${req.headers["x-forwarded-host"]} ${body}`,
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, hostIP, r));
  return server;
}

const portOf = (s: Server) => (s.address() as AddressInfo).port;

/** EndpointSlices may not hold loopback addresses, so backends listen on the host's address. */
const hostIP = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === "IPv4" && !a.internal)?.address;

describe("ingress controller (in-process API, real HTTP)", {
  skip: !hostIP && "no non-loopback IPv4 address",
}, () => {
  let api: TestApi;
  let ingress: RunningIngress;
  const backends: Server[] = [];
  const stop = new AbortController();
  const ca = createCA({ commonName: "test-ca" });
  const cert = issueCertificate({
    ca,
    commonName: "secure.example",
    dnsNames: ["secure.example"],
    usages: ["server"],
  });

  async function service(name: string, ports: number[], opts: { deadPort?: number } = {}) {
    const c = api.client;
    await c.create(resourcePath(resources.services, "default"), {
      metadata: { name },
      spec: { clusterIP: "None", ports: [{ name: "http", port: 80, targetPort: 8080 }] },
    });
    // Every backend listens on the host's address on its own port: one slice per port, as pods whose
    // named port resolves differently get separate slices.
    for (const [i, port] of [...ports, ...(opts.deadPort ? [opts.deadPort] : [])].entries()) {
      await c.create(resourcePath(resources.endpointslices, "default"), {
        metadata: { name: `${name}-${i}`, labels: { "kubernetes.io/service-name": name } },
        addressType: "IPv4",
        endpoints: [{ addresses: [hostIP!], conditions: { ready: true } }],
        ports: [{ name: "http", port, protocol: "TCP" }],
      });
    }
  }

  before(async () => {
    api = await startTestApi();
    const c = api.client;
    // IngressClass bosun, the default, is created by the API server at start.
    for (const name of ["a1", "a2", "b", "ws"]) backends.push(await backend(name));
    const wss = new WebSocketServer({ server: backends[3]! });
    wss.on("connection", (sock, req) => {
      sock.on("message", (m) => sock.send(`echo ${m} via ${req.headers["x-forwarded-proto"]}`));
    });
    // A port with nothing listening: connections to it are refused.
    const dead = await backend("dead");
    const deadPort = portOf(dead);
    await new Promise((r) => dead.close(r));
    await service("app", [portOf(backends[0]!), portOf(backends[1]!)], { deadPort });
    await service("blog", [portOf(backends[2]!)]);
    await service("chat", [portOf(backends[3]!)]);
    await c.create(resourcePath(resources.services, "default"), {
      metadata: { name: "empty" },
      spec: { clusterIP: "None", ports: [{ name: "http", port: 80 }] },
    });
    await c.create(resourcePath(resources.secrets, "default"), {
      metadata: { name: "secure-tls" },
      type: "kubernetes.io/tls",
      data: {
        "tls.crt": Buffer.from(cert.certPem).toString("base64"),
        "tls.key": Buffer.from(cert.keyPem).toString("base64"),
      },
    });
    const be = (name: string) => ({ service: { name, port: { name: "http" } } });
    await c.create(resourcePath(ingressResource, "default"), {
      metadata: { name: "site" },
      spec: {
        tls: [{ hosts: ["secure.example"], secretName: "secure-tls" }],
        rules: [
          {
            host: "shop.example",
            http: {
              paths: [
                { path: "/", pathType: "Prefix", backend: be("app") },
                { path: "/blog", pathType: "Prefix", backend: be("blog") },
                { path: "/empty", pathType: "Exact", backend: be("empty") },
                { path: "/ws", pathType: "Prefix", backend: be("chat") },
              ],
            },
          },
          {
            host: "secure.example",
            http: { paths: [{ path: "/", pathType: "Prefix", backend: be("blog") }] },
          },
        ],
      },
    });
    await c.create(resourcePath(ingressResource, "default"), {
      metadata: { name: "other-class" },
      spec: {
        ingressClassName: "nginx",
        rules: [
          {
            host: "nginx.example",
            http: { paths: [{ path: "/", pathType: "Prefix", backend: be("app") }] },
          },
        ],
      },
    });
    await c.create(resourcePath(resources.nodes), { metadata: { name: "node-1" } });
    const informers = new InformerFactory(c);
    const started = startIngressController({
      client: c,
      informers,
      clock: realClock,
      log: silentLogger,
      nodeName: "node-1",
      host: "127.0.0.1",
      httpPort: 0,
      httpsPort: 0,
    });
    informers.start(stop.signal);
    ingress = await started;
  });

  after(async () => {
    await ingress?.stop();
    stop.abort();
    for (const b of backends) b.closeAllConnections();
    await Promise.all(backends.map((b) => new Promise((r) => b.close(r))));
    await api.stop();
  });

  it("routes by host and path, with X-Forwarded headers", async () => {
    const blog = await get(ingress.httpPort, "shop.example", "/blog/post?id=1");
    assert.equal(blog.status, 200);
    assert.equal(blog.body, "b GET /blog/post?id=1 127.0.0.1 http shop.example ");
    const root = await get(ingress.httpPort, "shop.example:8080", "/blogger");
    assert.match(root.body, /^a[12] /);
  });

  it("answers 404 without a matching rule and 503 without endpoints", async () => {
    const none = await get(ingress.httpPort, "unknown.example", "/");
    assert.equal(none.status, 404);
    assert.equal(none.body, "404 page not found\n");
    assert.equal((await get(ingress.httpPort, "nginx.example", "/")).status, 404, "another class");
    assert.equal((await get(ingress.httpPort, "shop.example", "/empty")).status, 503);
  });

  it("spreads requests over the endpoints and skips one that refuses connections", async () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const r = await get(ingress.httpPort, "shop.example", "/");
      assert.equal(r.status, 200);
      const who = r.body.split(" ")[0]!;
      seen.set(who, (seen.get(who) ?? 0) + 1);
    }
    assert.deepEqual([...seen.keys()].sort(), ["a1", "a2"]);
    assert.ok(ingress.proxy.stats.retries > 0, "the dead endpoint was tried and skipped");
  });

  it("serves TLS with the Secret's certificate by SNI, and the default one otherwise", async () => {
    // The TLS Secrets informer loads apart from the routes: wait for the certificate.
    const secure = await eventually(async () => {
      const r = await getTls(ingress.httpsPort, "secure.example", ca.certPem).catch(
        () => undefined,
      );
      return r?.cn === "secure.example" ? r : undefined;
    });
    assert.equal(secure.status, 200);
    assert.equal(secure.cn, "secure.example");
    assert.match(secure.body, /^b GET \/ 127\.0\.0\.1 https secure\.example/);
    const fallback = await getTls(ingress.httpsPort, "shop.example", ca.certPem);
    assert.equal(fallback.cn, "Bosun Ingress Default Certificate");
    assert.equal(fallback.status, 200);
    // A client dialing the address sends no SNI at all: the default certificate answers it too.
    const bare = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect(
        { port: ingress.httpsPort, host: "127.0.0.1", rejectUnauthorized: false },
        () => {
          resolve(String(socket.getPeerCertificate().subject?.CN ?? ""));
          socket.end();
        },
      );
      socket.on("error", reject);
    });
    assert.equal(bare, "Bosun Ingress Default Certificate");
  });

  it("passes WebSocket upgrades through", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${ingress.httpPort}/ws/chat`, {
      headers: { host: "shop.example" },
    });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on("open", () => ws.send("hello"));
      ws.on("message", (m) => resolve(String(m)));
      ws.on("error", reject);
    });
    ws.close();
    assert.equal(reply, "echo hello via http");
  });

  it("labels its node as an ingress node", async () => {
    await eventually(async () => {
      const n = await api.client.get<{ metadata?: { labels?: Record<string, string> } }>(
        resourcePath(resources.nodes, "", "node-1"),
      );
      return n.metadata?.labels?.["bosun.dev/ingress"] === "true";
    });
  });

  it("gives up a start that fails, leaving no informer or socket behind", async () => {
    // A client that records every Secrets watch's signal: each must be aborted after the failure.
    const signals: AbortSignal[] = [];
    const client = new Proxy(api.client, {
      get(target, prop, receiver) {
        if (prop !== "watch") {
          const value = Reflect.get(target, prop, receiver);
          return typeof value === "function" ? value.bind(target) : value;
        }
        return (path: string, query: unknown, signal: AbortSignal) => {
          if (path.includes("/secrets")) signals.push(signal);
          return target.watch(path, query as Record<string, string>, signal);
        };
      },
    });
    const informers = new InformerFactory(client);
    const stopInformers = new AbortController();
    const busy = portOf(backends[0]!);
    const start = startIngressController({
      client,
      informers,
      clock: realClock,
      log: silentLogger,
      host: hostIP!,
      httpPort: 0,
      httpsPort: busy,
    });
    informers.start(stopInformers.signal);
    await assert.rejects(start, /EADDRINUSE/);
    stopInformers.abort();
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(
      signals.every((s) => s.aborted),
      "the Secrets informer stopped",
    );

    // Stopped while waiting for its informers (never started here): the start gives up.
    const never = new AbortController();
    const waiting = startIngressController({
      client,
      informers: new InformerFactory(client),
      clock: realClock,
      log: silentLogger,
      host: "127.0.0.1",
      httpPort: 0,
      httpsPort: 0,
      signal: never.signal,
    });
    never.abort();
    await assert.rejects(waiting, /stopped before the informers synced/);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(
      signals.every((s) => s.aborted),
      "no Secrets informer left running",
    );
  });

  it("follows Ingress changes", async () => {
    await api.client.patch(resourcePath(ingressResource, "default", "site"), "json", [
      {
        op: "add",
        path: "/spec/rules/0/http/paths/-",
        value: {
          path: "/new",
          pathType: "Exact",
          backend: { service: { name: "blog", port: { number: 80 } } },
        },
      },
    ]);
    const r = await eventually(async () => {
      const res = await get(ingress.httpPort, "shop.example", "/new");
      return res.body.startsWith("b ") ? res : undefined;
    });
    assert.equal(r.status, 200);
  });
});
