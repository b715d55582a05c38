import assert from "node:assert/strict";
import { connect, createServer, type Server, type Socket } from "node:net";
import { test } from "node:test";
import { FakeClock } from "../machinery/clock.ts";
import { silentLogger } from "../machinery/log.ts";
import { ApiBalancer } from "./lb.ts";

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
