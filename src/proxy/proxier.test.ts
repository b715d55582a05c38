/**
 * The proxier against an in-process API server, with the kernel faked (FakeNft, FakeConntrack)
 * and time on a FakeClock: informer events lead to syncs, changes are applied incrementally,
 * stale UDP flows are flushed, a lost table and a failed load are recovered.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EndpointSlice, Service } from "../api/generated/types.ts";
import { resourcePath, resources } from "../client/resources.ts";
import { startTestApi, type TestApi } from "../client/testing/test-api.ts";
import { FakeClock } from "../machinery/clock.ts";
import { silentLogger } from "../machinery/log.ts";
import { Proxier } from "./proxier.ts";
import { FakeConntrack, FakeNft } from "./testing/fake-nft.ts";
import { service, slice } from "./testing/fixtures.ts";

describe("Proxier", () => {
  let api: TestApi;
  const clock = new FakeClock();
  const nft = new FakeNft();
  const conntrack = new FakeConntrack();
  const stop = new AbortController();
  let proxier: Proxier;
  let running: Promise<void>;
  let webIP = "";
  let dnsIP = "";

  /** Moves the fake clock in steps until `check` holds (informer events arrive for real). */
  async function pump(check: () => boolean, stepMs = 100, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error("condition not met in time");
      clock.advance(stepMs);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  const create = <T>(path: string, obj: unknown) => api.client.create<T>(path, obj);

  before(async () => {
    api = await startTestApi();
    await create(resourcePath(resources.nodes), {
      metadata: { name: "n1" },
      spec: { podCIDR: "10.244.1.0/24", podCIDRs: ["10.244.1.0/24"] },
    });
    const web = await create<Service>(resourcePath(resources.services, "default"), service("web"));
    const dns = await create<Service>(
      resourcePath(resources.services, "default"),
      service("dns", { ports: [{ name: "dns", port: 53, protocol: "UDP" }] }),
    );
    webIP = web.spec?.clusterIP ?? "";
    dnsIP = dns.spec?.clusterIP ?? "";
    const slices = resourcePath(resources.endpointslices, "default");
    await create(slices, slice("web", [{ ip: "10.244.1.5", node: "n1" }]));
    await create(
      slices,
      slice(
        "dns",
        [
          { ip: "10.244.1.53", node: "n1" },
          { ip: "10.244.2.53", node: "n2" },
        ],
        { ports: [{ name: "dns", port: 53, protocol: "UDP" }] },
      ),
    );
    proxier = new Proxier({
      client: api.client,
      nodeName: "n1",
      nft,
      conntrack,
      clock,
      log: silentLogger,
      minSyncPeriodMs: 1000,
      syncPeriodMs: 30_000,
    });
    running = proxier.run(stop.signal);
  });

  after(async () => {
    stop.abort();
    await running;
    await api.stop();
  });

  it("syncs once the caches are loaded, with the node's pod CIDR as the local range", async () => {
    await pump(() => nft.applied.length >= 1, 0);
    const script = nft.last;
    assert.match(script, /^delete table ip bosun-proxy$/m, "a first sync replaces the table");
    assert.ok(script.includes(`${webIP} . tcp . 80 : goto service-`), script);
    assert.ok(script.includes(`${dnsIP} . udp . 53 : goto service-`));
    assert.ok(script.includes("ip saddr != 10.244.1.0/24 jump mark-for-masquerade"));
    // Both DNS endpoints are reachable, but node n1 prefers its own.
    assert.ok(script.includes("dnat to 10.244.1.53:53"));
    assert.ok(!script.includes("dnat to 10.244.2.53:53"));
  });

  it("with cluster CIDRs, counts them as pods and masquerades pod traffic leaving them", () => {
    const withCIDRs = new Proxier({
      client: api.client,
      nodeName: "n1",
      nft: new FakeNft(),
      clock,
      clusterCIDRs: ["10.244.0.0/16"],
    });
    const state = withCIDRs.nodeState();
    assert.deepEqual(state.podCIDRs, ["10.244.0.0/16"]);
    assert.deepEqual(state.clusterCIDRs, ["10.244.0.0/16"]);
    assert.equal(proxier.nodeState().clusterCIDRs, undefined, "none without them");
  });

  it("applies an endpoint change incrementally and flushes the removed UDP endpoint", async () => {
    const path = resourcePath(resources.endpointslices, "default", "dns-abcde");
    const current = await api.client.get<EndpointSlice>(path);
    // The local endpoint goes: n1 falls back to the remote one.
    current.endpoints = current.endpoints.filter((e) => e.addresses[0] !== "10.244.1.53");
    const applies = nft.applied.length;
    await api.client.update(path, current);
    await pump(() => nft.applied.length > applies);
    assert.doesNotMatch(nft.last, /flush map|add table ip bosun-proxy\n.*flush chain services/);
    assert.match(nft.last, /dnat to 10.244.2.53:53/);
    assert.match(nft.last, /^delete chain .*__10.244.1.53\/53$/m);
    await pump(() => conntrack.deletes.length > 0);
    assert.deepEqual(conntrack.deletes, [
      ["-D", "-p", "udp", "--orig-dst", dnsIP, "--dst-nat", "10.244.1.53"],
    ]);
  });

  it("coalesces a burst of changes into one sync per interval", async () => {
    const applies = nft.applied.length;
    let lastIP = "";
    for (const name of ["a", "b", "c", "d"]) {
      const svc = await create<Service>(resourcePath(resources.services, "default"), service(name));
      lastIP = svc.spec?.clusterIP ?? "";
    }
    // No endpoints: the ClusterIP is rejected.
    await pump(() => nft.last.includes(`${lastIP} . tcp . 80 : goto reject-chain`), 250);
    assert.ok(nft.applied.length - applies <= 2, `${nft.applied.length - applies} syncs`);
  });

  it("restores the table when it disappears from the kernel", async () => {
    const applies = nft.applied.length;
    nft.hasTable = false;
    await pump(() => nft.applied.length > applies, 5000);
    assert.match(nft.last, /^delete table ip bosun-proxy$/m, "a full resync");
  });

  it("falls back from incremental to full to replace, then retries the failed sync", async () => {
    // With a ClientIP service, a full resync keeps the table (and its affinity sets).
    const sticky = await create<Service>(
      resourcePath(resources.services, "default"),
      service("sticky", { sessionAffinity: "ClientIP" }),
    );
    await create(
      resourcePath(resources.endpointslices, "default"),
      slice("sticky", [{ ip: "10.244.1.7", node: "n1" }]),
    );
    await pump(
      () => nft.last.includes(`${sticky.spec?.clusterIP} . tcp . 80 : goto service-`),
      250,
    );
    const applies = nft.applied.length;
    const rejected = nft.rejected.length;
    nft.failures = 3;
    await api.client.delete(resourcePath(resources.services, "default", "a"));
    await pump(() => nft.applied.length > applies, 250);
    const tried = nft.rejected.slice(rejected);
    assert.equal(tried.length, 3);
    assert.doesNotMatch(tried[0]!, /^flush chain ip bosun-proxy services$/m, "incremental first");
    assert.match(tried[1]!, /^flush chain ip bosun-proxy services$/m, "then a full resync");
    assert.doesNotMatch(tried[1]!, /^flush set .*affinity-/m, "that keeps affinity entries");
    assert.match(tried[2]!, /^delete table ip bosun-proxy$/m, "then a replacement");
    assert.match(nft.last, /^flush chain ip bosun-proxy services$/m, "the retry resyncs fully");
  });
});
