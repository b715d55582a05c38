import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { TLSSocket } from "node:tls";
import { loadOrCreateClusterPKI } from "../pki/cluster-pki.ts";
import { freePort } from "../storage/testing/etcd-harness.ts";
import { RestClient } from "./rest-client.ts";

let pki: Awaited<ReturnType<typeof loadOrCreateClusterPKI>>;
let otherPki: Awaited<ReturnType<typeof loadOrCreateClusterPKI>>;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "bosun-rest-client-"));
  pki = await loadOrCreateClusterPKI(join(dir, "tls"));
  otherPki = await loadOrCreateClusterPKI(join(dir, "other"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** An HTTPS server that answers every request after `delayMs` with the client certificate's CN. */
async function slowServer(
  serving: { certPem: string; keyPem: string },
  delayMs: number,
): Promise<{ url: string; server: Server; open(): Promise<number> }> {
  const port = await freePort();
  const server = createServer(
    {
      cert: serving.certPem,
      key: serving.keyPem,
      ca: pki.ca.certPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      setTimeout(() => {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ cn: peer.subject?.CN ?? null }));
      }, delayMs);
    },
  );
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  const open = () =>
    new Promise<number>((resolve, reject) =>
      server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
    );
  return { url: `https://127.0.0.1:${port}`, server, open };
}

function stop(server: Server): Promise<void> {
  return new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
  });
}

test("a burst's connections are reused, then closed once idle; each presents the client certificate", async () => {
  const s = await slowServer(pki.serving, 100);
  const client = new RestClient({
    server: s.url,
    caPem: pki.ca.certPem,
    certPem: pki.admin.certPem,
    keyPem: pki.admin.keyPem,
    idleTimeoutMs: 1_000,
  });
  try {
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => client.get<{ cn: string | null }>("/healthz")),
    );
    assert.equal(answers.length, 40);
    for (const a of answers) assert.equal(a.cn, "system:admin");
    assert.equal(await s.open(), 40);
    // The idle ones are reused, not replaced.
    await Promise.all(Array.from({ length: 40 }, () => client.get("/healthz")));
    assert.equal(await s.open(), 40);
    // Left idle, the client closes them (the server would keep them for two minutes).
    const deadline = Date.now() + 5_000;
    let open = await s.open();
    while (open > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      open = await s.open();
    }
    assert.equal(open, 0);
  } finally {
    client.close();
    await stop(s.server);
  }
});

test("a server whose certificate another CA signed is refused", async () => {
  const s = await slowServer(otherPki.serving, 0);
  const client = new RestClient({ server: s.url, caPem: pki.ca.certPem });
  try {
    await assert.rejects(client.get("/healthz"), /self-signed|unable to verify|certificate/i);
  } finally {
    client.close();
    await stop(s.server);
  }
});

test("a discarded response is drained, not parsed, and its connection is reused", async () => {
  const s = await slowServer(pki.serving, 0);
  const client = new RestClient({ server: s.url, caPem: pki.ca.certPem });
  try {
    for (let i = 0; i < 3; i++) {
      const reply = await client.request("PATCH", "/x", { body: {}, discardResponse: true });
      assert.equal(reply, undefined);
    }
    assert.deepEqual(await client.get("/x"), { cn: null });
    assert.equal(await s.open(), 1);
  } finally {
    client.close();
    await stop(s.server);
  }
});
