/**
 * The garbage collector against a real in-process API server: ConfigMaps owning ConfigMaps (and
 * a custom resource) deleted with each propagation policy, dangling references by uid, and a
 * Job whose pods carry the Job controller's tracking finalizer.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { OwnerReference } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { type GroupVersionResource, resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { jobControllerFactory } from "../job/job-controller.ts";
import { getOrUndefined, type Harness, listItems, startControllers } from "../job/test-harness.ts";
import { newGarbageCollectorFactory } from "./garbage-collector.ts";

const ns = "default";
const cms = resources.configmaps;
let h: Harness;

function refTo(owner: KubeObject, extra: Partial<OwnerReference> = {}): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? "v1",
    kind: owner.kind ?? "ConfigMap",
    name: owner.metadata?.name ?? "",
    uid: owner.metadata?.uid ?? "",
    ...extra,
  };
}

async function configMap(name: string, owners: OwnerReference[] = [], finalizers: string[] = []) {
  return h.client.create<KubeObject>(resourcePath(cms, ns), {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      ...(owners.length ? { ownerReferences: owners } : {}),
      ...(finalizers.length ? { finalizers } : {}),
    },
    data: { k: "v" },
  });
}

const get = (name: string, gvr: GroupVersionResource = cms) =>
  getOrUndefined(h.client, gvr, ns, name);
const gone = async (name: string, gvr: GroupVersionResource = cms) =>
  (await get(name, gvr)) === undefined;
const settle = () => new Promise((r) => setTimeout(r, 300));

function remove(name: string, propagationPolicy: string, gvr: GroupVersionResource = cms) {
  return h.client.delete(resourcePath(gvr, ns, name), { propagationPolicy });
}

const widgets = { group: "example.com", version: "v1", resource: "widgets", namespaced: true };

describe("garbage collector", () => {
  before(async () => {
    h = await startControllers([newGarbageCollectorFactory(), jobControllerFactory]);
  });
  after(() => h.stop());

  it("Background: deletes dependents once their owner is gone", async () => {
    const owner = await configMap("bg-owner");
    const child = await configMap("bg-child", [refTo(owner)]);
    await configMap("bg-grandchild", [refTo(child)]);
    await configMap("bg-bystander");
    await remove("bg-owner", "Background");
    await eventually(async () => (await gone("bg-child")) && (await gone("bg-grandchild")));
    assert.ok(await get("bg-bystander"));
  });

  it("Foreground: deletes blocking dependents first, then the owner", async () => {
    const owner = await configMap("fg-owner");
    await configMap(
      "fg-blocking",
      [refTo(owner, { blockOwnerDeletion: true })],
      ["test.bosun.dev/hold"],
    );
    await configMap("fg-plain", [refTo(owner)]);
    await remove("fg-owner", "Foreground");
    await eventually(
      async () =>
        (await gone("fg-plain")) && (await get("fg-blocking"))?.metadata?.deletionTimestamp,
    );
    await settle();
    const waiting = await get("fg-owner");
    assert.ok(waiting?.metadata?.deletionTimestamp);
    assert.deepEqual(waiting?.metadata?.finalizers, ["foregroundDeletion"]);
    await h.client.patch(resourcePath(cms, ns, "fg-blocking"), "merge", {
      metadata: { finalizers: null },
    });
    await eventually(async () => (await gone("fg-blocking")) && (await gone("fg-owner")));
  });

  it("Orphan: removes the owner and keeps dependents without the reference", async () => {
    const owner = await configMap("or-owner");
    const other = await configMap("or-other");
    await configMap("or-child", [refTo(owner)]);
    await configMap("or-shared", [refTo(owner), refTo(other)]);
    await remove("or-owner", "Orphan");
    await eventually(() => gone("or-owner"));
    await settle();
    const child = await get("or-child");
    assert.ok(child);
    assert.equal(child.metadata?.ownerReferences, undefined);
    const shared = await get("or-shared");
    assert.deepEqual(
      shared?.metadata?.ownerReferences?.map((r) => r.name),
      ["or-other"],
    );
  });

  it("drops a dangling reference and keeps the object while another owner lives", async () => {
    const a = await configMap("multi-a");
    const b = await configMap("multi-b");
    await configMap("multi-child", [refTo(a), refTo(b)]);
    await remove("multi-a", "Background");
    await eventually(
      async () => (await get("multi-child"))?.metadata?.ownerReferences?.length === 1,
    );
    assert.equal((await get("multi-child"))?.metadata?.ownerReferences?.[0]?.uid, b.metadata?.uid);
  });

  it("treats an owner with the same name but another uid as gone", async () => {
    const real = await configMap("uid-owner");
    await configMap("uid-impostor-child", [
      refTo(real, { uid: "00000000-0000-0000-0000-000000000001" }),
    ]);
    await configMap("uid-true-child", [refTo(real)]);
    await configMap("uid-orphan", [
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        name: "never-existed",
        uid: "00000000-0000-0000-0000-000000000002",
      },
    ]);
    await eventually(async () => (await gone("uid-impostor-child")) && (await gone("uid-orphan")));
    await settle();
    assert.ok(await get("uid-true-child"));
  });

  it("collects custom resources after discovery finds their CRD", async () => {
    await h.client.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
            },
          },
        ],
      },
    });
    await eventually(() =>
      h.client.get(resourcePath(widgets, ns)).then(
        () => true,
        () => false,
      ),
    );
    h.clock.advance(30_000);
    const owner = await configMap("cr-owner");
    const widget = await h.client.create<KubeObject>(resourcePath(widgets, ns), {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w1", ownerReferences: [refTo(owner)] },
    });
    await configMap("cr-child", [
      { apiVersion: "example.com/v1", kind: "Widget", name: "w1", uid: widget.metadata?.uid ?? "" },
    ]);
    await remove("cr-owner", "Background");
    await eventually(async () => (await gone("w1", widgets)) && (await gone("cr-child")));
  });

  async function createJob(name: string) {
    await h.client.create(resourcePath(resources.jobs, ns), {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name },
      spec: {
        parallelism: 2,
        completions: 2,
        template: {
          spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] },
        },
      },
    });
    const pods = () =>
      listItems(h.client, resources.pods, ns, `batch.kubernetes.io/job-name=${name}`);
    await eventually(async () => (await pods()).length === 2);
    return pods;
  }

  it("deletes a Job's pods, tracking finalizers and all (Background and Foreground)", async () => {
    const bg = await createJob("gc-job");
    await remove("gc-job", "Background", resources.jobs);
    await eventually(async () => (await bg()).length === 0);
    const fg = await createJob("gc-job-fg");
    await remove("gc-job-fg", "Foreground", resources.jobs);
    await eventually(
      async () => (await fg()).length === 0 && (await gone("gc-job-fg", resources.jobs)),
    );
  });

  it("orphans a Job's pods, which then lose the tracking finalizer", async () => {
    const pods = await createJob("gc-job-orphan");
    await remove("gc-job-orphan", "Orphan", resources.jobs);
    await eventually(() => gone("gc-job-orphan", resources.jobs));
    const left = await eventually(async () => {
      const all = await pods();
      const free = all.every(
        (p) => !p.metadata?.ownerReferences && !p.metadata?.finalizers?.length,
      );
      return free ? all : undefined;
    });
    assert.equal(left.length, 2);
  });
});
