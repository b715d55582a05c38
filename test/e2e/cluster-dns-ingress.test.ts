/**
 * Cluster DNS and the built-in ingress controller end to end: a real `bosun server` and a node
 * joined with a bootstrap token (`bosun agent --runtime simulated` with DNS and ingress on high
 * ports, so it runs as `system:node:<name>` under the node's RBAC and Node authorizer limits),
 * driven with real kubectl: `kube-dns` and IngressClass `bosun` exist; the node serves DNS and is
 * published behind kube-dns; a Service created by kubectl resolves; an Ingress with TLS from a
 * `kubectl create secret tls` Secret routes HTTP and HTTPS (by SNI) to a backend and gets the
 * node's address in its status.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { Resolver } from "node:dns/promises";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { TLSSocket } from "node:tls";
import { fileURLToPath } from "node:url";
import { createCA, issueCertificate } from "../../src/pki/certificate.ts";
import { freePort } from "../../src/storage/testing/etcd-harness.ts";
import { run, TestServer } from "./lib/server.ts";
import { until } from "./lib/wait.ts";

const bosun = fileURLToPath(new URL("../../bin/bosun.js", import.meta.url));
const hostIP = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === "IPv4" && !a.internal)?.address;

function fetchText(
  url: { port: number; host: string; https?: { ca: string } },
  path = "/",
): Promise<{ status: number; body: string; cn?: string }> {
  return new Promise((resolve, reject) => {
    const options = { host: hostIP, port: url.port, path, headers: { host: url.host } };
    const done = (res: import("node:http").IncomingMessage) => {
      const cn = url.https
        ? String((res.socket as TLSSocket).getPeerCertificate().subject?.CN ?? "")
        : undefined;
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body, ...(cn !== undefined ? { cn } : {}) }),
      );
    };
    const req = url.https
      ? httpsRequest({ ...options, servername: url.host, ca: url.https.ca }, done)
      : request(options, done);
    req.on("error", reject);
    req.end();
  });
}

describe("cluster DNS and ingress on a joined node", { skip: !hostIP && "no IPv4 address" }, () => {
  let s: TestServer;
  let agent: ChildProcess | undefined;
  let agentLog = "";
  let backend: Server;
  const tmp = mkdtempSync(join(tmpdir(), "bosun-dns-ingress-e2e-"));
  const ports = { dns: 0, http: 0, https: 0 };

  before(async () => {
    s = await TestServer.start();
    ports.dns = await freePort();
    ports.http = await freePort();
    ports.https = await freePort();
    const token = await run(process.execPath, [
      bosun,
      "token",
      "create",
      "--print-join-command",
      "--data-dir",
      s.dataDir,
    ]);
    assert.equal(token.code, 0, token.stderr);
    const joinCommand = token.stdout.trim().split(/\s+/).slice(1);
    agent = spawn(
      process.execPath,
      [
        bosun,
        ...joinCommand,
        "--runtime",
        "simulated",
        "--data-dir",
        join(tmp, "agent"),
        "--node-name",
        "edge-1",
        "--node-ip",
        hostIP!,
        "--dns-port",
        String(ports.dns),
        "--ingress-http-port",
        String(ports.http),
        "--ingress-https-port",
        String(ports.https),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    agent.stdout!.on("data", (d: Buffer) => (agentLog += d.toString()));
    agent.stderr!.on("data", (d: Buffer) => (agentLog += d.toString()));
    backend = createServer((req, res) =>
      res.end(`backend ${req.url} ${req.headers["x-forwarded-proto"]}`),
    );
    await new Promise<void>((r) => backend.listen(0, hostIP, r));
  });

  after(async () => {
    if (agent && agent.exitCode === null) {
      const exited = new Promise((r) => agent!.once("exit", r));
      agent.kill("SIGTERM");
      await exited;
    }
    backend?.closeAllConnections();
    await new Promise((r) => backend?.close(r));
    await s.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("has the kube-dns Service and the default IngressClass bosun", async () => {
    const svc = await s.json("get", "svc", "-n", "kube-system", "kube-dns");
    assert.equal(svc.spec.clusterIP, "10.96.0.10");
    assert.deepEqual(
      svc.spec.ports.map(
        (p: { name: string; port: number; protocol: string }) =>
          `${p.name} ${p.port}/${p.protocol}`,
      ),
      ["dns 53/UDP", "dns-tcp 53/TCP"],
    );
    const ic = await s.json("get", "ingressclass", "bosun");
    assert.equal(ic.metadata.annotations["ingressclass.kubernetes.io/is-default-class"], "true");
  });

  it("publishes the node's DNS server behind kube-dns", async () => {
    const slice = await until(
      `kube-dns endpoints (agent log: ${agentLog})`,
      async () => {
        const list = await s.json(
          "get",
          "endpointslices",
          "-n",
          "kube-system",
          "-l",
          "kubernetes.io/service-name=kube-dns",
        );
        const sl = list.items.find(
          (x: { metadata: { name: string } }) => x.metadata.name === "kube-dns-edge-1",
        );
        return sl?.endpoints?.[0]?.conditions?.ready ? sl : undefined;
      },
      60_000,
    );
    assert.deepEqual(slice.endpoints[0].addresses, [hostIP]);
    assert.equal(slice.ports[0].port, ports.dns);
  });

  it("resolves a Service created with kubectl, as the node", async () => {
    await s.k("create", "service", "clusterip", "web", "--tcp=80:8080");
    const ip = (await s.json("get", "svc", "web")).spec.clusterIP as string;
    const resolver = new Resolver({ timeout: 2000, tries: 2 });
    resolver.setServers([`${hostIP}:${ports.dns}`]);
    const got = await until("web resolves", () =>
      resolver.resolve4("web.default.svc.cluster.local"),
    );
    assert.deepEqual(got, [ip]);
    assert.deepEqual(await resolver.resolve4("kube-dns.kube-system.svc.cluster.local"), [
      "10.96.0.10",
    ]);
    await assert.rejects(resolver.resolve4("nope.default.svc.cluster.local"), {
      code: "ENOTFOUND",
    });
  });

  it("routes an Ingress with TLS to the backend and publishes the node in its status", async () => {
    const ca = createCA({ commonName: "e2e-ca" });
    const cert = issueCertificate({
      ca,
      commonName: "shop.example",
      dnsNames: ["shop.example"],
      usages: ["server"],
    });
    writeFileSync(join(tmp, "tls.crt"), cert.certPem);
    writeFileSync(join(tmp, "tls.key"), cert.keyPem);
    await s.k(
      "create",
      "secret",
      "tls",
      "shop-tls",
      "--cert",
      join(tmp, "tls.crt"),
      "--key",
      join(tmp, "tls.key"),
    );
    const backendPort = (backend.address() as AddressInfo).port;
    const manifest = `
apiVersion: v1
kind: Service
metadata: {name: shop}
spec:
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: shop-1
  labels: {kubernetes.io/service-name: shop}
addressType: IPv4
endpoints: [{addresses: ["${hostIP}"], conditions: {ready: true}}]
ports: [{name: http, port: ${backendPort}, protocol: TCP}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop}
spec:
  tls: [{hosts: [shop.example], secretName: shop-tls}]
  rules:
  - host: shop.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: shop, port: {name: http}}}}
`;
    const applied = await s.kubectl(["apply", "-f", "-"], { input: manifest });
    assert.equal(applied.code, 0, applied.stderr);
    const plain = await until("HTTP through the ingress", async () => {
      const r = await fetchText({ port: ports.http, host: "shop.example" }, "/cart");
      return r.status === 200 ? r : undefined;
    });
    assert.equal(plain.body, "backend /cart http");
    const secure = await until("HTTPS with the Secret's certificate", async () => {
      const r = await fetchText({
        port: ports.https,
        host: "shop.example",
        https: { ca: ca.certPem },
      });
      return r.cn === "shop.example" ? r : undefined;
    });
    assert.equal(secure.body, "backend / https");
    assert.equal((await fetchText({ port: ports.http, host: "other.example" })).status, 404);
    const status = await until("Ingress status", async () => {
      const ing = await s.json("get", "ingress", "shop");
      return ing.status?.loadBalancer?.ingress?.length
        ? ing.status.loadBalancer.ingress
        : undefined;
    });
    assert.deepEqual(status, [{ ip: hostIP }]);
  });
});
