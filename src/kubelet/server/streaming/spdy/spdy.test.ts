import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { describe, it } from "node:test";
import { constants, createDeflate, createInflate } from "node:zlib";
import { spdyDictionary } from "./dictionary.ts";
import { dataFrame, FLAG_FIN, FrameParser, pingFrame } from "./frames.ts";
import {
  decodeHeaders,
  encodeHeaders,
  HeaderCompressor,
  HeaderDecompressor,
} from "./header-block.ts";
import { SpdySession, type SpdyStream } from "./session.ts";

async function socketPair(): Promise<[Socket, Socket]> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  const accepted = once(server, "connection");
  const client = connect(port, "127.0.0.1");
  const [serverSide] = (await accepted) as [Socket];
  server.close();
  await once(client, "connect").catch(() => {});
  return [client, serverSide];
}

const collect = (s: SpdyStream) => {
  const chunks: Buffer[] = [];
  s.on("data", (d) => chunks.push(d));
  return { text: () => Buffer.concat(chunks).toString(), ended: once(s, "end") };
};

describe("SPDY/3.1", () => {
  it("has the 1423-byte SPDY/3 dictionary", () => {
    assert.equal(spdyDictionary.length, 1423);
    assert.equal(spdyDictionary.subarray(0, 11).toString("latin1"), "\0\0\0\u0007options");
    assert.ok(spdyDictionary.toString("latin1").endsWith("charset=iso-8859-1,utf-,*,enq=0."));
  });

  it("cuts frames out of bytes split anywhere", () => {
    const bytes = Buffer.concat([
      dataFrame(1, 0, Buffer.from("hello")),
      pingFrame(7),
      dataFrame(3, FLAG_FIN, Buffer.alloc(0)),
    ]);
    const parser = new FrameParser();
    const frames = [];
    for (const b of bytes) frames.push(...parser.push(Buffer.from([b])));
    assert.equal(frames.length, 3);
    assert.deepEqual(frames[0], {
      control: false,
      streamId: 1,
      flags: 0,
      data: Buffer.from("hello"),
    });
    assert.equal(frames[1]?.control, true);
    assert.equal(frames[2]?.flags, FLAG_FIN);
  });

  it("encodes header blocks with lower-case names", () => {
    const block = encodeHeaders({ streamType: "error", port: "80" });
    assert.deepEqual(decodeHeaders(block), { streamtype: "error", port: "80" });
  });

  it("compresses header blocks into one zlib stream any inflater reads with the dictionary", async () => {
    const c = new HeaderCompressor();
    const inflate = createInflate({ dictionary: spdyDictionary });
    const read = async (b: Buffer) => {
      const out: Buffer[] = [];
      const onData = (d: Buffer) => out.push(d);
      inflate.on("data", onData);
      inflate.write(b);
      await new Promise<void>((r) => inflate.flush(constants.Z_SYNC_FLUSH, () => r()));
      inflate.off("data", onData);
      return decodeHeaders(Buffer.concat(out));
    };
    assert.deepEqual(await read(c.compress({ streamtype: "error" })), { streamtype: "error" });
    assert.deepEqual(await read(c.compress({ streamtype: "stdout", x: "y".repeat(70000) })), {
      streamtype: "stdout",
      x: "y".repeat(70000),
    });
    inflate.destroy();
  });

  it("decompresses blocks a real deflater wrote with the dictionary, in order", async () => {
    const deflate = createDeflate({ dictionary: spdyDictionary });
    const blocks: Buffer[] = [];
    for (const h of [{ streamtype: "error" }, { streamtype: "data", port: "80", requestid: "0" }]) {
      const out: Buffer[] = [];
      const onData = (d: Buffer) => out.push(d);
      deflate.on("data", onData);
      deflate.write(encodeHeaders(h));
      await new Promise<void>((r) => deflate.flush(constants.Z_SYNC_FLUSH, () => r()));
      deflate.off("data", onData);
      blocks.push(Buffer.concat(out));
    }
    const d = new HeaderDecompressor();
    const results = await Promise.all(blocks.map((b) => d.decompress(b)));
    assert.deepEqual(results, [
      { streamtype: "error" },
      { streamtype: "data", port: "80", requestid: "0" },
    ]);
    d.close();
    deflate.destroy();
  });

  it("opens streams, replies, carries data both ways, half-closes and resets", async () => {
    const [a, b] = await socketPair();
    const client = new SpdySession(a, { client: true });
    const server = new SpdySession(b, { client: false });
    const incoming: SpdyStream[] = [];
    server.on("stream", (s) => {
      incoming.push(s);
      s.reply({ ok: "1" });
      s.on("data", (d) => s.write(Buffer.from(`echo:${d}`)));
      s.on("end", () => s.end());
    });
    const s1 = client.open({ streamtype: "stdin" });
    const s2 = client.open({ streamtype: "stdout" });
    assert.deepEqual(await s1.replied, { ok: "1" });
    await s2.replied;
    assert.deepEqual(
      incoming.map((s) => [s.id, s.headers.streamtype]),
      [
        [1, "stdin"],
        [3, "stdout"],
      ],
    );
    const out1 = collect(s1);
    s1.write(Buffer.from("hi"));
    s1.end();
    await out1.ended;
    assert.equal(out1.text(), "echo:hi");
    const closed = once(incoming[1]!, "close");
    s2.reset();
    await closed;
    client.close();
    await once(server, "close");
  });

  it("echoes the peer's pings and ends every stream when the connection goes", async () => {
    const [a, b] = await socketPair();
    const client = new SpdySession(a, { client: true });
    const seen: Buffer[] = [];
    b.on("data", (d: Buffer) => seen.push(d));
    const echoed = once(b, "data");
    b.write(pingFrame(2)); // a server ping (even id)
    await echoed;
    assert.deepEqual(Buffer.concat(seen), pingFrame(2));
    const s = client.open({ streamtype: "error" });
    const ended = once(s, "close");
    b.destroy();
    await ended;
    await assert.rejects(s.replied);
  });
});
