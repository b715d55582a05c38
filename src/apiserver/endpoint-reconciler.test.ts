import assert from "node:assert/strict";
import { test } from "node:test";
import { builtinResources } from "../api/kinds/index.ts";
import type { KubeObject } from "../api/object.ts";
import { FakeClock } from "../machinery/clock.ts";
import { silentLogger } from "../machinery/log.ts";
import { MemoryStore } from "../storage/memory/memory-store.ts";
import { noAdmission } from "./admission/admission.ts";
import { Catalog } from "./catalog.ts";
import { LeaseEndpointReconciler, masterLeasePrefix } from "./endpoint-reconciler.ts";

function setup() {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock });
  const catalog = new Catalog({
    store,
    clock,
    admission: noAdmission,
    resources: builtinResources,
  });
  const server = (ip: string) =>
    new LeaseEndpointReconciler({ store, catalog, clock, log: silentLogger, ip, port: 6443 });
  const endpoints = async () => {
    const obj = (await catalog.lookup("", "v1", "endpoints")!.get("default", "kubernetes")) as {
      subsets?: { addresses?: { ip: string }[]; ports?: unknown[] }[];
      metadata?: KubeObject["metadata"];
    };
    return obj.subsets?.[0]?.addresses?.map((a) => a.ip) ?? [];
  };
  const slice = async () =>
    (await catalog
      .lookup("discovery.k8s.io", "v1", "endpointslices")!
      .get("default", "kubernetes")) as KubeObject & {
      endpoints?: { addresses: string[]; conditions: { ready: boolean } }[];
      ports?: unknown[];
      addressType?: string;
    };
  return { clock, store, catalog, server, endpoints, slice };
}

/** Lets the store's expiry and the reconcilers' ticks run after a clock move. */
const settle = () => new Promise((r) => setImmediate(r));

test("every live API server is in the kubernetes Endpoints and EndpointSlice, sorted", async () => {
  const t = setup();
  const a = t.server("10.0.0.12");
  const b = t.server("10.0.0.9");
  await a.reconcile();
  assert.deepEqual(await t.endpoints(), ["10.0.0.12"]);
  await b.reconcile();
  assert.deepEqual(await t.endpoints(), ["10.0.0.9", "10.0.0.12"]);
  const ep = await t.catalog.lookup("", "v1", "endpoints")!.get("default", "kubernetes");
  assert.equal(ep.metadata?.labels?.["endpointslice.kubernetes.io/skip-mirror"], "true");
  assert.deepEqual((ep as { subsets: { ports: unknown[] }[] }).subsets[0]!.ports, [
    { name: "https", port: 6443, protocol: "TCP" },
  ]);
  const slice = await t.slice();
  assert.equal(slice.metadata?.labels?.["kubernetes.io/service-name"], "kubernetes");
  assert.equal(slice.addressType, "IPv4");
  assert.deepEqual(
    slice.endpoints?.map((e) => e.addresses[0]),
    ["10.0.0.9", "10.0.0.12"],
  );
  assert.deepEqual(slice.ports, [{ name: "https", port: 6443, protocol: "TCP" }]);
});

test("a server that stops cleanly leaves at once; a dead one when its lease expires", async () => {
  const t = setup();
  const a = t.server("10.0.0.1");
  const b = t.server("10.0.0.2");
  const c = t.server("10.0.0.3");
  await a.start();
  await b.start();
  await c.start();
  assert.deepEqual(await t.endpoints(), ["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
  await b.stop();
  assert.deepEqual(await t.endpoints(), ["10.0.0.1", "10.0.0.3"]);
  assert.deepEqual(await a.liveAddresses(), ["10.0.0.1", "10.0.0.3"]);
  // c dies without a word: its lease runs out (15 s) and a's next reconcile drops it.
  await c.stop().catch(() => {});
  await t.store.create(`${masterLeasePrefix}10.0.0.4`, new Uint8Array(), {
    lease: await t.store.grantLease(15),
  });
  await a.reconcile();
  assert.deepEqual(await t.endpoints(), ["10.0.0.1", "10.0.0.4"]);
  for (let i = 0; i < 10; i++) {
    t.clock.advance(2_000);
    await settle();
  }
  await a.reconcile();
  assert.deepEqual(await t.endpoints(), ["10.0.0.1"]);
  await a.stop();
});

test("the lease is renewed every 10 s and survives past its TTL", async () => {
  const t = setup();
  const a = t.server("10.0.0.1");
  await a.start();
  for (let i = 0; i < 30; i++) {
    t.clock.advance(1_000);
    await settle();
    await settle();
  }
  assert.deepEqual(await a.liveAddresses(), ["10.0.0.1"]);
  assert.deepEqual(await t.endpoints(), ["10.0.0.1"]);
  await a.stop();
});

test("an expired lease is granted again at the next reconcile", async () => {
  const t = setup();
  const a = t.server("10.0.0.1");
  await a.reconcile();
  t.clock.advance(20_000);
  await settle();
  assert.deepEqual(await a.liveAddresses(), []);
  await a.reconcile();
  assert.deepEqual(await a.liveAddresses(), ["10.0.0.1"]);
  assert.deepEqual(await t.endpoints(), ["10.0.0.1"]);
});

test("a loopback advertise address keeps no lease and writes no Endpoints", async () => {
  const t = setup();
  const a = t.server("127.0.0.1");
  assert.deepEqual(await a.reconcile(), []);
  await assert.rejects(
    t.catalog.lookup("", "v1", "endpoints")!.get("default", "kubernetes"),
    /not found/,
  );
});
