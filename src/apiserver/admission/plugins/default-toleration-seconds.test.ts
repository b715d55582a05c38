import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../../../api/generated/types.ts";
import type { KubeObject } from "../../../api/object.ts";
import { defaultTolerationSecondsAdmission } from "./default-toleration-seconds.ts";
import { attrs, podsDef } from "./testing.ts";

const pod = (tolerations?: unknown[]): KubeObject => ({
  metadata: { name: "p" },
  spec: { containers: [{ name: "c", image: "i" }], ...(tolerations ? { tolerations } : {}) },
});
const tolerationsOf = (a: { object?: KubeObject | undefined }) =>
  (a.object as Pod).spec?.tolerations;
const notReady = {
  key: "node.kubernetes.io/not-ready",
  operator: "Exists",
  effect: "NoExecute",
  tolerationSeconds: 300,
};
const unreachable = { ...notReady, key: "node.kubernetes.io/unreachable" };

describe("DefaultTolerationSeconds admission", () => {
  const plugin = defaultTolerationSecondsAdmission();

  it("adds 300 s not-ready and unreachable tolerations to new pods", async () => {
    const a = attrs({ resource: podsDef, object: pod([{ key: "x", operator: "Exists" }]) });
    await plugin.admit?.(a);
    assert.deepEqual(tolerationsOf(a), [{ key: "x", operator: "Exists" }, notReady, unreachable]);
  });

  it("keeps a pod's own toleration for either taint", async () => {
    const own = {
      key: "node.kubernetes.io/unreachable",
      operator: "Exists",
      effect: "NoExecute",
      tolerationSeconds: 5,
    };
    const a = attrs({ resource: podsDef, object: pod([own]) });
    await plugin.admit?.(a);
    assert.deepEqual(tolerationsOf(a), [own, notReady]);
    const all = attrs({ resource: podsDef, object: pod([{ operator: "Exists" }]) });
    await plugin.admit?.(all);
    assert.deepEqual(tolerationsOf(all), [{ operator: "Exists" }], "tolerates everything already");
  });

  it("ignores updates", async () => {
    const a = attrs({ operation: "UPDATE", resource: podsDef, object: pod() });
    await plugin.admit?.(a);
    assert.equal(tolerationsOf(a), undefined);
  });
});
