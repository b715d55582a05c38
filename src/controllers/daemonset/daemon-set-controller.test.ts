/**
 * The DaemonSet controller against an in-process API server with Node objects made by hand: one
 * pod per eligible node pinned by node affinity, following node adds, deletes and taints, and
 * rolling updates with maxUnavailable, with maxSurge, and OnDelete.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { DaemonSet } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import type { Pod } from "../common/objects.ts";
import {
  type ControllerHarness,
  listPods,
  markPodReady,
  startControllers,
} from "../common/testing.ts";
import { autoReadyPods } from "../statefulset/testing.ts";
import { daemonSetControllerFactory } from "./daemon-set-controller.ts";
import { getTargetNodeName } from "./daemon-set-util.ts";

const ns = "default";
const dsPath = (name = "") => resourcePath(resources.daemonsets, ns, name);
const nodePath = (name = "") => resourcePath(resources.nodes, "", name);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function daemonSet(name: string, spec: Record<string, unknown> = {}, podSpec = {}): DaemonSet {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: { ds: name } },
      template: {
        metadata: { labels: { ds: name } },
        spec: { containers: [{ name: "agent", image: "agent:1" }], ...podSpec },
      },
      ...spec,
    },
  };
}

describe("DaemonSet controller", () => {
  let h: ControllerHarness;
  const stopReady = new AbortController();
  before(async () => {
    h = await startControllers({ create: [daemonSetControllerFactory.create] });
    autoReadyPods(
      h.client,
      stopReady.signal,
      (p) => p.metadata?.labels?.ds?.startsWith("auto") ?? false,
    );
  });
  after(async () => {
    stopReady.abort();
    await h.stop();
  });

  const createNode = (name: string, labels: Record<string, string> = {}, spec = {}) =>
    h.client.create(nodePath(), {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name, labels },
      spec,
    });
  const getDs = (name: string) => h.client.get<DaemonSet>(dsPath(name));
  const podsOf = async (name: string) =>
    (await listPods(h.client, ns, { ds: name })).filter((p) => !p.metadata?.deletionTimestamp);
  const placement = async (name: string) =>
    (await podsOf(name)).map((p) => getTargetNodeName(p) ?? "?").sort();
  const waitPlacement = (name: string, want: string[]) =>
    eventually(async () => JSON.stringify(await placement(name)) === JSON.stringify(want));
  const hashes = async (name: string) =>
    (await podsOf(name)).map((p) => p.metadata?.labels?.["controller-revision-hash"] ?? "");

  it("puts one pod on every node, pinned by node affinity", async () => {
    for (const n of ["node-a", "node-b"]) await createNode(n, { zone: "z1" });
    await createNode("node-c", { zone: "z2" }, { unschedulable: true });
    await h.client.create(dsPath(), daemonSet("agent"));
    await waitPlacement("agent", ["node-a", "node-b", "node-c"]);
    const pod = (await podsOf("agent")).find((p) => getTargetNodeName(p) === "node-a")!;
    assert.equal(pod.spec?.nodeName, undefined);
    assert.deepEqual(
      pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
      {
        nodeSelectorTerms: [
          { matchFields: [{ key: "metadata.name", operator: "In", values: ["node-a"] }] },
        ],
      },
    );
    assert.equal(pod.metadata?.generateName, "agent-");
    const tolerated = (pod.spec?.tolerations ?? []).map((t) => `${t.key}:${t.effect}`);
    assert.deepEqual(tolerated, [
      "node.kubernetes.io/not-ready:NoExecute",
      "node.kubernetes.io/unreachable:NoExecute",
      "node.kubernetes.io/disk-pressure:NoSchedule",
      "node.kubernetes.io/memory-pressure:NoSchedule",
      "node.kubernetes.io/pid-pressure:NoSchedule",
      "node.kubernetes.io/unschedulable:NoSchedule",
    ]);
    for (const p of await podsOf("agent")) await markPodReady(h.client, p);
    const ds = await eventually(async () => {
      const d = await getDs("agent");
      return d.status?.numberAvailable === 3 ? d : undefined;
    });
    assert.equal(ds.status?.desiredNumberScheduled, 3);
    assert.equal(ds.status?.currentNumberScheduled, 3);
    assert.equal(ds.status?.numberReady, 3);
    assert.equal(ds.status?.updatedNumberScheduled, 3);
    assert.equal(ds.status?.numberMisscheduled, 0);
    assert.equal(ds.status?.observedGeneration, ds.metadata?.generation);
  });

  it("honours nodeSelector and follows nodes as they come and go", async () => {
    await h.client.create(dsPath(), daemonSet("zonal", {}, { nodeSelector: { zone: "z1" } }));
    await waitPlacement("zonal", ["node-a", "node-b"]);
    await createNode("node-d", { zone: "z1" });
    await waitPlacement("zonal", ["node-a", "node-b", "node-d"]);
    await waitPlacement("agent", ["node-a", "node-b", "node-c", "node-d"]);
    await h.client.delete(nodePath("node-d"));
    await waitPlacement("zonal", ["node-a", "node-b"]);
    await waitPlacement("agent", ["node-a", "node-b", "node-c"]);
  });

  it("keeps off tainted nodes, leaves on NoSchedule, evicts on NoExecute", async () => {
    await createNode(
      "node-t",
      {},
      { taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }] },
    );
    await sleep(300);
    assert.deepEqual(await placement("agent"), ["node-a", "node-b", "node-c"]);

    await h.client.patch(nodePath("node-b"), "merge", {
      spec: { taints: [{ key: "maintenance", effect: "NoSchedule" }] },
    });
    const ds = await eventually(async () => {
      const d = await getDs("agent");
      return d.status?.numberMisscheduled === 1 ? d : undefined;
    });
    assert.equal(ds.status?.desiredNumberScheduled, 2);
    assert.deepEqual(await placement("agent"), ["node-a", "node-b", "node-c"]);

    await h.client.patch(nodePath("node-b"), "merge", {
      spec: { taints: [{ key: "maintenance", effect: "NoExecute" }] },
    });
    await waitPlacement("agent", ["node-a", "node-c"]);

    const tolerant = daemonSet(
      "tolerant",
      {},
      {
        tolerations: [{ key: "dedicated", operator: "Equal", value: "db", effect: "NoSchedule" }],
      },
    );
    await h.client.create(dsPath(), tolerant);
    await waitPlacement("tolerant", ["node-a", "node-c", "node-t"]);
  });

  it("rolls out with maxUnavailable 1: one node at a time, each after the last is available", async () => {
    await h.client.create(dsPath(), daemonSet("roll"));
    // node-b has a NoExecute taint and node-t a NoSchedule one by now.
    await waitPlacement("roll", ["node-a", "node-c"]);
    for (const p of await podsOf("roll")) await markPodReady(h.client, p);
    await eventually(async () => (await getDs("roll")).status?.numberAvailable === 2);
    const oldHash = (await hashes("roll"))[0];

    await h.client.patch(dsPath("roll"), "merge", {
      spec: { template: { spec: { containers: [{ name: "agent", image: "agent:2" }] } } },
    });
    const newPod = await eventually(async () =>
      (await podsOf("roll")).find(
        (p) => p.metadata?.labels?.["controller-revision-hash"] !== oldHash,
      ),
    );
    await sleep(300);
    const during = await hashes("roll");
    assert.equal(during.length, 2);
    assert.equal(during.filter((x) => x === oldHash).length, 1);

    await markPodReady(h.client, newPod);
    const second = await eventually(async () =>
      (await podsOf("roll")).find(
        (p) =>
          p.metadata?.name !== newPod.metadata?.name &&
          p.metadata?.labels?.["controller-revision-hash"] !== oldHash,
      ),
    );
    await markPodReady(h.client, second);
    const ds = await eventually(async () => {
      const d = await getDs("roll");
      return d.status?.updatedNumberScheduled === 2 && d.status.numberAvailable === 2
        ? d
        : undefined;
    });
    assert.equal(ds.status?.desiredNumberScheduled, 2);
    const revisions = await h.client.get<{ items: unknown[] }>(
      resourcePath(resources.controllerrevisions, ns),
      { labelSelector: "ds=roll" },
    );
    assert.equal(revisions.items.length, 2);
  });

  it("surges with maxSurge 1: the old pod goes once its replacement is available", async () => {
    const strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    await h.client.create(dsPath(), daemonSet("surge", { updateStrategy: strategy }));
    await waitPlacement("surge", ["node-a", "node-c"]);
    for (const p of await podsOf("surge")) await markPodReady(h.client, p);
    await eventually(async () => (await getDs("surge")).status?.numberAvailable === 2);
    const [oldHash] = await hashes("surge");
    await h.client.patch(dsPath("surge"), "merge", {
      spec: { template: { spec: { containers: [{ name: "agent", image: "agent:2" }] } } },
    });
    const isNew = (p: Pod) => p.metadata?.labels?.["controller-revision-hash"] !== oldHash;
    const first = await eventually(async () => (await podsOf("surge")).find(isNew));
    await sleep(300);
    // The new pod runs beside the old one on its node; nothing is deleted until it is available.
    assert.equal((await podsOf("surge")).length, 3);
    assert.equal((await podsOf("surge")).filter(isNew).length, 1);

    await markPodReady(h.client, first);
    const second = await eventually(async () =>
      (await podsOf("surge")).find((p) => isNew(p) && p.metadata?.name !== first.metadata?.name),
    );
    assert.notEqual(getTargetNodeName(second), getTargetNodeName(first));
    await markPodReady(h.client, second);
    await eventually(async () => {
      const pods = await podsOf("surge");
      return pods.length === 2 && pods.every(isNew);
    });
    const ds = await eventually(async () => {
      const d = await getDs("surge");
      return d.status?.updatedNumberScheduled === 2 && d.status.numberAvailable === 2
        ? d
        : undefined;
    });
    assert.equal(ds.status?.observedGeneration, ds.metadata?.generation);
  });

  it("replaces pods only when deleted with OnDelete", async () => {
    await h.client.create(dsPath(), daemonSet("auto-od", { updateStrategy: { type: "OnDelete" } }));
    await eventually(async () => (await getDs("auto-od")).status?.numberAvailable === 2);
    const [oldHash] = await hashes("auto-od");
    await h.client.patch(dsPath("auto-od"), "merge", {
      spec: { template: { spec: { containers: [{ name: "agent", image: "agent:2" }] } } },
    });
    await eventually(async () => (await getDs("auto-od")).status?.updatedNumberScheduled === 0);
    await sleep(300);
    assert.deepEqual(await hashes("auto-od"), [oldHash, oldHash]);
    const victim = (await podsOf("auto-od"))[0] as Pod;
    await h.client.delete(resourcePath(resources.pods, ns, victim.metadata?.name));
    const ds = await eventually(async () => {
      const d = await getDs("auto-od");
      return d.status?.updatedNumberScheduled === 1 && d.status.currentNumberScheduled === 2
        ? d
        : undefined;
    });
    assert.equal(ds.status?.desiredNumberScheduled, 2);
  });
});
