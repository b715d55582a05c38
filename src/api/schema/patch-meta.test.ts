import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { PatchMeta } from "../../machinery/patch/patch-meta.ts";
import { patchMetaFor } from "./patch-meta.ts";

const POD = { group: "", version: "v1", kind: "Pod" };
const DEPLOYMENT = { group: "apps", version: "v1", kind: "Deployment" };

function at(meta: PatchMeta | undefined, ...path: string[]): PatchMeta | undefined {
  let current = meta;
  for (const step of path) {
    current = step === "[]" ? current?.elements() : current?.field(step);
  }
  return current;
}

describe("patchMetaFor", () => {
  const pod = patchMetaFor(POD);

  test("Pod containers merge by name, ports by containerPort", () => {
    assert.equal(pod?.kind, "struct");
    const containers = at(pod, "spec", "containers");
    assert.equal(containers?.kind, "list");
    assert.equal(containers?.patchStrategy, "merge");
    assert.equal(containers?.patchMergeKey, "name");
    const ports = at(containers, "[]", "ports");
    assert.equal(ports?.patchStrategy, "merge");
    assert.equal(ports?.patchMergeKey, "containerPort");
    assert.equal(at(ports, "[]", "containerPort")?.kind, "primitive");
    assert.equal(at(containers, "[]", "env")?.patchMergeKey, "name");
    assert.equal(at(containers, "[]", "volumeMounts")?.patchMergeKey, "mountPath");
  });

  test("volumes merge with retainKeys; hostAliases by ip", () => {
    const volumes = at(pod, "spec", "volumes");
    assert.equal(volumes?.patchStrategy, "merge,retainKeys");
    assert.equal(volumes?.patchMergeKey, "name");
    assert.equal(at(pod, "spec", "hostAliases")?.patchMergeKey, "ip");
  });

  test("lists without a patch strategy are replaced, even when list-type is map", () => {
    const tolerations = at(pod, "spec", "tolerations");
    assert.equal(tolerations?.kind, "list");
    assert.equal(tolerations?.patchStrategy, undefined);
    // ResourceRequirements.claims: x-kubernetes-list-type map keyed by name, no patch strategy.
    const claims = at(pod, "spec", "containers", "[]", "resources", "claims");
    assert.equal(claims?.kind, "list");
    assert.equal(claims?.patchStrategy, undefined);
    assert.equal(claims?.patchMergeKey, undefined);
    const args = at(pod, "spec", "containers", "[]", "args");
    assert.equal(args?.kind, "list");
    assert.equal(args?.patchStrategy, undefined);
    assert.equal(at(args, "[]")?.kind, "primitive");
  });

  test("finalizers set-merge, ownerReferences by uid, labels are a map of primitives", () => {
    const finalizers = at(pod, "metadata", "finalizers");
    assert.equal(finalizers?.patchStrategy, "merge");
    assert.equal(finalizers?.patchMergeKey, undefined);
    assert.equal(at(pod, "metadata", "ownerReferences")?.patchMergeKey, "uid");
    const labels = at(pod, "metadata", "labels");
    assert.equal(labels?.kind, "map");
    assert.equal(labels?.elements()?.kind, "primitive");
    assert.equal(at(pod, "spec", "nodeSelector")?.kind, "map");
  });

  test("Deployment strategy is a struct with retainKeys", () => {
    const deployment = patchMetaFor(DEPLOYMENT);
    const strategy = at(deployment, "spec", "strategy");
    assert.equal(strategy?.kind, "struct");
    assert.equal(strategy?.patchStrategy, "retainKeys");
    assert.equal(at(strategy, "rollingUpdate", "maxSurge")?.kind, "primitive");
    const containers = at(deployment, "spec", "template", "spec", "containers");
    assert.equal(containers?.patchMergeKey, "name");
    assert.equal(at(deployment, "status", "conditions")?.patchMergeKey, "type");
  });

  test("quantities are primitives; free-form objects are maps without element meta", () => {
    const limits = at(pod, "spec", "containers", "[]", "resources", "limits");
    assert.equal(limits?.kind, "map");
    assert.equal(limits?.elements()?.kind, "primitive");
    const revision = patchMetaFor({ group: "apps", version: "v1", kind: "ControllerRevision" });
    const data = at(revision, "data");
    assert.equal(data?.kind, "map");
    assert.equal(data?.elements(), undefined);
  });

  test("unknown fields and kinds have no meta", () => {
    assert.equal(at(pod, "spec", "nope"), undefined);
    assert.equal(at(pod, "spec", "containers", "nope"), undefined);
    assert.equal(patchMetaFor({ group: "example.com", version: "v1", kind: "Widget" }), undefined);
  });
});
