import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FakeClock } from "../machinery/clock.ts";
import { silentLogger } from "../machinery/log.ts";
import { loadOrCreateClusterPKI } from "../pki/cluster-pki.ts";
import { ApiBalancer, readyzProbe } from "./lb.ts";

/** A backend that greets each connection with its name and echoes what it gets. */
async function backend(name: string): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
    s.write(`${name}\n`);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    stop: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** Connects through the balancer and reads the greeting (or "" when the balancer hangs up). */
function greet(port: number): Promise<{ name: string; socket: Socket }> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let text = "";
    socket.on("data", (d) => {
      text += d.toString();
      if (text.includes("\n")) resolve({ name: text.trim(), socket });
    });
    socket.on("error", () => resolve({ name: "", socket }));
    socket.on("close", () => resolve({ name: text.trim(), socket }));
  });
}

async function setup(names: string[], probe?: (u: URL) => Promise<boolean>) {
  const backends = await Promise.all(names.map(backend));
  const lb = new ApiBalancer({
    host: "127.0.0.1",
    port: 0,
    backends: backends.map((b) => ({ host: "127.0.0.1", port: b.port })),
    clock: new FakeClock(),
    log: silentLogger,
    ...(probe ? { probe } : {}),
  });
  const port = await lb.start();
  return { backends, lb, port };
}

test("connections are spread round-robin over the masters", async () => {
  const { backends, lb, port } = await setup(["a", "b", "c"]);
  const seen: string[] = [];
  for (let i = 0; i < 6; i++) {
    const { name, socket } = await greet(port);
    seen.push(name);
    socket.destroy();
  }
  assert.deepEqual(seen, ["a", "b", "c", "a", "b", "c"]);
  await lb.stop();
  for (const b of backends) await b.stop();
});

test("a stopped master is skipped: its connection goes to the next one", async () => {
  const { backends, lb, port } = await setup(["a", "b", "c"]);
  await backends[1]!.stop();
  const seen: string[] = [];
  for (let i = 0; i < 6; i++) {
    const { name, socket } = await greet(port);
    seen.push(name);
    socket.destroy();
  }
  assert.ok(!seen.includes("b"), seen.join(","));
  assert.ok(!seen.includes(""), seen.join(","));
  assert.deepEqual(lb.live().length, 2);
  await lb.stop();
  await backends[0]!.stop();
  await backends[2]!.stop();
});

test("a master the probe finds dead loses its connections and comes back when it answers", async () => {
  const alive = new Map([
    ["a", true],
    ["b", true],
  ]);
  let ports: number[] = [];
  const probe = async (u: URL) => alive.get(ports[0] === Number(u.port) ? "a" : "b")!;
  const { backends, lb, port } = await setup(["a", "b"], probe);
  ports = backends.map((b) => b.port);
  const first = await greet(port);
  assert.equal(first.name, "a");
  const closed = new Promise((r) => first.socket.once("close", r));
  alive.set("a", false);
  await lb.probeAll();
  assert.equal(lb.live().length, 2, "one failed probe is not enough");
  await lb.probeAll();
  await closed;
  assert.equal((await greet(port)).name, "b");
  assert.equal((await greet(port)).name, "b");
  alive.set("a", true);
  await lb.probeAll();
  assert.deepEqual(lb.live().length, 2);
  await lb.stop();
  for (const b of backends) await b.stop();
});

test("with every master down a connection is closed, not left hanging", async () => {
  const { backends, lb, port } = await setup(["a"]);
  await backends[0]!.stop();
  assert.equal((await greet(port)).name, "");
  await lb.stop();
});

test("the readyz probe asks /readyz over TLS once the CA is known, a TCP connect before", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bosun-lb-"));
  const pki = await loadOrCreateClusterPKI(join(dir, "tls"));
  let ready = true;
  const server = createHttpsServer(
    { cert: pki.serving.certPem, key: pki.serving.keyPem },
    (req, res) => {
      res.writeHead(req.url === "/readyz" && ready ? 200 : 503);
      res.end(ready ? "ok" : "[-]etcd failed");
    },
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = new URL(`https://127.0.0.1:${(server.address() as { port: number }).port}`);
  let ca: string | undefined;
  const probe = readyzProbe(() => ca);
  ready = false;
  assert.equal(await probe(url, 2_000), true, "TCP only without the CA");
  ca = pki.ca.certPem;
  assert.equal(await probe(url, 2_000), false);
  ready = true;
  assert.equal(await probe(url, 2_000), true);
  server.close();
  server.closeAllConnections();
  assert.equal(await probe(url, 2_000), false);
  rmSync(dir, { recursive: true, force: true });
});
