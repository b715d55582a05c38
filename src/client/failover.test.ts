import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import { createServer as createNetServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { FakeClock } from "../machinery/clock.ts";
import { silentLogger } from "../machinery/log.ts";
import { loadOrCreateClusterPKI } from "../pki/cluster-pki.ts";
import { freePort } from "../storage/testing/etcd-harness.ts";
import { ServerPool } from "./failover.ts";
import { createFailover, serversFromEndpoints } from "./failover-discovery.ts";
import { RestClient } from "./rest-client.ts";

/** A fake API server: GETs answer its name, POSTs are counted, watches stream an event a tick. */
interface FakeServer {
  readonly name: string;
  readonly url: string;
  posts: number;
  /** What a POST does: answer, answer after a while, or break the connection after reading it. */
  onPost: "answer" | "slow" | "break";
  /** The addresses its kubernetes Endpoints name. */
  endpoints: string[];
  stop(): Promise<void>;
}

let pki: Awaited<ReturnType<typeof loadOrCreateClusterPKI>>;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "bosun-failover-"));
  pki = await loadOrCreateClusterPKI(join(dir, "tls"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function fakeServer(name: string): Promise<FakeServer> {
  const port = await freePort();
  const fake: FakeServer = {
    name,
    url: `https://127.0.0.1:${port}`,
    posts: 0,
    onPost: "answer",
    endpoints: [],
    stop: async () => {},
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const json = (body: unknown) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "POST") {
      fake.posts++;
      if (fake.onPost === "break") return req.socket.destroy();
      if (fake.onPost === "slow") return void setTimeout(() => json({ server: name }), 300);
      return json({ server: name });
    }
    if (req.url?.includes("watch=true")) {
      res.writeHead(200, { "Content-Type": "application/json" });
      const tick = setInterval(
        () => res.write(`${JSON.stringify({ type: "ADDED", object: { server: name } })}\n`),
        20,
      );
      res.on("close", () => clearInterval(tick));
      return;
    }
    if (req.url?.endsWith("/endpoints/kubernetes")) {
      return json({
        subsets: [
          {
            addresses: fake.endpoints.map((ip) => ({ ip })),
            ports: [{ name: "https", port: 443 }],
          },
        ],
      });
    }
    json({ server: name });
  };
  const server: Server = createServer(
    { cert: pki.serving.certPem, key: pki.serving.keyPem },
    handler,
  );
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  fake.stop = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  return fake;
}

function clientFor(pool: ServerPool): RestClient {
  return new RestClient({
    server: pool.seed,
    caPem: pki.ca.certPem,
    certPem: pki.admin.certPem,
    keyPem: pki.admin.keyPem,
    servers: pool,
    connectTimeoutMs: 500,
  });
}

const pool = (seed: string, probe?: (u: URL) => Promise<boolean>) =>
  new ServerPool({
    seed,
    clock: new FakeClock(),
    log: silentLogger,
    ...(probe ? { probe } : {}),
  });

test("requests move to the next server when the current one stops", async () => {
  const a = await fakeServer("a");
  const b = await fakeServer("b");
  const servers = pool(a.url);
  servers.setServers([a.url, b.url]);
  const client = clientFor(servers);
  assert.deepEqual(await client.get("/api/v1/namespaces/default/configmaps/x"), { server: "a" });
  await a.stop();
  const started = performance.now();
  assert.deepEqual(await client.get("/api/v1/namespaces/default/configmaps/x"), { server: "b" });
  assert.ok(performance.now() - started < 5_000);
  assert.equal(servers.current(), b.url);
  assert.equal(servers.healthy(a.url), false);
  // A POST that could not connect was never sent: it goes to the live server.
  servers.setServers([a.url, b.url]);
  assert.deepEqual(await client.create("/api/v1/namespaces/default/configmaps", {}), {
    server: "b",
  });
  client.close();
  await b.stop();
});

test("a client made before its pool fails over once given it (useServers)", async () => {
  const a = await fakeServer("a");
  const b = await fakeServer("b");
  const client = new RestClient({ server: a.url, caPem: pki.ca.certPem });
  assert.deepEqual(await client.get("/x"), { server: "a" });
  const servers = pool(a.url);
  servers.setServers([b.url]);
  client.useServers(servers);
  await a.stop();
  assert.deepEqual(await client.get("/x"), { server: "b" });
  client.close();
  await b.stop();
});

test("a POST that may have reached the server is never sent again", async () => {
  const a = await fakeServer("a");
  const b = await fakeServer("b");
  const servers = pool(a.url);
  servers.setServers([b.url]);
  const client = clientFor(servers);
  a.onPost = "break";
  await assert.rejects(client.create("/api/v1/namespaces/default/configmaps", {}));
  assert.equal(a.posts, 1);
  assert.equal(b.posts, 0);
  // A broken connection alone does not make the server dead (the probes decide).
  assert.equal(servers.current(), a.url);
  assert.deepEqual(await client.get("/api/v1/namespaces/default/configmaps/x"), { server: "a" });
  client.close();
  await a.stop();
  await b.stop();
});

test("a busy server is not taken for a dead one and no queued POST is sent twice", async () => {
  // More requests than the keep-alive agent's 64 sockets: the rest wait for a socket, and get one
  // as answers free them, after the 500 ms connect timeout of a connection opened at once.
  const a = await fakeServer("a");
  const b = await fakeServer("b");
  const servers = pool(a.url);
  servers.setServers([a.url, b.url]);
  const client = clientFor(servers);
  a.onPost = "slow";
  const answers = await Promise.all(
    Array.from({ length: 150 }, () =>
      client.create<{ server: string }>("/api/v1/namespaces/default/configmaps", {}),
    ),
  );
  assert.equal(a.posts + b.posts, 150, "every POST reaches a server exactly once");
  assert.ok(answers.every((x) => x.server === "a"));
  assert.equal(servers.healthy(a.url), true);
  client.close();
  await a.stop();
  await b.stop();
});

test("a server that accepts connections but never completes a handshake is left after the connect timeout", async () => {
  const sockets: Socket[] = [];
  const silent = createNetServer((s) => sockets.push(s));
  const port = await freePort();
  await new Promise<void>((r) => silent.listen(port, "127.0.0.1", r));
  const b = await fakeServer("b");
  const servers = pool(`https://127.0.0.1:${port}`);
  servers.setServers([servers.seed, b.url]);
  const client = clientFor(servers);
  const started = performance.now();
  // Not sent (no handshake), so even a POST goes to the next server.
  assert.deepEqual(await client.create("/api/v1/namespaces/default/configmaps", {}), {
    server: "b",
  });
  const took = performance.now() - started;
  assert.ok(took >= 450 && took < 3_000, `took ${took} ms`);
  assert.equal(b.posts, 1);
  client.close();
  await b.stop();
  silent.close();
  for (const s of sockets) s.destroy();
});

test("without a pool a failed connection is the caller's error, as before", async () => {
  const a = await fakeServer("a");
  const plain = new RestClient({ server: a.url, caPem: pki.ca.certPem });
  await a.stop();
  await assert.rejects(plain.get("/x"), /ECONNREFUSED/);
  plain.close();
});

test("watches move to the live server when the probe finds theirs dead", async () => {
  const a = await fakeServer("a");
  const b = await fakeServer("b");
  let aAlive = true;
  const servers = pool(a.url, async (u) => (u.port === new URL(a.url).port ? aAlive : true));
  servers.setServers([a.url, b.url]);
  const client = clientFor(servers);
  const stop = new AbortController();
  const seen: string[] = [];
  let ended = 0;
  // As an informer does: watch, and re-watch when the stream ends or fails.
  const loop = (async () => {
    while (!stop.signal.aborted) {
      try {
        for await (const ev of client.watch<{ server: string }>("/api/v1/pods", {}, stop.signal)) {
          seen.push(ev.object.server);
        }
      } catch {}
      ended++;
    }
  })();
  while (!seen.includes("a")) await new Promise((r) => setTimeout(r, 10));
  // a's host vanishes: it stays open but the probe fails (twice, as a dead host would).
  aAlive = false;
  const started = performance.now();
  await servers.probeAll();
  await servers.probeAll();
  while (!seen.includes("b")) await new Promise((r) => setTimeout(r, 10));
  const ms = performance.now() - started;
  assert.ok(ms < 5_000, `watch moved in ${ms} ms`);
  assert.ok(ended >= 1);
  stop.abort();
  await loop;
  // a answers again: it is healthy, but the client stays on b until b fails.
  aAlive = true;
  await servers.probeAll();
  assert.equal(servers.healthy(a.url), true);
  assert.equal(servers.current(), b.url);
  client.close();
  await a.stop();
  await b.stop();
});

test("discovery fills the pool from the kubernetes Endpoints, seed first", async () => {
  const a = await fakeServer("a");
  a.endpoints = ["10.0.0.2", "10.0.0.1"];
  const failover = createFailover(a.url, silentLogger, { clock: new FakeClock() });
  const client = clientFor(failover.pool);
  failover.start(client);
  const deadline = Date.now() + 5_000;
  while (failover.pool.size < 3 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.deepEqual(failover.pool.servers(), [
    a.url,
    "https://10.0.0.2:443",
    "https://10.0.0.1:443",
  ]);
  failover.stop();
  client.close();
  await a.stop();
});

test("the discovered servers are saved and seed the next start", async () => {
  const a = await fakeServer("a");
  a.endpoints = ["10.0.0.2"];
  const stateFile = join(dir, "agent", "api-servers.json");
  const first = createFailover(a.url, silentLogger, { clock: new FakeClock(), stateFile });
  const client = clientFor(first.pool);
  first.start(client);
  const deadline = Date.now() + 5_000;
  while (!existsSync(stateFile) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  first.stop();
  client.close();
  await a.stop();
  // The seed is down at the next start: the saved servers are there to fail over to.
  const next = createFailover(a.url, silentLogger, { clock: new FakeClock(), stateFile });
  assert.deepEqual(next.pool.servers(), [a.url, "https://10.0.0.2:443"]);
});

test("serversFromEndpoints names the https port and brackets IPv6", () => {
  assert.deepEqual(
    serversFromEndpoints({
      subsets: [
        {
          addresses: [{ ip: "172.31.0.11" }, { ip: "fd00::1" }],
          ports: [{ name: "https", port: 6443, protocol: "TCP" }],
        },
      ],
    }),
    ["https://172.31.0.11:6443", "https://[fd00::1]:6443"],
  );
});

test("the probe takes a server down only after two failures, a failed request at once", async () => {
  let up = true;
  const servers = pool("https://10.0.0.1:6443", async () => up);
  servers.setServers(["https://10.0.0.2:6443"]);
  const downs: string[] = [];
  servers.onDown((s) => downs.push(s));
  up = false;
  await servers.probeAll();
  assert.equal(servers.current(), "https://10.0.0.1:6443");
  await servers.probeAll();
  assert.equal(servers.healthy("https://10.0.0.1:6443"), false);
  assert.deepEqual(downs.sort(), ["https://10.0.0.1:6443", "https://10.0.0.2:6443"]);
  up = true;
  await servers.probeAll();
  servers.reportFailure("https://10.0.0.1:6443");
  assert.equal(servers.current(), "https://10.0.0.2:6443");
});
