import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../../../api/generated/types.ts";
import type { KubeObject } from "../../../api/object.ts";
import { StatusError } from "../../../machinery/status.ts";
import { limitRangerAdmission } from "./limit-ranger.ts";
import { StaticReader } from "./reader.ts";
import { attrs, podsDef, pvcsDef } from "./testing.ts";

const lr = (name: string, limits: unknown[]): KubeObject => ({
  metadata: { name, namespace: "ns" },
  spec: { limits },
});
const pod = (containers: unknown[], initContainers?: unknown[]): KubeObject => ({
  metadata: { name: "x", namespace: "ns" },
  spec: { containers, ...(initContainers ? { initContainers } : {}) },
});

const plugin = (...ranges: KubeObject[]) =>
  limitRangerAdmission({ reader: new StaticReader().add("", "limitranges", ...ranges) });

async function forbidden(p: Promise<void> | undefined, message: string) {
  await assert.rejects(p ?? Promise.resolve(), (err: unknown) => {
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 403);
    assert.equal(err.message, message);
    return true;
  });
}

describe("LimitRanger admission", () => {
  const defaults = lr("defaults", [
    {
      type: "Container",
      default: { cpu: "500m", memory: "256Mi" },
      defaultRequest: { cpu: "100m", memory: "128Mi" },
    },
  ]);

  it("fills missing requests and limits and records them in an annotation", async () => {
    const a = attrs({
      resource: podsDef,
      object: pod([{ name: "c", resources: { limits: { cpu: "1" } } }], [{ name: "i" }]),
    });
    await plugin(defaults).admit?.(a);
    const p = a.object as Pod;
    assert.deepEqual(p.spec?.containers[0]?.resources, {
      limits: { cpu: "1", memory: "256Mi" },
      requests: { cpu: "100m", memory: "128Mi" },
    });
    assert.deepEqual(p.spec?.initContainers?.[0]?.resources?.limits, {
      cpu: "500m",
      memory: "256Mi",
    });
    assert.equal(
      p.metadata?.annotations?.["kubernetes.io/limit-ranger"],
      "LimitRanger plugin set: cpu, memory request for container c; memory limit for container c; cpu, memory request for init container i; cpu, memory limit for init container i",
    );
    await plugin(defaults).validate?.(a);
  });

  it("rejects a container above the max with upstream's message", async () => {
    const max = lr("max", [{ type: "Container", max: { cpu: "1" } }]);
    const a = attrs({
      resource: podsDef,
      object: pod([{ name: "c", resources: { limits: { cpu: "2" } } }]),
    });
    await forbidden(
      plugin(max).validate?.(a),
      'pods "x" is forbidden: maximum cpu usage per Container is 1, but limit is 2',
    );
  });

  it("aggregates several violations and checks min and the ratio", async () => {
    const rules = lr("rules", [
      { type: "Container", min: { memory: "64Mi" }, maxLimitRequestRatio: { cpu: "2" } },
    ]);
    const a = attrs({
      resource: podsDef,
      object: pod([
        {
          name: "c",
          resources: { requests: { cpu: "100m", memory: "32Mi" }, limits: { cpu: "500m" } },
        },
      ]),
    });
    await forbidden(
      plugin(rules).validate?.(a),
      'pods "x" is forbidden: [minimum memory usage per Container is 64Mi, but request is 32Mi, cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000]',
    );
  });

  it("checks pod totals including init containers", async () => {
    const podMax = lr("pod", [{ type: "Pod", max: { memory: "1Gi" } }]);
    const a = attrs({
      resource: podsDef,
      object: pod(
        [
          { name: "a", resources: { limits: { memory: "512Mi" } } },
          { name: "b", resources: { limits: { memory: "512Mi" } } },
        ],
        [{ name: "init", resources: { limits: { memory: "2Gi" } } }],
      ),
    });
    await forbidden(
      plugin(podMax).validate?.(a),
      'pods "x" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 2Gi',
    );
  });

  it("holds PVC storage requests to min and max", async () => {
    const storage = lr("pvc", [
      { type: "PersistentVolumeClaim", min: { storage: "1Gi" }, max: { storage: "10Gi" } },
    ]);
    const pvc = (size: string): KubeObject => ({
      metadata: { name: "data", namespace: "ns" },
      spec: { resources: { requests: { storage: size } } },
    });
    await plugin(storage).validate?.(attrs({ resource: pvcsDef, object: pvc("5Gi") }));
    await forbidden(
      plugin(storage).validate?.(attrs({ resource: pvcsDef, object: pvc("20Gi") })),
      'persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi',
    );
  });

  it("ignores pod updates and objects being deleted", async () => {
    const max = lr("max", [{ type: "Container", max: { cpu: "1" } }]);
    const big = pod([{ name: "c", resources: { limits: { cpu: "2" } } }]);
    await plugin(max).validate?.(
      attrs({ resource: podsDef, operation: "UPDATE", object: big, oldObject: big }),
    );
    const pvcOld: KubeObject = {
      metadata: { name: "d", deletionTimestamp: "2026-01-01T00:00:00Z" },
    };
    await plugin(lr("p", [{ type: "PersistentVolumeClaim", max: { storage: "1Gi" } }])).validate?.(
      attrs({
        resource: pvcsDef,
        operation: "UPDATE",
        object: { metadata: { name: "d" }, spec: {} },
        oldObject: pvcOld,
      }),
    );
  });
});
