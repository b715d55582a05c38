import assert from "node:assert/strict";
import { test } from "node:test";
import { makeNode, makePod, podInfo } from "../testing/fixtures.ts";
import { SchedulerCache } from "./cache.ts";

test("assume counts the pod at once; the informer's copy confirms it; forget undoes it", () => {
  const cache = new SchedulerCache();
  cache.addNode(makeNode("n1", { cpu: "4" }));
  const p = podInfo(makePod("p", { cpu: "1" }));
  cache.assumePod(p, "n1");
  assert.equal(cache.get("n1")?.requested.milliCPU, 1000);
  assert.ok(cache.isAssumed(p.uid));
  cache.forgetPod(p.uid);
  assert.equal(cache.get("n1")?.requested.milliCPU, 0);

  cache.assumePod(p, "n1");
  cache.addPod(p, "n1"); // the binding reached the informer
  assert.ok(!cache.isAssumed(p.uid));
  cache.forgetPod(p.uid); // a late failure report must not drop a confirmed pod
  assert.equal(cache.get("n1")?.pods.length, 1);
  cache.removePod(p.uid);
  assert.equal(cache.get("n1")?.requested.milliCPU, 0);
});

test("pods on unknown nodes wait for the node; removed nodes leave the list", () => {
  const cache = new SchedulerCache();
  cache.addPod(podInfo(makePod("early", { cpu: "1" })), "late");
  assert.equal(cache.nodeInfos().length, 0);
  cache.addNode(makeNode("late"));
  assert.equal(cache.get("late")?.pods.length, 1);
  cache.removeNode(makeNode("late"));
  assert.equal(cache.nodeInfos().length, 0);
  assert.equal(cache.get("late"), undefined);
});

test("nodes hosting pods with affinity are listed for InterPodAffinity", () => {
  const cache = new SchedulerCache();
  cache.addNode(makeNode("a"));
  cache.addNode(makeNode("b"));
  const anti = makePod("anti", {
    affinity: {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { x: "y" } }, topologyKey: "kubernetes.io/hostname" },
        ],
      },
    },
  });
  cache.addPod(podInfo(anti), "b");
  assert.deepEqual(
    cache.havePodsWithRequiredAntiAffinityList().map((n) => n.name),
    ["b"],
  );
  assert.deepEqual(
    cache.havePodsWithAffinityList().map((n) => n.name),
    ["b"],
  );
  cache.removePod(podInfo(anti).uid);
  assert.deepEqual(cache.havePodsWithRequiredAntiAffinityList(), []);
});
