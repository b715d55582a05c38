import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod, RuntimeClass, Toleration } from "../../../api/generated/types.ts";
import type { KubeObject } from "../../../api/object.ts";
import { mergeTolerations } from "../../../api/scheduling/merge-tolerations.ts";
import { isStatusError } from "../../../machinery/status.ts";
import { StaticReader } from "./reader.ts";
import { runtimeClassAdmission } from "./runtime-class.ts";
import { attrs, podsDef, resourceDef } from "./testing.ts";

const rc = (name: string, extra: Partial<RuntimeClass> = {}): KubeObject =>
  ({ metadata: { name }, handler: name, ...extra }) as KubeObject;
const pod = (spec: Partial<NonNullable<Pod["spec"]>> = {}): KubeObject => ({
  metadata: { name: "p", namespace: "ns" },
  spec: { containers: [{ name: "c", image: "i" }], ...spec },
});
const specOf = (a: { object?: KubeObject | undefined }) => (a.object as Pod).spec!;

function plugin(...classes: KubeObject[]) {
  return runtimeClassAdmission({
    reader: new StaticReader().add("node.k8s.io", "runtimeclasses", ...classes),
  });
}

/** Both phases, as the chain runs them for one plugin. */
async function admitAndValidate(p: ReturnType<typeof plugin>, object: KubeObject) {
  const a = attrs({ resource: podsDef, object });
  await p.admit?.(a);
  await p.validate?.(a);
  return a;
}

const forbidden = (message: string) => (err: unknown) =>
  isStatusError(err, "Forbidden") && (err as Error).message === message;

describe("RuntimeClass admission", () => {
  it("refuses a pod naming a missing class", async () => {
    const p = plugin(rc("gvisor"));
    const message = 'pods "p" is forbidden: pod rejected: RuntimeClass "kata" not found';
    await assert.rejects(
      async () =>
        p.admit?.(attrs({ resource: podsDef, object: pod({ runtimeClassName: "kata" }) })),
      forbidden(message),
    );
    await assert.rejects(
      async () =>
        p.validate?.(attrs({ resource: podsDef, object: pod({ runtimeClassName: "kata" }) })),
      forbidden(message),
    );
  });

  it("leaves a pod without a class alone", async () => {
    const a = await admitAndValidate(plugin(rc("gvisor")), pod({ nodeSelector: { a: "b" } }));
    assert.deepEqual(specOf(a), {
      containers: [{ name: "c", image: "i" }],
      nodeSelector: { a: "b" },
    });
  });

  it("sets the overhead from the class", async () => {
    const p = plugin(rc("kata", { overhead: { podFixed: { cpu: "250m", memory: "120Mi" } } }));
    const a = await admitAndValidate(p, pod({ runtimeClassName: "kata" }));
    assert.deepEqual(specOf(a).overhead, { cpu: "250m", memory: "120Mi" });
  });

  it("accepts a pod stating the same overhead, spelled differently", async () => {
    const p = plugin(rc("kata", { overhead: { podFixed: { cpu: "1" } } }));
    const a = await admitAndValidate(
      p,
      pod({ runtimeClassName: "kata", overhead: { cpu: "1000m" } }),
    );
    assert.deepEqual(specOf(a).overhead, { cpu: "1" });
  });

  it("refuses a pod whose overhead differs from its class's", async () => {
    const p = plugin(rc("kata", { overhead: { podFixed: { cpu: "250m" } } }));
    const message =
      "pods \"p\" is forbidden: pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead";
    await assert.rejects(
      async () => admitAndValidate(p, pod({ runtimeClassName: "kata", overhead: { cpu: "500m" } })),
      forbidden(message),
    );
    // A later mutation (a webhook) that changes the overhead is caught by validate.
    const a = attrs({ resource: podsDef, object: pod({ runtimeClassName: "kata" }) });
    await p.admit?.(a);
    specOf(a).overhead = { cpu: "1" };
    await assert.rejects(async () => p.validate?.(a), forbidden(message));
  });

  it("refuses an overhead without a class that defines one", async () => {
    const message =
      'pods "p" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead';
    const p = plugin(rc("runc"));
    await assert.rejects(
      async () => admitAndValidate(p, pod({ overhead: { cpu: "100m" } })),
      forbidden(message),
    );
    await assert.rejects(
      async () => admitAndValidate(p, pod({ runtimeClassName: "runc", overhead: { cpu: "1" } })),
      forbidden(message),
    );
  });

  it("merges the class's node selector into the pod's", async () => {
    const p = plugin(rc("kata", { scheduling: { nodeSelector: { runtime: "kata", zone: "a" } } }));
    const none = await admitAndValidate(p, pod({ runtimeClassName: "kata" }));
    assert.deepEqual(specOf(none).nodeSelector, { runtime: "kata", zone: "a" });
    const some = await admitAndValidate(
      p,
      pod({ runtimeClassName: "kata", nodeSelector: { disk: "ssd", zone: "a" } }),
    );
    assert.deepEqual(specOf(some).nodeSelector, { disk: "ssd", zone: "a", runtime: "kata" });
  });

  it("refuses a pod selecting another value for one of the class's labels", async () => {
    const p = plugin(rc("kata", { scheduling: { nodeSelector: { runtime: "kata" } } }));
    await assert.rejects(
      async () =>
        admitAndValidate(p, pod({ runtimeClassName: "kata", nodeSelector: { runtime: "runc" } })),
      forbidden(
        'pods "p" is forbidden: conflict: runtimeClass.scheduling.nodeSelector[runtime] = kata; pod.spec.nodeSelector[runtime] = runc',
      ),
    );
  });

  it("appends the class's tolerations without duplicates", async () => {
    const p = plugin(
      rc("kata", {
        scheduling: {
          tolerations: [
            { key: "kata", operator: "Exists", effect: "NoSchedule" },
            { key: "gpu", operator: "Equal", value: "yes" },
          ],
        },
      }),
    );
    const a = await admitAndValidate(
      p,
      pod({
        runtimeClassName: "kata",
        tolerations: [
          { key: "gpu", operator: "Equal", value: "yes" },
          { key: "kata", operator: "Equal", value: "x", effect: "NoSchedule" },
        ],
      }),
    );
    assert.deepEqual(specOf(a).tolerations, [
      { key: "gpu", operator: "Equal", value: "yes" },
      { key: "kata", operator: "Exists", effect: "NoSchedule" },
    ]);
  });

  it("ignores updates, subresources and other resources", async () => {
    const p = plugin();
    const object = pod({ runtimeClassName: "missing", overhead: { cpu: "1" } });
    for (const a of [
      attrs({ operation: "UPDATE", resource: podsDef, object }),
      attrs({ resource: podsDef, subresource: "status", object }),
      attrs({ resource: resourceDef("", "configmaps", "ConfigMap"), object }),
    ]) {
      await p.admit?.(a);
      await p.validate?.(a);
    }
  });
});

describe("mergeTolerations", () => {
  it("keeps the first of equal tolerations and drops covered ones", () => {
    assert.deepEqual(
      mergeTolerations(
        [{ key: "a", operator: "Equal", value: "1", effect: "NoSchedule" }],
        [
          { key: "a", operator: "Equal", value: "1", effect: "NoSchedule" },
          { key: "b", operator: "Exists" },
        ],
      ),
      [
        { key: "a", operator: "Equal", value: "1", effect: "NoSchedule" },
        { key: "b", operator: "Exists" },
      ],
    );
    assert.deepEqual(
      mergeTolerations(
        [{ key: "a", operator: "Equal", value: "1", effect: "NoSchedule" }],
        [{ operator: "Exists" }],
      ),
      [{ operator: "Exists" }],
    );
  });

  it("keeps the longer NoExecute toleration as the wider one", () => {
    const long: Toleration = {
      key: "n",
      operator: "Exists",
      effect: "NoExecute",
      tolerationSeconds: 600,
    };
    const short: Toleration = { ...long, tolerationSeconds: 60 };
    assert.deepEqual(mergeTolerations([long], [short]), [long]);
    assert.deepEqual(mergeTolerations([short], [long]), [long]);
  });
});
