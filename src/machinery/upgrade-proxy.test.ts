import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingMessage, request } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { describe, it } from "node:test";
import { forwardedHeaders, proxyUpgrade } from "./upgrade-proxy.ts";

/** A backend that switches protocols (echoing bytes) when asked nicely, else refuses with 403. */
async function backend() {
  const seen: IncomingMessage[] = [];
  const server = createServer((_req, res) => res.end());
  server.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
    seen.push(req);
    if (req.headers["x-please"] !== "yes") {
      socket.end(
        "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nnope",
      );
      return;
    }
    socket.write(
      "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n",
    );
    socket.pipe(socket);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, seen, port: (server.address() as AddressInfo).port };
}

/** A front that proxies every upgrade to the backend. */
async function front(target: number) {
  const server = createServer();
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void proxyUpgrade(socket, head, {
      url: new URL(`http://127.0.0.1:${target}${req.url}`),
      method: req.method ?? "GET",
      headers: forwardedHeaders(req, ["authorization"]),
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, port: (server.address() as AddressInfo).port };
}

function upgrade(port: number, headers: Record<string, string | string[]>) {
  return new Promise<{ socket?: Duplex; status: number; body: string }>((resolve, reject) => {
    const req = request({
      port,
      host: "127.0.0.1",
      path: "/x",
      headers: { connection: "Upgrade", upgrade: "echo", ...headers },
    });
    req.on("upgrade", (res, socket) => resolve({ socket, status: res.statusCode ?? 0, body: "" }));
    req.on("response", (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("upgrade proxy", () => {
  it("splices the connections once the backend switches protocols", async () => {
    const b = await backend();
    const f = await front(b.port);
    const r = await upgrade(f.port, {
      "x-please": "yes",
      authorization: "Bearer secret",
      "x-stream-protocol-version": ["v5.channel.k8s.io", "v4.channel.k8s.io"],
    });
    assert.equal(r.status, 101);
    r.socket!.write("ping");
    const [echo] = (await once(r.socket!, "data")) as [Buffer];
    assert.equal(echo.toString(), "ping");
    const seen = b.seen[0]!;
    assert.equal(seen.headers.authorization, undefined, "credentials are not forwarded");
    assert.deepEqual(seen.headersDistinct["x-stream-protocol-version"], [
      "v5.channel.k8s.io",
      "v4.channel.k8s.io",
    ]);
    r.socket!.destroy();
    f.server.close();
    b.server.close();
  });

  it("relays a refusal with its status and body", async () => {
    const b = await backend();
    const f = await front(b.port);
    assert.deepEqual(await upgrade(f.port, {}), { status: 403, body: "nope" });
    f.server.close();
    b.server.close();
  });
});
