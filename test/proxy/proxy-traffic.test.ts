/**
 * Real traffic through the proxy: two nodes and three pods in network namespaces (netns-lab),
 * an in-process API server holding the Services and EndpointSlices, and one Proxier per node
 * programming that node's namespace with the real `nft` and `conntrack`. Connections are made
 * from the nodes and from pods, and the answering pods counted. Needs root; skipped without.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EndpointSlice, Service } from "../../src/api/generated/types.ts";
import { resourcePath, resources } from "../../src/client/resources.ts";
import { eventually, startTestApi, type TestApi } from "../../src/client/testing/test-api.ts";
import { silentLogger } from "../../src/machinery/log.ts";
import { ExecConntrack } from "../../src/proxy/conntrack.ts";
import { ExecNftRunner } from "../../src/proxy/nft-runner.ts";
import { Proxier } from "../../src/proxy/proxier.ts";
import { service, slice } from "../../src/proxy/testing/fixtures.ts";
import {
  canRunLab,
  connectMany,
  createLab,
  type Lab,
  type LabPod,
} from "../../src/proxy/testing/netns-lab.ts";

const skip = await canRunLab();

describe("proxy traffic in network namespaces", { skip }, () => {
  let api: TestApi;
  let lab: Lab;
  const stop = new AbortController();
  const running: Promise<void>[] = [];
  const svcs = () => resourcePath(resources.services, "default");
  const slices = () => resourcePath(resources.endpointslices, "default");
  const pod = (name: string) => lab.pods.find((p) => p.name === name)!;
  const n1 = () => lab.nodes[0]!;
  const n2 = () => lab.nodes[1]!;
  const endpoints = (...pods: LabPod[]) => pods.map((p) => ({ ip: p.ip, node: p.node }));
  /** The node's table as nft lists it ("" before the first sync). */
  const listTable = (netns: string) =>
    new ExecNftRunner({ netns }).run(["list", "table", "ip", "bosun-proxy"]).catch(() => "");

  type SlicePort = { name?: string; port: number; protocol?: "TCP" | "UDP" | "SCTP" };

  /** Creates a service and its slice, and waits until both nodes' tables route its VIP. */
  async function expose(
    svc: Service,
    pods: LabPod[],
    ports: SlicePort[] = [{ name: "http", port: 8080 }],
  ) {
    const name = svc.metadata!.name!;
    await api.client.create(slices(), slice(name, endpoints(...pods), { ports, suffix: "lab" }));
    const made = await api.client.create<Service>(svcs(), svc);
    const ip = made.spec!.clusterIP!.replaceAll(".", "\\.");
    const routed = new RegExp(
      pods.length
        ? `${ip} \\. \\w+ \\. \\d+ : goto (service|local)-`
        : `${ip} .* : goto reject-chain`,
    );
    for (const node of lab.nodes) {
      await eventually(async () => routed.test(await listTable(node.netns)), 10_000);
    }
    return made;
  }

  before(async () => {
    lab = await createLab(`bpt${process.pid % 100000}`);
    api = await startTestApi();
    for (const node of lab.nodes) {
      await api.client.create(resourcePath(resources.nodes), {
        metadata: { name: node.name },
        spec: { podCIDR: node.podCIDR, podCIDRs: [node.podCIDR] },
      });
      const proxier = new Proxier({
        client: api.client,
        nodeName: node.name,
        nodeIPs: [node.ip],
        clusterCIDRs: ["10.244.0.0/16"],
        nft: new ExecNftRunner({ netns: node.netns }),
        conntrack: new ExecConntrack({ netns: node.netns }),
        log: silentLogger, // The default minimum sync period (1 s), as nodes run it.
      });
      running.push(proxier.run(stop.signal));
    }
  });

  after(async () => {
    stop.abort();
    await Promise.allSettled(running);
    await api?.stop();
    await lab?.destroy();
  });

  it("sends ClusterIP traffic to this node's endpoints when it has some, else spreads", async () => {
    const web = await expose(service("web"), [pod("pod1"), pod("pod2"), pod("pod3")]);
    const vip = web.spec!.clusterIP!;
    const fromN1 = await connectMany(n1().netns, vip, 80, { count: 30 });
    assert.deepEqual(Object.keys(fromN1.answers).sort(), ["pod1", "pod2"], JSON.stringify(fromN1));
    const fromN2 = await connectMany(n2().netns, vip, 80, { count: 10 });
    assert.deepEqual(fromN2.answers, { pod3: 10 });
    const fromPod = await connectMany(pod("pod2").netns, vip, 80, { count: 20 });
    assert.deepEqual(Object.keys(fromPod.answers).sort(), ["pod1", "pod2"], "pod → VIP, local");

    const spread = await expose(
      service("spread", { annotations: { "bosun.dev/traffic-distribution": "Cluster" } }),
      [pod("pod1"), pod("pod3")],
    );
    const all = await connectMany(n1().netns, spread.spec!.clusterIP!, 80, { count: 40 });
    assert.deepEqual(Object.keys(all.answers).sort(), ["pod1", "pod3"], JSON.stringify(all));
  });

  it("lets a pod reach itself through its service (hairpin)", async () => {
    const self = await expose(service("self"), [pod("pod1")]);
    const res = await connectMany(pod("pod1").netns, self.spec!.clusterIP!, 80, { count: 5 });
    assert.deepEqual(res.answers, { pod1: 5 }, JSON.stringify(res));
  });

  it("keeps a client on one endpoint with ClientIP affinity", async () => {
    const sticky = await expose(
      service("sticky", {
        sessionAffinity: "ClientIP",
        annotations: { "bosun.dev/traffic-distribution": "Cluster" },
      }),
      [pod("pod1"), pod("pod2"), pod("pod3")],
    );
    const res = await connectMany(n1().netns, sticky.spec!.clusterIP!, 80, { count: 20 });
    assert.equal(Object.keys(res.answers).length, 1, JSON.stringify(res));
    assert.equal(Object.values(res.answers)[0], 20);
    // A sync for another service leaves the affinity entries alone.
    await expose(service("unrelated"), [pod("pod2")]);
    const again = await connectMany(n1().netns, sticky.spec!.clusterIP!, 80, { count: 5 });
    assert.deepEqual(Object.keys(again.answers), Object.keys(res.answers));
  });

  it("answers NodePorts on node addresses, refuses services without endpoints", async () => {
    const np = await expose(
      service("np", { type: "NodePort", ports: [{ name: "http", port: 80, protocol: "TCP" }] }),
      [pod("pod3")],
    );
    const nodePort = np.spec!.ports![0]!.nodePort!;
    const viaN1 = await connectMany(n2().netns, n1().ip, nodePort, { count: 5 });
    assert.deepEqual(viaN1.answers, { pod3: 5 }, "n1 forwards to n2's pod, masqueraded");

    const empty = await expose(service("empty"), []);
    const refused = await connectMany(n1().netns, empty.spec!.clusterIP!, 80, { count: 2 });
    assert.deepEqual(refused.errors, { ECONNREFUSED: 2 });
  });

  it("externalTrafficPolicy Local answers only on nodes with a local endpoint", async () => {
    const local = await expose(
      service("local", {
        type: "NodePort",
        externalTrafficPolicy: "Local",
        ports: [{ name: "http", port: 80, protocol: "TCP" }],
      }),
      [pod("pod3")],
    );
    const nodePort = local.spec!.ports![0]!.nodePort!;
    const onN2 = await connectMany(n1().netns, n2().ip, nodePort, { count: 3 });
    assert.deepEqual(onN2.answers, { pod3: 3 });
    const onN1 = await connectMany(n2().netns, n1().ip, nodePort, { count: 1, timeoutMs: 500 });
    assert.deepEqual(onN1.errors, { TIMEOUT: 1 }, "dropped on a node without one");
  });

  it("answers on LoadBalancer ingress addresses", async () => {
    const lb = await expose(
      service("lb", {
        type: "LoadBalancer",
        ports: [{ name: "http", port: 8081, protocol: "TCP" }],
      }),
      [pod("pod1")],
    );
    const path = resourcePath(resources.services, "default", "lb", "status");
    await api.client.patch(path, "merge", {
      status: { loadBalancer: { ingress: lab.nodes.map((n) => ({ ip: n.ip, ipMode: "VIP" })) } },
    });
    await eventually(async () => (await listTable(n1().netns)).includes(`${n1().ip} . tcp . 8081`));
    const res = await connectMany(n2().netns, n1().ip, 8081, { count: 3 });
    assert.deepEqual(res.answers, { pod1: 3 }, JSON.stringify(res));
    assert.ok(lb.spec?.clusterIP);
  });

  it("flushes a UDP flow whose endpoint went away", async () => {
    const dns = await expose(
      service("udp", { ports: [{ name: "dns", port: 53, protocol: "UDP" }] }),
      [pod("pod3")],
      [{ name: "dns", port: 5353, protocol: "UDP" }],
    );
    const vip = dns.spec!.clusterIP!;
    const ask = () =>
      connectMany(n1().netns, vip, 53, { proto: "udp", count: 1, sourcePort: 40053 });
    assert.deepEqual((await ask()).answers, { pod3: 1 });
    const path = resourcePath(resources.endpointslices, "default", "udp-lab");
    const current = await api.client.get<EndpointSlice>(path);
    current.endpoints = [
      { addresses: [pod("pod1").ip], nodeName: "n1", conditions: { ready: true } },
    ];
    await api.client.update(path, current);
    // Same source port: without the flush the old conntrack entry would still reach pod3.
    await eventually(async () => JSON.stringify((await ask()).answers) === '{"pod1":1}', 10_000);
  });

  it("follows an endpoint change within a second", async (t) => {
    const moving = await expose(service("moving"), [pod("pod3")]);
    const vip = moving.spec!.clusterIP!;
    assert.deepEqual((await connectMany(n1().netns, vip, 80, { count: 3 })).answers, { pod3: 3 });
    const path = resourcePath(resources.endpointslices, "default", "moving-lab");
    const current = await api.client.get<EndpointSlice>(path);
    current.endpoints = [
      { addresses: [pod("pod2").ip], nodeName: "n1", conditions: { ready: true } },
    ];
    // After a quiet second (the minimum sync period since the last sync has passed), the change
    // is applied at once; right after another sync it waits up to 1 s more, as upstream.
    await new Promise((r) => setTimeout(r, 1100));
    const started = performance.now();
    await api.client.update(path, current);
    await eventually(async () => {
      const res = await connectMany(n1().netns, vip, 80, { count: 1, timeoutMs: 500 });
      return res.answers.pod2 === 1;
    }, 5_000);
    const ms = performance.now() - started;
    t.diagnostic(`the new endpoint answered ${Math.round(ms)} ms after the slice update`);
    assert.ok(ms < 1000, `took ${Math.round(ms)} ms`);
  });

  it("removes a deleted service's rules", async () => {
    const gone = await expose(service("gone"), [pod("pod1")]);
    const vip = gone.spec!.clusterIP!;
    await api.client.delete(resourcePath(resources.services, "default", "gone"));
    await api.client.delete(resourcePath(resources.endpointslices, "default", "gone-lab"));
    for (const node of lab.nodes) {
      await eventually(async () => {
        const table = await listTable(node.netns);
        return !table.includes(vip) && !table.includes("/gone/");
      });
    }
  });
});
