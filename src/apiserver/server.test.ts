/**
 * In-process API server tests: the server over a memory store on a free port, driven over HTTPS
 * with the admin certificate (for behaviour that needs server options, such as bookmark timing).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "../../test/e2e/lib/api.ts";
import { builtinResources } from "../api/kinds/index.ts";
import { realClock } from "../machinery/clock.ts";
import { silentLogger } from "../machinery/log.ts";
import { loadOrCreateClusterPKI } from "../pki/cluster-pki.ts";
import { MemoryStore } from "../storage/memory/memory-store.ts";
import type { Store, WatchOptions } from "../storage/store.ts";
import { freePort } from "../storage/testing/etcd-harness.ts";
import { ApiServer } from "./server.ts";

const backendWatches = { count: 0 };

describe("API server in process", () => {
  const dir = mkdtempSync(join(tmpdir(), "bosun-apiserver-"));
  let server: ApiServer;
  let api: ApiClient;
  before(async () => {
    const pki = await loadOrCreateClusterPKI(join(dir, "server", "tls"));
    const port = await freePort();
    const memory = new MemoryStore();
    const counted: Store = Object.assign(Object.create(memory) as Store, {
      watch: (prefix: string, options: WatchOptions) => {
        backendWatches.count++;
        return memory.watch(prefix, options);
      },
    });
    for (const m of [
      "get",
      "list",
      "count",
      "create",
      "update",
      "delete",
      "compact",
      "currentRevision",
      "grantLease",
      "keepAliveLease",
      "revokeLease",
      "close",
    ] as const) {
      (counted as unknown as Record<string, unknown>)[m] = (
        memory[m] as (...a: unknown[]) => unknown
      ).bind(memory);
    }
    server = new ApiServer({
      store: counted,
      clock: realClock,
      log: silentLogger,
      tls: {
        certPem: pki.serving.certPem,
        keyPem: pki.serving.keyPem,
        clientCaPem: pki.ca.certPem,
      },
      bindAddress: "127.0.0.1",
      port,
      advertiseAddress: "127.0.0.1",
      resources: builtinResources,
      watchBookmarkMs: 200,
    });
    await server.start();
    api = new ApiClient(dir, port);
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends bookmarks with the latest resourceVersion when asked", async () => {
    const cms = "/api/v1/namespaces/default/configmaps";
    const rv = (await api.send("GET", cms)).json().metadata.resourceVersion;
    const watching = api.watch(
      `${cms}?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`,
      (e) => e.some((x) => x.type === "BOOKMARK"),
    );
    const created = await api.send(
      "POST",
      cms,
      JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b" } }),
    );
    const { events } = await watching;
    const bookmark = events.find((e) => e.type === "BOOKMARK");
    assert.equal(bookmark?.object.kind, "ConfigMap");
    assert.equal(
      bookmark?.object.metadata.resourceVersion,
      created.json().metadata.resourceVersion,
    );
  });

  it("serves many watches of one resource from a single store watch", async () => {
    const before = backendWatches.count;
    const streams = Array.from({ length: 20 }, () =>
      api.watch(
        "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0",
        () => false,
        800,
      ),
    );
    await Promise.all(streams);
    assert.equal(backendWatches.count, before, "watches reached the store");
    const listed = await api.send("GET", "/api/v1/configmaps?resourceVersion=0");
    assert.equal(listed.status, 200);
  });

  it("publishes metrics for requests", async () => {
    const text = (await api.send("GET", "/metrics")).body;
    assert.match(
      text,
      /apiserver_request_total\{code="200",resource="configmaps",subresource="",verb="list"\} \d+/,
    );
    assert.match(text, /process_resident_memory_bytes \d+/);
  });
});
