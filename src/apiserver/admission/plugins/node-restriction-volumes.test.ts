import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../../api/object.ts";
import { StatusError } from "../../../machinery/status.ts";
import type { UserInfo } from "../../authn/user.ts";
import { nodeRestrictionAdmission } from "./node-restriction.ts";
import { StaticReader } from "./reader.ts";
import { attrs, resourceDef } from "./testing.ts";

const n1: UserInfo = { username: "system:node:n1", groups: ["system:nodes"] };
const pvsDef = resourceDef("", "persistentvolumes", "PersistentVolume", false);
const plugin = nodeRestrictionAdmission({ reader: new StaticReader() });
const cleanup = "local-path.bosun.dev/cleanup";

const volume = (
  node: string,
  finalizers: string[],
  path = "/var/lib/bosun/storage/pvc-1",
): KubeObject => ({
  metadata: {
    name: "pvc-1",
    resourceVersion: "7",
    labels: { "local-path.bosun.dev/node": node },
    finalizers,
  },
  spec: { hostPath: { path, type: "DirectoryOrCreate" } },
});
const update = (old: KubeObject, object: KubeObject) =>
  plugin.admit?.(
    attrs({
      resource: pvsDef,
      operation: "UPDATE",
      name: "pvc-1",
      namespace: "",
      oldObject: old,
      object,
      user: n1,
    }),
  ) ?? Promise.resolve();

async function refused(p: Promise<void>, message: string) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof StatusError);
    assert.equal(err.message, `persistentvolumes "pvc-1" is forbidden: ${message}`);
    return true;
  });
}

describe("NodeRestriction: local-path volumes", () => {
  it("lets a node remove the cleanup finalizer of its own volume", async () => {
    const old = volume("n1", ["kubernetes.io/pv-protection", cleanup]);
    await update(old, volume("n1", ["kubernetes.io/pv-protection"]));
  });

  it("refuses anything else", async () => {
    const only = `node "n1" may only remove the "${cleanup}" finalizer of persistentvolume "pvc-1"`;
    const old = volume("n1", ["kubernetes.io/pv-protection", cleanup]);
    await refused(update(old, volume("n1", [cleanup])), only);
    await refused(update(old, volume("n1", old.metadata?.finalizers ?? [], "/etc")), only);
    await refused(
      update(volume("n2", [cleanup]), volume("n2", [])),
      'node "n1" is not allowed to modify persistentvolume "pvc-1"',
    );
  });
});
