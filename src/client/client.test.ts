/**
 * The client library against a real in-process API server: REST calls with Status errors,
 * informers (list + watch, deletes, relists) and leader election between two candidates.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent } from "node:https";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { builtinResources } from "../api/kinds/index.ts";
import type { KubeObject } from "../api/object.ts";
import { ApiServer } from "../apiserver/server.ts";
import { realClock } from "../machinery/clock.ts";
import { silentLogger } from "../machinery/log.ts";
import { isStatusError } from "../machinery/status.ts";
import { loadOrCreateClusterPKI } from "../pki/cluster-pki.ts";
import { MemoryStore } from "../storage/memory/memory-store.ts";
import { freePort } from "../storage/testing/etcd-harness.ts";
import { withWatchFanout } from "../storage/watch-fanout.ts";
import { Informer } from "./informer.ts";
import { InformerFactory } from "./informer-factory.ts";
import { runLeaderElection } from "./leader-election.ts";
import { resourcePath, resources } from "./resources.ts";
import { type ClientConfig, RestClient } from "./rest-client.ts";

async function eventually(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("client", () => {
  const dir = mkdtempSync(join(tmpdir(), "bosun-client-"));
  let server: ApiServer;
  let client: RestClient;
  let clientConfig: ClientConfig;
  before(async () => {
    const pki = await loadOrCreateClusterPKI(join(dir, "tls"));
    const port = await freePort();
    server = new ApiServer({
      store: withWatchFanout(new MemoryStore()),
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
    });
    await server.start();
    clientConfig = {
      server: `https://127.0.0.1:${port}`,
      caPem: pki.ca.certPem,
      certPem: pki.admin.certPem,
      keyPem: pki.admin.keyPem,
    };
    client = new RestClient(clientConfig);
  });
  after(async () => {
    client.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const cmPath = (name = "") => resourcePath(resources.configmaps, "default", name);
  const cm = (name: string, data: Record<string, string> = {}) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name },
    data,
  });

  it("creates, reads, patches and deletes, with Status errors", async () => {
    await client.create(cmPath(), cm("c1", { a: "1" }));
    await client.patch(cmPath("c1"), "merge", { data: { b: "2" } });
    const got = await client.get<KubeObject & { data: Record<string, string> }>(cmPath("c1"));
    assert.deepEqual(got.data, { a: "1", b: "2" });
    await assert.rejects(client.create(cmPath(), cm("c1")), (e) =>
      isStatusError(e, "AlreadyExists"),
    );
    await client.delete(cmPath("c1"));
    await assert.rejects(client.get(cmPath("c1")), (e) => isStatusError(e, "NotFound"));
  });

  it("rejects (does not throw) on a 2xx body that is not JSON", async () => {
    await assert.rejects(client.get("/readyz"), /GET \/readyz: response is not JSON/);
  });

  it("leaves no listeners behind on keep-alive connections (more requests than sockets)", async () => {
    const sockets: Socket[] = [];
    const create = Agent.prototype.createConnection;
    Agent.prototype.createConnection = function (this: Agent, ...args: unknown[]) {
      const socket = (create as (...a: unknown[]) => Socket).apply(this, args);
      sockets.push(socket);
      return socket;
    } as typeof create;
    const fresh = new RestClient(clientConfig);
    try {
      for (let round = 0; round < 3; round++) {
        await Promise.all(Array.from({ length: 150 }, () => fresh.get("/api/v1/namespaces")));
      }
    } finally {
      Agent.prototype.createConnection = create;
      fresh.close();
    }
    assert.ok(sockets.length > 0 && sockets.length <= 64, `${sockets.length} sockets`);
    const listeners = sockets.reduce((n, s) => n + s.listenerCount("secureConnect"), 0);
    assert.equal(listeners, 0);
  });

  it("keeps an informer's cache in step with adds, updates and deletes", async () => {
    const informer = new Informer({ client, resource: resources.configmaps, namespace: "default" });
    const seen: string[] = [];
    informer.addHandlers({
      onAdd: (o) => seen.push(`add ${o.metadata?.name}`),
      onUpdate: (_, o) => seen.push(`update ${o.metadata?.name}`),
      onDelete: (o) => seen.push(`delete ${o.metadata?.name}`),
    });
    const stop = new AbortController();
    await client.create(cmPath(), cm("before"));
    const running = informer.run(stop.signal);
    await informer.synced();
    assert.ok(informer.get("default", "before"));
    await client.create(cmPath(), cm("after"));
    await client.patch(cmPath("after"), "merge", { data: { x: "y" } });
    await client.delete(cmPath("before"));
    await eventually(() => seen.includes("delete before"));
    assert.deepEqual(seen, ["add before", "add after", "update after", "delete before"]);
    assert.deepEqual(
      informer.list().map((o) => o.metadata?.name),
      ["after"],
    );
    stop.abort();
    await running;
  });

  it("a factory's informers cache objects without managedFields; updates from them keep the server's", async () => {
    const factory = new InformerFactory(client);
    const informer = factory.informer(resources.configmaps);
    const updates: KubeObject[] = [];
    informer.addHandlers({ onUpdate: (_, o) => updates.push(o as KubeObject) });
    await client.create(cmPath(), cm("trimmed", { a: "1" }));
    const stop = new AbortController();
    factory.start(stop.signal);
    await factory.synced();
    const cached = informer.get("default", "trimmed") as KubeObject & { data: object };
    assert.equal(cached.metadata?.managedFields, undefined);
    await client.update(cmPath("trimmed"), { ...cached, data: { a: "2" } });
    await eventually(() => updates.length > 0);
    assert.equal(updates[0]?.metadata?.managedFields, undefined);
    const live = await client.get<KubeObject>(cmPath("trimmed"));
    assert.ok((live.metadata?.managedFields?.length ?? 0) > 0, "the server keeps managedFields");
    const kept = new InformerFactory(client, undefined, { keepManagedFields: true });
    kept.start(stop.signal);
    const full = kept.informer(resources.configmaps);
    await kept.synced();
    assert.ok(full.get("default", "trimmed")?.metadata?.managedFields);
    stop.abort();
  });

  it("elects exactly one leader and hands over when it stops", async () => {
    const leaders: string[] = [];
    const stops = [new AbortController(), new AbortController()];
    const runs = ["a", "b"].map((identity, i) =>
      runLeaderElection(
        {
          client,
          name: "test-election",
          identity,
          leaseDurationSeconds: 1,
          retryPeriodMs: 100,
          onStartedLeading: () => {
            leaders.push(identity);
          },
        },
        stops[i]!.signal,
      ),
    );
    await eventually(() => leaders.length === 1);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(leaders.length, 1, "a second leader while the first renews");
    const first = leaders[0]!;
    stops[first === "a" ? 0 : 1]!.abort();
    await eventually(() => leaders.length === 2, 5000);
    assert.notEqual(leaders[1], first);
    for (const s of stops) s.abort();
    await Promise.all(runs);
  });

  /** Another holder's Lease, written as a candidate on a machine with a skewed clock would. */
  const otherHolder = async (name: string, skewMs: number) => {
    const path = resourcePath(resources.leases, "kube-system", name);
    const stamp = new Date(Date.now() + skewMs).toISOString().replace("Z", "000Z");
    const spec = { holderIdentity: "other", leaseDurationSeconds: 1, renewTime: stamp };
    const current = await client.get<KubeObject>(path).catch(() => undefined);
    if (current) await client.update(path, { ...current, spec });
    else {
      await client.create(resourcePath(resources.leases, "kube-system"), {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name },
        spec: { ...spec, acquireTime: stamp },
      });
    }
  };
  const candidate = (name: string, c: RestClient = client) => {
    const state = { leading: false, lost: false };
    const stop = new AbortController();
    const run = runLeaderElection(
      {
        client: c,
        name,
        identity: "me",
        leaseDurationSeconds: 1,
        retryPeriodMs: 100,
        onStartedLeading: (signal) => {
          state.leading = true;
          signal.addEventListener("abort", () => {
            state.lost = true;
          });
        },
      },
      stop.signal,
    );
    return {
      state,
      stop: () => {
        stop.abort();
        return run;
      },
    };
  };

  it("does not take a Lease that is renewed, however old its renewTime reads", async () => {
    // The holder's clock is an hour behind: by renewTime its lease expired long ago.
    await otherHolder("skew-behind", -3_600_000);
    const me = candidate("skew-behind");
    try {
      for (let t = 0; t < 2500; t += 200) {
        await otherHolder("skew-behind", -3_600_000);
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(me.state.leading, false, "took a lease its holder keeps renewing");
    } finally {
      await me.stop();
    }
  });

  it("takes a Lease nobody renews once its duration has passed, however new its renewTime reads", async () => {
    // The holder's clock was an hour ahead when it stopped: by renewTime its lease is fresh.
    await otherHolder("skew-ahead", 3_600_000);
    const started = Date.now();
    const me = candidate("skew-ahead");
    try {
      await eventually(() => me.state.leading, 5000);
      assert.ok(Date.now() - started >= 900, "took it before a lease duration had passed");
    } finally {
      await me.stop();
    }
  });

  it("keeps leading through API errors until its renew deadline, then stops", async () => {
    let failing = false;
    class FlakyClient extends RestClient {
      override get<T>(path: string, query?: Record<string, string>) {
        if (failing) return Promise.reject(new Error("connect ECONNREFUSED"));
        return super.get<T>(path, query);
      }
    }
    const flaky = new FlakyClient(clientConfig);
    const me = candidate("deadline", flaky);
    try {
      await eventually(() => me.state.leading, 5000);
      failing = true;
      const since = Date.now();
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(me.state.lost, false, "stopped leading at the first failed renewal");
      await eventually(() => me.state.lost, 3000);
      // The deadline is two thirds of the 1 s lease, counted from the last renewal.
      assert.ok(Date.now() - since < 1500, `still leading ${Date.now() - since} ms after`);
    } finally {
      await me.stop();
      flaky.close();
    }
  });
});
