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

  it("serves events from the store, as upstream: no watch cache copies them", async () => {
    const path = "/api/v1/namespaces/default/events";
    const event = (name: string, pod: string) =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "Event",
        metadata: { name },
        involvedObject: { kind: "Pod", namespace: "default", name: pod },
        reason: "Tested",
        message: `about ${pod}`,
        type: "Normal",
      });
    assert.equal((await api.send("POST", path, event("e1", "a"))).status, 201);
    const listed = await api.send("GET", `${path}?fieldSelector=involvedObject.name%3Da`);
    assert.deepEqual(
      listed.json().items.map((e: { metadata: { name: string } }) => e.metadata.name),
      ["e1"],
    );
    const rv = listed.json().metadata.resourceVersion;
    const before = backendWatches.count;
    const core = api.watch(`${path}?watch=true&resourceVersion=${rv}`, (e) => e.length >= 1);
    const newer = api.watch(
      `/apis/events.k8s.io/v1/namespaces/default/events?watch=true&resourceVersion=${rv}`,
      (e) => e.length >= 1,
    );
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(backendWatches.count, before + 2, "each event watch is a store watch");
    assert.equal((await api.send("POST", path, event("e2", "b"))).status, 201);
    const [c, n] = await Promise.all([core, newer]);
    assert.equal(c.events[0]!.object.metadata.name, "e2");
    assert.equal(n.events[0]!.object.kind, "Event");
    assert.equal(n.events[0]!.object.apiVersion, "events.k8s.io/v1");
    assert.equal(n.events[0]!.object.regarding.name, "b");
  });

  it("binds a pod through the legacy bindings resource, the pod named in the Binding", async () => {
    const pod = JSON.stringify({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "bound" },
      spec: { containers: [{ name: "c", image: "nginx" }] },
    });
    // No controller manager here: the pod's service account is made by hand.
    const sa = JSON.stringify({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "default" },
    });
    await api.send("POST", "/api/v1/namespaces/default/serviceaccounts", sa);
    const created = await api.send("POST", "/api/v1/namespaces/default/pods", pod);
    assert.equal(created.status, 201, created.body);
    const binding = (name: string | undefined) =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "Binding",
        metadata: name ? { name } : {},
        target: { kind: "Node", name: "node-a" },
      });
    const path = "/api/v1/namespaces/default/bindings";
    const bound = await api.send("POST", path, binding("bound"));
    assert.equal(bound.status, 201, bound.body);
    const got = (await api.send("GET", "/api/v1/namespaces/default/pods/bound")).json();
    assert.equal(got.spec.nodeName, "node-a");
    assert.equal((await api.send("POST", path, binding("bound"))).status, 409, "bound already");
    assert.equal((await api.send("POST", path, binding("missing"))).status, 404);
    const unnamed = await api.send("POST", path, binding(undefined));
    assert.equal(unnamed.status, 422);
    assert.match(unnamed.json().message, /metadata\.name: Required value/);
    assert.equal((await api.send("GET", path)).status, 405);
  });

  it("answers componentstatuses with each component's health and upstream's deprecation warning", async () => {
    const list = await api.send("GET", "/api/v1/componentstatuses");
    assert.equal(list.status, 200);
    assert.match(String(list.headers.warning), /v1 ComponentStatus is deprecated in v1\.19\+/);
    const byName = Object.fromEntries(
      list
        .json()
        .items.map((i: { metadata: { name: string }; conditions: object[] }) => [
          i.metadata.name,
          i.conditions[0],
        ]),
    );
    assert.deepEqual(byName["etcd-0"], { type: "Healthy", status: "True", message: "ok" });
    // This in-process server runs no scheduler or controller manager.
    assert.deepEqual(byName.scheduler, {
      type: "Healthy",
      status: "False",
      error: "not run by this server",
    });
    assert.equal(
      (await api.send("GET", "/api/v1/componentstatuses/etcd-0")).json().kind,
      "ComponentStatus",
    );
    assert.equal((await api.send("GET", "/api/v1/componentstatuses/nope")).status, 404);
    assert.equal((await api.send("DELETE", "/api/v1/componentstatuses/etcd-0")).status, 405);
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
