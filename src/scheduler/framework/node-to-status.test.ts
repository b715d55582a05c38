import assert from "node:assert/strict";
import { test } from "node:test";
import { fitErrorMessage, newDiagnosis } from "./node-to-status.ts";
import { unresolvable, unschedulable } from "./status.ts";

test("the FitError message is upstream's: sorted reason histogram, then PostFilter", () => {
  const d = newDiagnosis();
  d.nodeToStatus.set(
    "cp",
    unresolvable("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"),
  );
  d.nodeToStatus.set("w1", unschedulable("Insufficient cpu"));
  d.nodeToStatus.set("w2", unschedulable("Insufficient cpu"));
  const post = newDiagnosis();
  post.nodeToStatus.absent = unresolvable("Preemption is not helpful for scheduling");
  d.postFilterMsg = `preemption: ${fitErrorMessage(3, post)}`;
  assert.equal(
    fitErrorMessage(3, d),
    "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
  );
});

test("a node with several reasons counts each; PreFilter rejections replace the histogram", () => {
  const d = newDiagnosis();
  d.nodeToStatus.set("a", unschedulable("Insufficient cpu", "Insufficient memory"));
  d.nodeToStatus.set("b", unschedulable("Insufficient memory"));
  assert.equal(
    fitErrorMessage(2, d),
    "0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory.",
  );
  const pre = newDiagnosis();
  pre.preFilterMsg = "pod has unbound immediate PersistentVolumeClaims";
  pre.nodeToStatus.absent = unresolvable(pre.preFilterMsg);
  assert.equal(
    fitErrorMessage(5, pre),
    "0/5 nodes are available: pod has unbound immediate PersistentVolumeClaims.",
  );
});
