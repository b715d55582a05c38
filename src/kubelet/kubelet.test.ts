/**
 * The kubelet with the simulated runtime against an in-process API server: registration, lease,
 * pods turned Running with an IP, commands played out to completion, restarts, deletion.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Node, Pod } from "../api/generated/types.ts";
import { resourcePath, resources } from "../client/resources.ts";
import { type RequestOptions, RestClient } from "../client/rest-client.ts";
import { eventually, startTestApi, type TestApi } from "../client/testing/test-api.ts";
import { FakeClock } from "../machinery/clock.ts";
import { InformerPodSource } from "./pod-source.ts";
import { createSimulatedNode } from "./simulated/simulated-node.ts";

const pod = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name },
  spec: { nodeName: "sim-1", ...spec },
});

describe("kubelet with simulated runtime", () => {
  let api: TestApi;
  const stop = new AbortController();
  before(async () => {
    api = await startTestApi();
    const pods = new InformerPodSource(api.client);
    void pods.run(stop.signal);
    await pods.synced();
    const node = createSimulatedNode({
      client: api.client,
      pods,
      name: "sim-1",
      internalIP: "192.168.50.1",
      heartbeatMs: 200,
    });
    void node.run(stop.signal);
  });
  after(async () => {
    stop.abort();
    await api.stop();
  });

  const get = <T>(name: string) => api.client.get<T>(resourcePath(resources.pods, "default", name));
  const create = (body: unknown) =>
    api.client.create(resourcePath(resources.pods, "default"), body);

  it("registers a Ready node with its capacity and renews its lease", async () => {
    const node = await eventually(() =>
      api.client.get<Node>(resourcePath(resources.nodes, "", "sim-1")).catch(() => undefined),
    );
    assert.equal(node.status?.capacity?.pods, "110");
    const ready = node.status?.conditions?.find((c) => c.type === "Ready");
    assert.equal(ready?.status, "True");
    assert.equal(ready?.reason, "KubeletReady");
    const lease = await eventually(() =>
      api.client
        .get<{ spec: { renewTime: string } }>(
          resourcePath(resources.leases, "kube-node-lease", "sim-1"),
        )
        .catch(() => undefined),
    );
    const first = lease.spec.renewTime;
    await eventually(async () => {
      const l = await api.client.get<{ spec: { renewTime: string } }>(
        resourcePath(resources.leases, "kube-node-lease", "sim-1"),
      );
      return l.spec.renewTime !== first;
    });
  });

  it("runs a pod: Running, ready, with an IP", async () => {
    await create(pod("web", { containers: [{ name: "c", image: "nginx" }] }));
    const running = await eventually(async () => {
      const p = await get<Pod>("web");
      return p.status?.phase === "Running" &&
        p.status.conditions?.find((c) => c.type === "Ready")?.status === "True"
        ? p
        : undefined;
    });
    assert.match(running.status?.podIP ?? "", /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(running.status?.hostIP, "192.168.50.1");
    assert.equal(running.status?.containerStatuses?.[0]?.ready, true);
  });

  it("plays out commands: a job-like pod succeeds, a failing one restarts", async () => {
    await create(
      pod("once", {
        restartPolicy: "Never",
        containers: [{ name: "c", image: "busybox", command: ["sleep", "0.2"] }],
      }),
    );
    const done = await eventually(async () => {
      const p = await get<Pod>("once");
      return p.status?.phase === "Succeeded" ? p : undefined;
    });
    assert.equal(done.status?.containerStatuses?.[0]?.state?.terminated?.reason, "Completed");
    await create(
      pod("crash", {
        restartPolicy: "Always",
        containers: [{ name: "c", image: "busybox", command: ["false"] }],
      }),
    );
    await eventually(
      async () =>
        ((await get<Pod>("crash")).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
    );
  });

  it("honours readiness gates and keeps the conditions others write", async () => {
    await create(
      pod("gated", {
        readinessGates: [{ conditionType: "example.com/lb" }],
        containers: [{ name: "c", image: "nginx" }],
      }),
    );
    const ready = (p: Pod) => p.status?.conditions?.find((c) => c.type === "Ready");
    const waiting = await eventually(async () => {
      const p = await get<Pod>("gated");
      return ready(p)?.reason === "ReadinessGatesNotReady" ? p : undefined;
    });
    assert.equal(ready(waiting)?.status, "False");
    await api.client.patch(
      resourcePath(resources.pods, "default", "gated", "status"),
      "strategic",
      {
        status: { conditions: [{ type: "example.com/lb", status: "True" }] },
      },
    );
    const p = await eventually(async () => {
      const p = await get<Pod>("gated");
      return ready(p)?.status === "True" ? p : undefined;
    });
    assert.equal(p.status?.conditions?.find((c) => c.type === "example.com/lb")?.status, "True");
  });

  it("finishes a deletion: the pod goes away", async () => {
    await api.client.delete(resourcePath(resources.pods, "default", "web"));
    await eventually(
      async () =>
        await get<Pod>("web").then(
          () => false,
          () => true,
        ),
    );
  });
});

describe("kubelet registration", () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(() => api.stop());

  /** Runs a simulated node through `client`; `stop` ends it and closes the client. */
  function runNode(
    client: RestClient,
    node: { name: string; internalIP: string; clock: FakeClock; pods?: InformerPodSource },
  ) {
    const stop = new AbortController();
    const running = createSimulatedNode({
      client,
      pods: node.pods ?? new InformerPodSource(api.client),
      name: node.name,
      internalIP: node.internalIP,
      clock: node.clock,
    }).run(stop.signal);
    return {
      signal: stop.signal,
      async stop() {
        stop.abort();
        await running;
        client.close();
      },
    };
  }

  it("retries registration with back-off while the API server cannot be reached", async () => {
    const clock = new FakeClock();
    let failures = 2;
    const attempts: number[] = [];
    // The node create fails as an unreachable server does, twice; everything else goes through.
    class FlakyClient extends RestClient {
      override create<T>(path: string, body: unknown, query?: RequestOptions["query"]) {
        if (path === resourcePath(resources.nodes)) {
          attempts.push(clock.now());
          if (failures-- > 0) {
            const err = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
            return Promise.reject(err);
          }
        }
        return super.create<T>(path, body, query);
      }
    }
    const pods = new InformerPodSource(api.client);
    const node = runNode(new FlakyClient(api.client.config), {
      name: "sim-retry",
      internalIP: "192.168.50.2",
      clock,
      pods,
    });
    void pods.run(node.signal);
    try {
      // Time moves in 50 ms steps while the kubelet waits (whenever it starts waiting).
      await eventually(() => {
        clock.advance(50);
        return attempts.length === 3;
      });
      await eventually(() =>
        api.client.get<Node>(resourcePath(resources.nodes, "", "sim-retry")).catch(() => undefined),
      );
      const [first, second, third] = attempts as [number, number, number];
      assert.ok(second - first >= 100, `waited ${second - first} ms before the 2nd attempt`);
      assert.ok(third - second >= 200, `waited ${third - second} ms before the 3rd attempt`);
    } finally {
      await node.stop();
    }
  });

  it("asks for a missing pod CIDR at doubling intervals once Ready, and takes it when it comes", async () => {
    const clock = new FakeClock();
    const nodePath = resourcePath(resources.nodes, "", "sim-nocidr");
    let gets = 0;
    class CountingClient extends RestClient {
      override get<T>(path: string, query?: RequestOptions["query"]) {
        if (path === nodePath) gets++;
        return super.get<T>(path, query);
      }
    }
    const client = new CountingClient(api.client.config);
    const node = runNode(client, { name: "sim-nocidr", internalIP: "192.168.50.4", clock });
    /** Moves the fake clock on in 50 ms steps, letting requests finish between them. */
    const elapse = async (ms: number) => {
      for (let t = 0; t < ms; t += 50) {
        clock.advance(50);
        await new Promise((r) => setTimeout(r, 3));
      }
    };
    try {
      const registered = await eventually(() => client.get<Node>(nodePath).catch(() => undefined));
      assert.equal(registered.spec?.podCIDR, undefined, "no node IPAM here");
      const before = gets;
      await elapse(8000);
      // Four times a second would be 32 GETs; doubling from 250 ms is 4 or 5.
      assert.ok(gets - before <= 6, `${gets - before} GETs of the node in 8 s`);
      await api.client.patch(nodePath, "merge", { spec: { podCIDR: "10.99.0.0/24" } });
      const patched = gets;
      await elapse(20_000);
      assert.ok(gets > patched, "the kubelet looked at its node again");
      const settled = gets;
      await elapse(20_000);
      assert.equal(gets, settled, "with a pod CIDR, no more GETs until the status is due");
    } finally {
      await node.stop();
    }
  });

  it("stops trying when stopped", async () => {
    class DownClient extends RestClient {
      override create<T>(): Promise<T> {
        return Promise.reject(new Error("connect ECONNREFUSED"));
      }
    }
    const node = runNode(new DownClient(api.client.config), {
      name: "sim-never",
      internalIP: "192.168.50.3",
      clock: new FakeClock(),
    });
    await node.stop();
  });
});
