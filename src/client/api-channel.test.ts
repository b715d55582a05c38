/**
 * The in-process API channel (ADR 29) end to end: the client's `ApiChannel` against the server's
 * `serveChannel` with handlers written as for Node's HTTP server, over a real MessageChannel.
 */
import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, describe, it } from "node:test";
import { MessageChannel } from "node:worker_threads";
import { type ChannelHandler, isChannelRequest, serveChannel } from "../apiserver/http/channel.ts";
import { ApiChannel, type ChannelAnswer, type ChannelError } from "./api-channel.ts";

const text = (body: ChannelAnswer["body"]) =>
  typeof body === "string" ? body : Buffer.from(body ?? new Uint8Array()).toString("utf8");

async function readAll(req: IncomingMessage): Promise<string> {
  let out = "";
  for await (const chunk of req) out += (chunk as Buffer).toString("utf8");
  return out;
}

describe("the API channel", () => {
  let stops: Array<() => Promise<void>> = [];
  let clients: ApiChannel[] = [];
  afterEach(async () => {
    for (const c of clients) c.close();
    for (const stop of stops) await stop();
    stops = [];
    clients = [];
  });

  function connect(handler: ChannelHandler): {
    client: ApiChannel;
    stop: (ms?: number) => Promise<void>;
  } {
    const { port1, port2 } = new MessageChannel();
    const stop = serveChannel(port1, handler);
    stops.push(() => stop(0));
    const client = new ApiChannel(port2);
    clients.push(client);
    return { client, stop };
  }

  it("carries a request whole and its answer whole: method, path, headers, body, status", async () => {
    let seen:
      | {
          method?: string | undefined;
          url?: string | undefined;
          auth?: string | undefined;
          body: string;
          channel: boolean;
        }
      | undefined;
    const { client } = connect(async (req, res) => {
      seen = {
        method: req.method,
        url: req.url,
        auth: req.headers.authorization,
        body: await readAll(req),
        channel: isChannelRequest(req),
      };
      res.setHeader("Warning", ['299 - "one"', '299 - "two"']);
      res.writeHead(201, { "Content-Type": "application/json", "Content-Length": 11 });
      res.end('{"ok":true}');
    });
    const answer = await client.request("POST", "/api/v1/namespaces?dryRun=All", {
      headers: { Authorization: "Bearer t", "Content-Type": "application/json" },
      body: '{"metadata":{"name":"é"}}',
    });
    assert.deepEqual(seen, {
      method: "POST",
      url: "/api/v1/namespaces?dryRun=All",
      auth: "Bearer t",
      body: '{"metadata":{"name":"é"}}',
      channel: true,
    });
    assert.equal(answer.status, 201);
    assert.equal(answer.stream, undefined);
    assert.equal(text(answer.body), '{"ok":true}');
    assert.deepEqual(answer.headers.warning, ['299 - "one"', '299 - "two"']);
    assert.equal(answer.headers["content-length"], "11");
  });

  it("sends exactly the bytes of a body that is a view into a larger buffer", async () => {
    const pool = Buffer.from(`xxxx{"a":"ü"}yyyy`);
    const view = pool.subarray(4, pool.length - 4);
    const { client } = connect((_req, res) => {
      res.writeHead(200);
      res.end(view);
    });
    const answer = await client.request("GET", "/x", { headers: {} });
    assert.equal(text(answer.body), '{"a":"ü"}');
    // The server's buffer is still its own (a copy crossed, not the buffer).
    assert.equal(view.toString(), '{"a":"ü"}');
  });

  it("streams an answer in order, and a client that stops reading closes the server's side", async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((r) => {
      closed = r;
    });
    const { client } = connect((req, res) => {
      req.socket.once("close", closed);
      res.writeHead(200, { "Content-Type": "application/json" });
      res.flushHeaders();
      res.write('{"n":1}\n');
      res.write(Buffer.from('{"n":2}\n'));
      setTimeout(() => res.write('{"n":3}\n'), 5);
    });
    const answer = await client.request("GET", "/watch", { headers: {} });
    assert.equal(answer.status, 200);
    const got: string[] = [];
    for await (const chunk of answer.stream!) {
      got.push(text(chunk).trim());
      if (got.length === 3) break;
    }
    assert.deepEqual(got, ['{"n":1}', '{"n":2}', '{"n":3}']);
    await serverSawClose;
  });

  it("ends a stream the server ends, with what it wrote last", async () => {
    const { client } = connect((_req, res) => {
      res.writeHead(200);
      res.write("a");
      res.end("b");
    });
    const answer = await client.request("GET", "/w", { headers: {} });
    const chunks: string[] = [];
    for await (const c of answer.stream!) chunks.push(text(c));
    assert.deepEqual(chunks, ["a", "b"]);
  });

  it("fails a stream the server drops as a reset connection", async () => {
    const { client } = connect((_req, res) => {
      res.writeHead(200);
      res.write("a");
      setTimeout(() => res.destroy(), 5);
    });
    const answer = await client.request("GET", "/w", { headers: {} });
    await assert.rejects(
      (async () => {
        for await (const _ of answer.stream!) {
          // read until it fails
        }
      })(),
      (err: ChannelError) => err.code === "ECONNRESET" && err.sent,
    );
  });

  it("gives up on an aborted or timed-out request and tells the server", async () => {
    let closes = 0;
    const { client } = connect((req) => {
      req.socket.once("close", () => closes++);
      // never answers
    });
    const abort = new AbortController();
    const aborted = client.request("GET", "/slow", { headers: {}, signal: abort.signal });
    setTimeout(() => abort.abort(), 5);
    await assert.rejects(aborted, (err: Error) => err.name === "AbortError");
    await assert.rejects(
      client.request("GET", "/slow", { headers: {}, timeoutMs: 20 }),
      (err: ChannelError) => err.code === "ETIMEDOUT",
    );
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(closes, 2);
  });

  it("on stop refuses new requests as never read, lets open ones finish, then closes", async () => {
    let finish!: () => void;
    const { client, stop } = connect((_req, res) => {
      finish = () => res.end("done");
    });
    const open = client.request("GET", "/open", { headers: {} });
    await new Promise((r) => setTimeout(r, 10));
    const stopped = stop(5_000);
    await assert.rejects(
      client.request("GET", "/late", { headers: {} }),
      (err: ChannelError) => err.code === "ECONNREFUSED" && !err.sent,
    );
    finish();
    assert.equal(text((await open).body), "done");
    await stopped;
    await assert.rejects(
      client.request("GET", "/after", { headers: {} }),
      (err: ChannelError) => err.code === "ECONNREFUSED" && !err.sent,
    );
  });

  it("resets what is still open when the grace period ends", async () => {
    const { client, stop } = connect(() => {
      // never answers
    });
    const open = client.request("GET", "/open", { headers: {} });
    await new Promise((r) => setTimeout(r, 10));
    await stop(10);
    await assert.rejects(open, (err: ChannelError) => err.code === "ECONNRESET" && err.sent);
  });

  it("answers HTTP-style handlers that use the response's header API", async () => {
    const { client } = connect((_req, res: ServerResponse) => {
      res.statusCode = 404;
      res.setHeader("X-A", "1");
      assert.equal(res.getHeader("x-a"), "1");
      assert.ok(res.hasHeader("X-A"));
      res.removeHeader("X-A");
      assert.equal(res.headersSent, false);
      res.end();
      assert.equal(res.headersSent, true);
    });
    const answer = await client.request("DELETE", "/x", { headers: {} });
    assert.equal(answer.status, 404);
    assert.equal(answer.headers["x-a"], undefined);
    assert.equal(text(answer.body), "");
  });
});
