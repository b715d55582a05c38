/**
 * `bosun server` as users run it: ready with a kubeconfig, restarts keep objects and
 * certificates, SIGTERM ends watches and exits 0, and bad invocations fail with one line.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { freePort } from "../../src/storage/testing/etcd-harness.ts";
import { run, TestServer } from "./lib/server.ts";

const bosun = fileURLToPath(new URL("../../bin/bosun.js", import.meta.url));
const bosunRun = (...args: string[]) =>
  run(process.execPath, [bosun, ...args], { timeoutMs: 30_000 });

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, rejectUnauthorized: false }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once("error", reject);
    req.end();
  });
}

describe("bosun server lifecycle", () => {
  let server: TestServer;
  before(async () => {
    server = await TestServer.start();
  });
  after(async () => {
    await server.dispose();
  });

  it("is ready, serves /version as v1.34 and writes a working admin kubeconfig", async () => {
    assert.equal((await get(server.port, "/readyz")).status, 200);
    const version = await server.json("version");
    assert.equal(version.serverVersion.major, "1");
    assert.equal(version.serverVersion.minor, "34");
    const namespaces = await server.json("get", "namespaces");
    assert.deepEqual(
      namespaces.items.map((n: { metadata: { name: string } }) => n.metadata.name).sort(),
      ["default", "kube-node-lease", "kube-public", "kube-system"],
    );
    assert.match(
      readFileSync(server.kubeconfig, "utf8"),
      new RegExp(`https://127.0.0.1:${server.port}`),
    );
  });

  it("answers requests without credentials with 401", async () => {
    const res = await get(server.port, "/api/v1/namespaces");
    assert.equal(res.status, 401);
    const status = JSON.parse(res.body);
    assert.equal(status.kind, "Status");
    assert.equal(status.reason, "Unauthorized");
  });

  it("keeps objects and certificates across a restart, and ends watches on SIGTERM", async () => {
    await server.k("create", "configmap", "survivor", "--from-literal=k=v");
    const ca = readFileSync(`${server.dataDir}/server/tls/ca.crt`, "utf8");
    const watch = server.kubectl(["get", "configmaps", "-w", "--request-timeout=0"]);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await server.stop(), 0);
    const watched = await watch;
    assert.equal(watched.code, 0, watched.stderr);
    assert.match(watched.stdout, /survivor/);
    await server.launch();
    const cm = await server.json("get", "configmap", "survivor");
    assert.equal(cm.data.k, "v");
    assert.equal(readFileSync(`${server.dataDir}/server/tls/ca.crt`, "utf8"), ca);
  });

  it("refuses a second server on the same data dir or port with one line", async () => {
    const sameDir = await bosunRun(
      "server",
      "--data-dir",
      server.dataDir,
      "--https-port",
      String(await freePort()),
      "--disable-agent",
    );
    assert.notEqual(sameDir.code, 0);
    assert.match(sameDir.stderr, /in use by another bosun process/);
    assert.equal(sameDir.stderr.trim().split("\n").length, 1, sameDir.stderr);
    const other = await TestServer.start().catch((e: Error) => e);
    assert.ok(other instanceof TestServer);
    const samePort = await bosunRun(
      "server",
      "--data-dir",
      `${other.dataDir}-2`,
      "--https-port",
      String(server.port),
      "--disable-agent",
    );
    await other.dispose();
    rmSync(`${other.dataDir}-2`, { recursive: true, force: true });
    assert.notEqual(samePort.code, 0);
    assert.match(samePort.stderr, /already in use/);
  });
});

describe("bosun server flags", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["an unknown flag", ["--bogus"], /Unknown option '--bogus'/],
    ["a bad port", ["--https-port", "abc"], /--https-port must be a port number/],
    ["an unknown datastore", ["--datastore", "mysql"], /--datastore must be "sqlite" or "etcd"/],
    ["etcd without an endpoint", ["--datastore", "etcd"], /needs --datastore-endpoint/],
    ["an unusable data dir", ["--data-dir", "/proc/bosun-cannot-exist"], /is not usable/],
    ["a data dir under a file", ["--data-dir", "/etc/hostname/bosun"], /is not usable/],
  ];
  for (const [what, args, message] of cases) {
    it(`rejects ${what} with one line and a non-zero exit`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "bosun-flags-"));
      const defaults = ["--data-dir", dir, "--https-port", String(await freePort())];
      const r = await bosunRun("server", ...defaults, ...args);
      rmSync(dir, { recursive: true, force: true });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    });
  }
});
