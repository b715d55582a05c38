import assert from "node:assert/strict";
import { test } from "node:test";
import type {
  PersistentVolume,
  PersistentVolumeClaim,
  StorageClass,
} from "../../../api/generated/types.ts";
import type {
  FilterPlugin,
  PreBindPlugin,
  PreFilterPlugin,
  ReservePlugin,
} from "../../framework/interface.ts";
import type { Status } from "../../framework/status.ts";
import { emptyListers, MapLister, makeNode, makePod, newTestCore } from "../../testing/fixtures.ts";
import {
  bindTimeoutSeconds,
  errReasonBindConflict,
  errReasonNodeConflict,
  errUnboundImmediate,
} from "./volume-binding.ts";

type Plugin = PreFilterPlugin & FilterPlugin & ReservePlugin & PreBindPlugin;

const localPV = (name: string, node: string, claim?: string): PersistentVolume => ({
  metadata: { name },
  spec: {
    capacity: { storage: "10Gi" },
    accessModes: ["ReadWriteOnce"],
    storageClassName: "local",
    ...(claim ? { claimRef: { namespace: "default", name: claim } } : {}),
    nodeAffinity: {
      required: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }] },
        ],
      },
    },
  },
});

const pvc = (
  name: string,
  o: { volumeName?: string; storageClassName?: string } = {},
): PersistentVolumeClaim => ({
  metadata: { name, namespace: "default", uid: `uid-${name}` },
  spec: {
    accessModes: ["ReadWriteOnce"],
    resources: { requests: { storage: "5Gi" } },
    ...o,
  },
});

function setup(
  claims: PersistentVolumeClaim[],
  pvs: PersistentVolume[],
  classes: StorageClass[] = [],
) {
  const listers = {
    ...emptyListers(),
    pvcs: new MapLister(claims),
    pvs: new MapLister(pvs),
    storageClasses: new MapLister(classes),
  };
  const core = newTestCore({ listers });
  core.addNode(makeNode("n1"));
  core.addNode(makeNode("n2"));
  const plugin = core.framework.plugins.find((p) => p.name === "VolumeBinding") as Plugin;
  const withClaim = (claim: string) =>
    core.framework.podInfo(
      makePod("p", { volumes: [{ name: "data", persistentVolumeClaim: { claimName: claim } }] }),
    );
  const run = (claim: string) => {
    const state = core.framework.newCycleState();
    const pre = plugin.preFilter(state, withClaim(claim), []);
    if (pre.status.code !== "Success") return pre.status.reasons[0] ?? pre.status.code;
    return Object.fromEntries(
      core.cache
        .nodeInfos()
        .map((n) => [n.name, plugin.filter(state, withClaim(claim), n).reasons[0] ?? "ok"]),
    );
  };
  return { core, plugin, run, withClaim, listers };
}

test("a bound local PV pins the pod to its node", () => {
  const { run } = setup([pvc("data", { volumeName: "pv1" })], [localPV("pv1", "n2", "data")]);
  assert.deepEqual(run("data"), { n1: errReasonNodeConflict, n2: "ok" });
});

test("missing claims and unbound Immediate claims fail in PreFilter", () => {
  const { run } = setup(
    [pvc("loose", { storageClassName: "standard" })],
    [],
    [
      {
        metadata: { name: "standard" },
        provisioner: "example.com/csi",
        volumeBindingMode: "Immediate",
      },
    ],
  );
  assert.equal(run("nope"), 'persistentvolumeclaim "nope" not found');
  assert.equal(run("loose"), errUnboundImmediate);
});

const tick = () => new Promise<void>((r) => setImmediate(r));

test("WaitForFirstConsumer with static local PVs: PreBind claims the PV and waits for the bind", async () => {
  const wffc: StorageClass = {
    metadata: { name: "local" },
    provisioner: "kubernetes.io/no-provisioner",
    volumeBindingMode: "WaitForFirstConsumer",
  };
  const claim = pvc("data", { storageClassName: "local" });
  claim.metadata!.resourceVersion = "7";
  const pv1 = localPV("pv1", "n1");
  pv1.metadata!.resourceVersion = "5";
  const { core, plugin, run, withClaim, listers } = setup([claim], [pv1], [wffc]);
  assert.deepEqual(run("data"), { n1: "ok", n2: errReasonBindConflict });
  const state = core.framework.newCycleState();
  plugin.preFilter(state, withClaim("data"), []);
  assert.equal(plugin.reserve(state, withClaim("data"), "n1").code, "Success");
  let done: string | undefined;
  void plugin.preBind(state, withClaim("data"), "n1").then((s) => {
    done = s.code;
  });
  await tick();
  // Upstream's GetBindVolumeToClaim: a full claim reference, bound-by-controller, an update.
  assert.deepEqual(core.api.patches[0], {
    path: "/api/v1/persistentvolumes/pv1",
    body: {
      metadata: {
        resourceVersion: "5",
        annotations: { "pv.kubernetes.io/bound-by-controller": "yes" },
      },
      spec: {
        claimRef: {
          kind: "PersistentVolumeClaim",
          namespace: "default",
          name: "data",
          uid: "uid-data",
          apiVersion: "v1",
          resourceVersion: "7",
        },
      },
    },
  });
  // The cache still has the old volume: not an error, PreBind waits.
  core.clock.advance(1000);
  await tick();
  assert.equal(done, undefined);
  const claimRef = { namespace: "default", name: "data", uid: "uid-data" };
  listers.pvs.set({
    ...pv1,
    metadata: { name: "pv1", resourceVersion: "8" },
    spec: { ...pv1.spec, claimRef },
  });
  core.clock.advance(1000);
  await tick();
  assert.equal(done, undefined, "the claim is not bound yet");
  listers.pvcs.set({
    ...claim,
    metadata: {
      ...claim.metadata,
      resourceVersion: "9",
      annotations: { "pv.kubernetes.io/bind-completed": "yes" },
    },
    spec: { ...claim.spec, volumeName: "pv1" },
  });
  core.clock.advance(1000);
  await tick();
  assert.equal(done, "Success");
});

test("PreBind fails when the claimRef is reset and gives up after bindTimeoutSeconds", async () => {
  const wffc: StorageClass = {
    metadata: { name: "local" },
    provisioner: "kubernetes.io/no-provisioner",
    volumeBindingMode: "WaitForFirstConsumer",
  };
  const claim = pvc("data", { storageClassName: "local" });
  const pv1 = localPV("pv1", "n1");
  pv1.metadata!.resourceVersion = "5";
  const { core, plugin, withClaim, listers } = setup([claim], [pv1], [wffc]);
  const bind = () => {
    const state = core.framework.newCycleState();
    plugin.preFilter(state, withClaim("data"), []);
    plugin.reserve(state, withClaim("data"), "n1");
    const out: { status?: Status } = {};
    void plugin.preBind(state, withClaim("data"), "n1").then((s) => {
      out.status = s;
    });
    return out;
  };
  const timedOut = bind();
  await tick();
  core.clock.advance(bindTimeoutSeconds * 1000);
  await tick();
  assert.equal(timedOut.status?.code, "Error");
  assert.equal(timedOut.status?.reasons[0], "binding volumes: context deadline exceeded");
  const reset = bind();
  await tick();
  listers.pvs.set({ ...pv1, metadata: { name: "pv1", resourceVersion: "6" } });
  core.clock.advance(1000);
  await tick();
  assert.equal(reset.status?.reasons[0], 'binding volumes: ClaimRef got reset for pv "pv1"');
});

test("a provisioned claim: PreBind selects the node and waits for the provisioner's volume", async () => {
  const wffc: StorageClass = {
    metadata: { name: "local-path" },
    provisioner: "rancher.io/local-path",
    volumeBindingMode: "WaitForFirstConsumer",
  };
  const claim = pvc("data", { storageClassName: "local-path" });
  claim.metadata!.resourceVersion = "3";
  const { core, plugin, withClaim, listers } = setup([claim], [], [wffc]);
  const state = core.framework.newCycleState();
  plugin.preFilter(state, withClaim("data"), []);
  plugin.reserve(state, withClaim("data"), "n2");
  const out: { status?: Status } = {};
  void plugin.preBind(state, withClaim("data"), "n2").then((s) => {
    out.status = s;
  });
  await tick();
  assert.deepEqual(core.api.patches[0]?.body, {
    metadata: { annotations: { "volume.kubernetes.io/selected-node": "n2" } },
  });
  const selected = { "volume.kubernetes.io/selected-node": "n2" };
  listers.pvcs.set({
    ...claim,
    metadata: { ...claim.metadata, resourceVersion: "4", annotations: selected },
  });
  core.clock.advance(1000);
  await tick();
  assert.equal(out.status?.code, undefined);
  // The provisioner gave the claim back: the pod is scheduled again.
  listers.pvcs.set({
    ...claim,
    metadata: { ...claim.metadata, resourceVersion: "5", annotations: {} },
  });
  core.clock.advance(1000);
  await tick();
  assert.equal(out.status?.reasons[0], 'binding volumes: provisioning failed for PVC "data"');
});

test("pods without claims skip", () => {
  const { core, plugin } = setup([], []);
  assert.equal(
    plugin.preFilter(core.framework.newCycleState(), core.framework.podInfo(makePod("p")), [])
      .status.code,
    "Skip",
  );
});
