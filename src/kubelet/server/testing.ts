/**
 * Test doubles for the kubelet server: certificates from a throwaway CA, a review client that
 * answers from a table, and a runtime streaming server speaking SPDY/3.1 (the protocol
 * containerd's streaming server speaks) that runs a scripted command, so exec, attach and
 * port-forward are tested end to end without containerd.
 */
import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { createServer } from "../../machinery/node-http.ts";
import { createCA, issueCertificate } from "../../pki/certificate.ts";
import type { Decision, KubeletUser, ReviewClient } from "./auth.ts";
import type { KubeletAttributes } from "./request-attributes.ts";
import { SpdySession, type SpdyStream } from "./streaming/spdy/session.ts";

export function testCertificates() {
  const ca = createCA({ commonName: "test-ca" });
  const serving = issueCertificate({
    ca,
    commonName: "node",
    dnsNames: ["localhost"],
    ipAddresses: ["127.0.0.1"],
    usages: ["server"],
  });
  const client = (commonName: string, organizations: string[] = []) =>
    issueCertificate({ ca, commonName, organizations, usages: ["client"] });
  return { ca, serving, client };
}

/** Reviews from tables: tokens to users, and who may do what (`user verb subresource`). */
export class FakeReviews implements ReviewClient {
  readonly tokens = new Map<string, KubeletUser>();
  readonly allowed = new Set<string>();
  calls = 0;

  async tokenReview(token: string): Promise<KubeletUser | undefined> {
    this.calls++;
    return this.tokens.get(token);
  }

  async subjectAccessReview(user: KubeletUser, a: KubeletAttributes): Promise<Decision> {
    this.calls++;
    return { allowed: this.allowed.has(`${user.username} ${a.verb} ${a.subresource}`) };
  }
}

export type FakeCommand = (streams: Map<string, SpdyStream>) => Promise<string>;

/**
 * An HTTP server that upgrades `/exec/<token>?streams=N` to SPDY (protocol v4), accepts the
 * client's N streams, runs `command` with them and writes its status JSON on the error stream;
 * `portforward.k8s.io` connections echo each data stream prefixed with its port.
 */
export async function startFakeStreamingServer(command: FakeCommand) {
  const sessions: SpdySession[] = [];
  const server: Server = createServer((_req, res) => {
    res.writeHead(400);
    res.end("upgrade required");
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const offered = String(req.headers["x-stream-protocol-version"] ?? "").split(/,\s*/);
    const protocol = offered.find((p) => p === "v4.channel.k8s.io" || p === "portforward.k8s.io");
    if (String(req.headers.upgrade).toLowerCase() !== "spdy/3.1" || !protocol) {
      socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`,
    );
    const session = new SpdySession(socket, { client: false, head });
    sessions.push(session);
    const streams = new Map<string, SpdyStream>();
    session.on("stream", (s) => {
      // As a busy runtime can, answer the last stream, start the process and send what it writes
      // at once in one segment: a relay must not miss output that comes with the replies.
      socket.cork();
      setImmediate(() => socket.uncork());
      s.reply();
      if (protocol === "portforward.k8s.io") {
        // Echo the data stream's bytes, prefixed with the port, as a pod's echo server would.
        if (s.headers.streamtype === "data") {
          s.on("data", (d) => s.write(Buffer.from(`${s.headers.port}:${d}`)));
          s.on("end", () => s.end());
        } else s.end();
        return;
      }
      streams.set(s.headers.streamtype ?? "", s);
      const want = Number(new URL(req.url ?? "/", "http://x").searchParams.get("streams") ?? 4);
      if (streams.size === want) {
        void command(streams).then((status) => {
          const error = streams.get("error")!;
          error.write(Buffer.from(status));
          error.end();
        });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    async stop() {
      for (const s of sessions) s.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * A bare WebSocket client for subprotocols `ws` will not send (`SPDY/3.1+portforward.k8s.io`, as
 * kubectl offers it): the handshake, masked binary messages out, unmasked messages in.
 */
export async function rawWebSocket(options: {
  host: string;
  port: number;
  path: string;
  protocol: string;
  tls: { ca: string; cert: string; key: string };
}): Promise<{
  protocol: string;
  send(b: Buffer): void;
  onMessage(f: (b: Buffer) => void): void;
  close(): void;
}> {
  const { connect } = await import("node:tls");
  const { randomBytes, createHash } = await import("node:crypto");
  const socket = connect({
    host: options.host,
    port: options.port,
    ...options.tls,
    ALPNProtocols: ["http/1.1"],
  });
  await new Promise((r) => socket.once("secureConnect", r));
  const key = randomBytes(16).toString("base64");
  socket.write(
    `GET ${options.path} HTTP/1.1\r\nHost: ${options.host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Protocol: ${options.protocol}\r\n\r\n`,
  );
  let buffer = Buffer.alloc(0);
  const head = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      buffer = Buffer.concat([buffer, d]);
      const end = buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      const text = buffer.subarray(0, end).toString();
      buffer = buffer.subarray(end + 4);
      resolve(text);
    };
    socket.on("data", onData);
    socket.once("error", reject);
  });
  const accept = createHash("sha1")
    .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
    .digest("base64");
  if (!head.startsWith("HTTP/1.1 101") || !head.includes(accept))
    throw new Error(`handshake failed:\n${head}`);
  const protocol = /sec-websocket-protocol: *(.*)/i.exec(head)?.[1]?.trim() ?? "";
  const listeners: Array<(b: Buffer) => void> = [];
  const parse = () => {
    while (buffer.length >= 2) {
      let len = buffer[1]! & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buffer.length < 4) return;
        len = buffer.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (buffer.length < 10) return;
        len = Number(buffer.readBigUInt64BE(2));
        at = 10;
      }
      if (buffer.length < at + len) return;
      const opcode = buffer[0]! & 0x0f;
      const payload = buffer.subarray(at, at + len);
      buffer = buffer.subarray(at + len);
      if (opcode === 2) for (const l of listeners) l(Buffer.from(payload));
    }
  };
  socket.on("data", (d: Buffer) => {
    buffer = Buffer.concat([buffer, d]);
    parse();
  });
  const frame = (opcode: number, payload: Buffer) => {
    const mask = randomBytes(4);
    const len = payload.length;
    const header =
      len < 126
        ? Buffer.from([0x80 | opcode, 0x80 | len])
        : Buffer.concat([
            Buffer.from([0x80 | opcode, 0x80 | 126]),
            Buffer.from([len >> 8, len & 0xff]),
          ]);
    const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
    socket.write(Buffer.concat([header, mask, masked]));
  };
  return {
    protocol,
    send: (b) => frame(2, b),
    onMessage: (f) => {
      listeners.push(f);
      parse();
    },
    close: () => {
      frame(8, Buffer.from([0x03, 0xe8]));
      socket.end();
    },
  };
}
