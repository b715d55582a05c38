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
import { emptyListers, MapLister, makeNode, makePod, newTestCore } from "../../testing/fixtures.ts";
import {
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
  return { core, plugin, run, withClaim };
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

test("WaitForFirstConsumer with static local PVs: nodes with an available PV; PreBind claims it", async () => {
  const wffc: StorageClass = {
    metadata: { name: "local" },
    provisioner: "kubernetes.io/no-provisioner",
    volumeBindingMode: "WaitForFirstConsumer",
  };
  const { core, plugin, run, withClaim } = setup(
    [pvc("data", { storageClassName: "local" })],
    [localPV("pv1", "n1")],
    [wffc],
  );
  assert.deepEqual(run("data"), { n1: "ok", n2: errReasonBindConflict });
  const state = core.framework.newCycleState();
  plugin.preFilter(state, withClaim("data"), []);
  assert.equal(plugin.reserve(state, withClaim("data"), "n1").code, "Success");
  assert.equal((await plugin.preBind(state, withClaim("data"), "n1")).code, "Success");
  assert.equal(core.api.patches[0]?.path, "/api/v1/persistentvolumes/pv1");
});

test("pods without claims skip", () => {
  const { core, plugin } = setup([], []);
  assert.equal(
    plugin.preFilter(core.framework.newCycleState(), core.framework.podInfo(makePod("p")), [])
      .status.code,
    "Skip",
  );
});
