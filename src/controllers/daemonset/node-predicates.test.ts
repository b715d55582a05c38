import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DaemonSet, Node, PodSpec, Taint } from "../../api/generated/types.ts";
import { requiredNodeAffinityMatches } from "../../api/scheduling/node-affinity.ts";
import { toleratesTaint } from "../../api/scheduling/taints.ts";
import {
  addOrUpdateDaemonPodTolerations,
  createPodTemplate,
  getTargetNodeName,
  replaceNodeNameNodeAffinity,
} from "./daemon-set-util.ts";
import { nodeShouldRunDaemonPod } from "./node-predicates.ts";

const node = (name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Node => ({
  metadata: { name, labels },
  spec: { taints },
});

const ds = (spec: Partial<PodSpec> = {}): DaemonSet => ({
  metadata: { name: "agent", namespace: "ns" },
  spec: {
    selector: { matchLabels: { a: "b" } },
    template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c" }], ...spec } },
  },
});

describe("taints and tolerations", () => {
  it("matches key, value, effect and operator as upstream", () => {
    const taint: Taint = { key: "k", value: "v", effect: "NoSchedule" };
    assert.ok(toleratesTaint({ key: "k", value: "v" }, taint));
    assert.ok(toleratesTaint({ key: "k", operator: "Exists", effect: "NoSchedule" }, taint));
    assert.ok(toleratesTaint({ operator: "Exists" }, taint));
    assert.ok(!toleratesTaint({ key: "k", value: "w" }, taint));
    assert.ok(!toleratesTaint({ key: "k", operator: "Exists", effect: "NoExecute" }, taint));
  });

  it("adds the default DaemonSet tolerations once, network-unavailable only with hostNetwork", () => {
    const spec: PodSpec = { containers: [], hostNetwork: true };
    addOrUpdateDaemonPodTolerations(spec);
    addOrUpdateDaemonPodTolerations(spec);
    assert.equal(spec.tolerations?.length, 7);
    assert.ok(spec.tolerations?.some((t) => t.key === "node.kubernetes.io/network-unavailable"));
    const plain: PodSpec = { containers: [] };
    addOrUpdateDaemonPodTolerations(plain);
    assert.equal(plain.tolerations?.length, 6);
  });
});

describe("nodeShouldRunDaemonPod", () => {
  it("runs on plain nodes, unschedulable ones included", () => {
    const n = node("n1");
    n.spec = { unschedulable: true };
    assert.deepEqual(nodeShouldRunDaemonPod(n, ds()), {
      shouldRun: true,
      shouldContinueRunning: true,
    });
  });

  it("tolerates the unschedulable and not-ready taints by default", () => {
    const n = node("n1", {}, [
      { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" },
      { key: "node.kubernetes.io/not-ready", effect: "NoExecute" },
    ]);
    assert.equal(nodeShouldRunDaemonPod(n, ds()).shouldRun, true);
  });

  it("keeps existing pods on NoSchedule taints but not on NoExecute ones", () => {
    const noSchedule = node("n1", {}, [{ key: "x", effect: "NoSchedule" }]);
    assert.deepEqual(nodeShouldRunDaemonPod(noSchedule, ds()), {
      shouldRun: false,
      shouldContinueRunning: true,
    });
    const noExecute = node("n1", {}, [{ key: "x", effect: "NoExecute" }]);
    assert.deepEqual(nodeShouldRunDaemonPod(noExecute, ds()), {
      shouldRun: false,
      shouldContinueRunning: false,
    });
    const preferNo = node("n1", {}, [{ key: "x", effect: "PreferNoSchedule" }]);
    assert.equal(nodeShouldRunDaemonPod(preferNo, ds()).shouldRun, true);
  });

  it("checks nodeSelector, required node affinity and template nodeName", () => {
    const n = node("n1", { zone: "a", cores: "8" });
    assert.equal(nodeShouldRunDaemonPod(n, ds({ nodeSelector: { zone: "b" } })).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod(n, ds({ nodeName: "n2" })).shouldRun, false);
    const affinity = (
      op: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt",
      key: string,
      values?: string[],
    ) => ({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key, operator: op, ...(values ? { values } : {}) }] },
          ],
        },
      },
    });
    const fits = (a: ReturnType<typeof affinity>) =>
      requiredNodeAffinityMatches({ spec: { containers: [], affinity: a } }, n);
    assert.ok(fits(affinity("In", "zone", ["a", "b"])));
    assert.ok(!fits(affinity("NotIn", "zone", ["a"])));
    assert.ok(fits(affinity("Exists", "zone")));
    assert.ok(fits(affinity("DoesNotExist", "gpu")));
    assert.ok(fits(affinity("Gt", "cores", ["4"])));
    assert.ok(!fits(affinity("Lt", "cores", ["4"])));
    const byName = replaceNodeNameNodeAffinity(undefined, "n1");
    assert.ok(requiredNodeAffinityMatches({ spec: { containers: [], affinity: byName } }, n));
    assert.ok(
      !requiredNodeAffinityMatches({ spec: { containers: [], affinity: byName } }, node("n2")),
    );
  });
});

describe("daemon pod templates", () => {
  it("pins pods to their node by affinity and reads the node back", () => {
    const template = createPodTemplate(ds().spec!.template, "abc");
    assert.equal(template.metadata?.labels?.["controller-revision-hash"], "abc");
    const affinity = replaceNodeNameNodeAffinity(
      {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } },
      },
      "n7",
    );
    assert.equal(getTargetNodeName({ spec: { containers: [], affinity } }), "n7");
    assert.equal(getTargetNodeName({ spec: { containers: [], nodeName: "n8", affinity } }), "n8");
    assert.equal(getTargetNodeName({ spec: { containers: [] } }), undefined);
  });
});
