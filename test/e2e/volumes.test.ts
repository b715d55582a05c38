/**
 * Persistent volumes end to end with one `bosun server`, two simulated nodes (one `bosun simulate
 * nodes` process) and kubectl 1.34: the default `local-path` StorageClass; a StatefulSet with
 * volumeClaimTemplates gets claims bound to local-path volumes pinned to the nodes its pods run
 * on; scaling down keeps the claims and scaling up reuses them on the same node; a claim in use
 * is not removed until its pod goes; deleting a claim deletes its volume; a claim with no class
 * and nothing to bind stays Pending with upstream's event. Assertions read `-o json`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SimulatedNodeGroup, waitForReadyNodes } from "./lib/nodes.ts";
import { TestServer } from "./lib/server.ts";
import { until } from "./lib/wait.ts";

type Obj = Record<string, any>;
type List = { items: Obj[] };

const statefulSet = (replicas: number): Obj => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "db" },
  spec: {
    serviceName: "db",
    replicas,
    selector: { matchLabels: { app: "db" } },
    template: {
      metadata: { labels: { app: "db" } },
      spec: { containers: [{ name: "db", image: "busybox:1.36", command: ["sleep", "3600"] }] },
    },
    volumeClaimTemplates: [
      {
        metadata: { name: "data" },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
      },
    ],
  },
});

describe("persistent volumes", () => {
  let s: TestServer;
  let nodes: SimulatedNodeGroup;
  const ns = ["-n", "vol"];
  const get = <T = Obj>(...args: string[]) => s.json<T>("get", ...ns, ...args);
  const exists = async (...args: string[]) =>
    (await s.kubectl(["get", ...ns, ...args, "-o", "name"])).code === 0;
  const boundClaim = (name: string) =>
    until(`claim ${name} Bound`, async () => {
      const c = await get("pvc", name);
      return c.status?.phase === "Bound" ? c : undefined;
    });
  const runningPods = async () =>
    (await get<List>("pods", "-l", "app=db")).items.filter(
      (p) => p.status?.phase === "Running" && !p.metadata.deletionTimestamp,
    );

  before(async () => {
    s = await TestServer.start();
    nodes = SimulatedNodeGroup.start(s, 2, { prefix: "vol-node-" });
    await waitForReadyNodes(s, nodes.names);
    await s.k("create", "namespace", "vol");
  });
  after(async () => {
    await nodes?.stop();
    await s?.dispose();
  });

  it("has a default local-path StorageClass", async () => {
    const sc = await s.json("get", "storageclass", "local-path");
    assert.equal(sc.provisioner, "bosun.dev/local-path");
    assert.equal(sc.volumeBindingMode, "WaitForFirstConsumer");
    assert.equal(sc.reclaimPolicy, "Delete");
    assert.equal(sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"], "true");
    assert.match(
      await s.k("get", "storageclass"),
      /^local-path \(default\)\s+bosun\.dev\/local-path\s+Delete\s+WaitForFirstConsumer/m,
    );
  });

  it("binds a StatefulSet's claims to local-path volumes on its pods' nodes", async () => {
    const r = await s.kubectl(["apply", ...ns, "-f", "-"], {
      input: JSON.stringify(statefulSet(2)),
    });
    assert.equal(r.code, 0, r.stderr);
    await until("2 pods running", async () => (await runningPods()).length === 2, 60_000);
    for (const ordinal of [0, 1]) {
      const claim = await boundClaim(`data-db-${ordinal}`);
      assert.equal(claim.spec.storageClassName, "local-path");
      assert.deepEqual(claim.metadata.finalizers, ["kubernetes.io/pvc-protection"]);
      assert.equal(claim.metadata.annotations["pv.kubernetes.io/bind-completed"], "yes");
      assert.equal(claim.status.capacity.storage, "1Gi");
      const pod = await get("pod", `db-${ordinal}`);
      const node = pod.spec.nodeName;
      assert.equal(claim.metadata.annotations["volume.kubernetes.io/selected-node"], node);
      const pv = await s.json("get", "pv", claim.spec.volumeName);
      assert.equal(pv.status.phase, "Bound");
      assert.equal(pv.spec.claimRef.name, `data-db-${ordinal}`);
      assert.equal(pv.spec.claimRef.uid, claim.metadata.uid);
      assert.equal(pv.spec.persistentVolumeReclaimPolicy, "Delete");
      assert.deepEqual(pv.spec.nodeAffinity.required.nodeSelectorTerms, [
        { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }] },
      ]);
      assert.equal(
        pv.spec.hostPath.path,
        `/var/lib/bosun/storage/${claim.spec.volumeName}_vol_data-db-${ordinal}`,
      );
      assert.equal(
        pv.metadata.annotations["pv.kubernetes.io/provisioned-by"],
        "bosun.dev/local-path",
      );
    }
    const events = await get<List>("events", "--field-selector", "involvedObject.name=data-db-0");
    const reasons = events.items.map((e) => e.reason);
    for (const reason of ["ExternalProvisioning", "Provisioning", "ProvisioningSucceeded"]) {
      assert.ok(reasons.includes(reason), `${reason} in ${reasons}`);
    }
  });

  it("keeps the claims on scale-down and reuses them, on the same node, on scale-up", async () => {
    const before = await get("pvc", "data-db-1");
    const nodeBefore = (await get("pod", "db-1")).spec.nodeName;
    await s.k("scale", ...ns, "statefulset/db", "--replicas=1");
    await until("db-1 gone", async () => !(await exists("pod", "db-1")));
    const kept = await get("pvc", "data-db-1");
    assert.equal(kept.status.phase, "Bound");
    assert.equal(kept.metadata.uid, before.metadata.uid);
    await s.k("scale", ...ns, "statefulset/db", "--replicas=2");
    await until("2 pods running again", async () => (await runningPods()).length === 2, 60_000);
    assert.equal((await get("pod", "db-1")).spec.nodeName, nodeBefore);
    assert.equal((await get("pvc", "data-db-1")).metadata.uid, before.metadata.uid);
  });

  it("keeps a claim in use until its pod goes, then deletes its volume", async () => {
    const volume = (await get("pvc", "data-db-0")).spec.volumeName;
    await s.k("delete", ...ns, "pvc", "data-db-0", "--wait=false");
    await new Promise((r) => setTimeout(r, 1500));
    const terminating = await get("pvc", "data-db-0");
    assert.ok(terminating.metadata.deletionTimestamp, "the claim is terminating");
    assert.deepEqual(terminating.metadata.finalizers, ["kubernetes.io/pvc-protection"]);
    assert.match(await s.k("get", ...ns, "pvc", "data-db-0"), /data-db-0\s+Terminating/);
    assert.equal((await s.json("get", "pv", volume)).status.phase, "Bound");
    // Scale to zero: the pods go, then the claim, then (policy Delete) its volume.
    await s.k("scale", ...ns, "statefulset/db", "--replicas=0");
    await until("claim data-db-0 gone", async () => !(await exists("pvc", "data-db-0")), 60_000);
    await until(`volume ${volume} gone`, async () => !(await exists("pv", volume)), 30_000);
  });

  it("deletes the volume of a deleted claim", async () => {
    const volume = (await get("pvc", "data-db-1")).spec.volumeName;
    await until("db-1 gone", async () => !(await exists("pod", "db-1")), 60_000);
    await s.k("delete", ...ns, "pvc", "data-db-1");
    await until(`volume ${volume} gone`, async () => !(await exists("pv", volume)), 30_000);
  });

  it("leaves a claim with no class and nothing to bind Pending, as upstream says", async () => {
    const claim = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "static" },
      spec: {
        storageClassName: "",
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "1Gi" } },
      },
    };
    await s.kubectl(["apply", ...ns, "-f", "-"], { input: JSON.stringify(claim) });
    const message = await until("FailedBinding event", async () => {
      const events = await get<List>("events", "--field-selector", "involvedObject.name=static");
      return events.items.find((e) => e.reason === "FailedBinding")?.message;
    });
    assert.equal(
      message,
      "no persistent volumes available for this claim and no storage class is set",
    );
    assert.match(
      await s.k("describe", ...ns, "pvc", "static"),
      // The Age column may read "0s (x2 over 1s)" once the event repeats.
      /FailedBinding\s+\S+(?: \(x\d+ over \S+\))?\s+persistentvolume-controller\s+no persistent volumes available/,
    );
    // A volume created for it afterwards is bound on the controller's next resync (15 s).
    const pv = {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: "static-pv" },
      spec: {
        capacity: { storage: "2Gi" },
        accessModes: ["ReadWriteOnce"],
        hostPath: { path: "/srv/static" },
        claimRef: { namespace: "vol", name: "static" },
      },
    };
    await s.kubectl(["apply", "-f", "-"], { input: JSON.stringify(pv) });
    const bound = await boundClaim("static");
    assert.equal(bound.spec.volumeName, "static-pv");
  });
});
