import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../../api/object.ts";
import { StatusError } from "../../../machinery/status.ts";
import type { UserInfo } from "../../authn/user.ts";
import { nodeIdentity, nodeRestrictionAdmission } from "./node-restriction.ts";
import { StaticReader } from "./reader.ts";
import { type AttrsInput, attrs, nodesDef, podsDef, resourceDef } from "./testing.ts";

const n1: UserInfo = {
  username: "system:node:n1",
  groups: ["system:nodes", "system:authenticated"],
};
const leasesDef = resourceDef("coordination.k8s.io", "leases", "Lease");
const reader = new StaticReader()
  .add("", "nodes", { metadata: { name: "n1", uid: "uid-1" } })
  .add("", "pods", { metadata: { name: "mine", namespace: "ns" }, spec: { nodeName: "n1" } })
  .add("", "pods", { metadata: { name: "theirs", namespace: "ns" }, spec: { nodeName: "n2" } });
const plugin = nodeRestrictionAdmission({ reader });
const run = (input: Omit<AttrsInput, "user">) =>
  plugin.admit?.(attrs({ ...input, user: n1 })) ?? Promise.resolve();

async function forbidden(p: Promise<void>, message: string) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof StatusError);
    assert.equal(err.message, message);
    return true;
  });
}

const mirror = (extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: {
    name: "static-web-n1",
    namespace: "ns",
    annotations: { "kubernetes.io/config.mirror": "hash" },
    ownerReferences: [
      { apiVersion: "v1", kind: "Node", name: "n1", uid: "uid-1", controller: true },
    ],
  },
  spec: { nodeName: "n1", containers: [{ name: "c" }], ...extra },
});

describe("NodeRestriction admission", () => {
  it("identifies nodes by user name and group", () => {
    assert.equal(nodeIdentity(n1), "n1");
    assert.equal(nodeIdentity({ username: "system:node:n1", groups: [] }), undefined);
  });

  it("lets other users through", async () => {
    await plugin.admit?.(
      attrs({ resource: nodesDef, operation: "UPDATE", name: "n2", object: {}, oldObject: {} }),
    );
  });

  it("restricts a node to its own Node", async () => {
    await forbidden(
      run({
        resource: nodesDef,
        operation: "UPDATE",
        name: "n2",
        namespace: "",
        object: {},
        oldObject: {},
      }),
      'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"',
    );
    const old = { metadata: { name: "n1", labels: { "kubernetes.io/hostname": "n1" } }, spec: {} };
    await run({
      resource: nodesDef,
      operation: "UPDATE",
      name: "n1",
      namespace: "",
      oldObject: old,
      object: {
        ...old,
        metadata: {
          name: "n1",
          labels: {
            "kubernetes.io/hostname": "n1",
            "topology.kubernetes.io/zone": "a",
            "example.com/x": "y",
          },
        },
      },
    });
    await forbidden(
      run({
        resource: nodesDef,
        operation: "UPDATE",
        name: "n1",
        namespace: "",
        oldObject: old,
        object: {
          ...old,
          metadata: { name: "n1", labels: { "node-role.kubernetes.io/control-plane": "" } },
        },
      }),
      'nodes "n1" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/control-plane',
    );
    await forbidden(
      run({
        resource: nodesDef,
        operation: "UPDATE",
        name: "n1",
        namespace: "",
        oldObject: old,
        object: { ...old, spec: { taints: [{ key: "k", effect: "NoSchedule" }] } },
      }),
      'nodes "n1" is forbidden: node "n1" is not allowed to modify taints',
    );
    await forbidden(
      run({
        resource: nodesDef,
        operation: "CREATE",
        namespace: "",
        object: { metadata: { name: "n1", labels: { "node-restriction.kubernetes.io/x": "y" } } },
      }),
      'nodes "n1" is forbidden: node "n1" is not allowed to set the following labels: node-restriction.kubernetes.io/x',
    );
  });

  it("allows only mirror pods bound to and owned by the node", async () => {
    await run({ resource: podsDef, object: mirror() });
    await forbidden(
      run({
        resource: podsDef,
        object: { metadata: { name: "p" }, spec: { nodeName: "n1", containers: [] } },
      }),
      'pods "p" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods',
    );
    await forbidden(
      run({ resource: podsDef, object: mirror({ nodeName: "n2" }) }),
      'pods "static-web-n1" is forbidden: node "n1" can only create pods with spec.nodeName set to itself',
    );
    await forbidden(
      run({
        resource: podsDef,
        object: mirror({ volumes: [{ name: "d", persistentVolumeClaim: { claimName: "x" } }] }),
      }),
      'pods "static-web-n1" is forbidden: node "n1" can not create pods that reference persistentvolumeclaims',
    );
    await forbidden(
      run({
        resource: podsDef,
        operation: "UPDATE",
        name: "mine",
        object: mirror(),
        oldObject: mirror(),
      }),
      'pods "mine" is forbidden: unexpected operation "UPDATE", node "n1" can only create and delete mirror pods',
    );
  });

  it("lets a node delete, evict and update the status of its own pods only", async () => {
    await run({ resource: podsDef, operation: "DELETE", name: "mine" });
    await forbidden(
      run({ resource: podsDef, operation: "DELETE", name: "theirs" }),
      'pods "theirs" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself',
    );
    await forbidden(
      run({ resource: podsDef, operation: "DELETE", name: "gone" }),
      'pods "gone" not found',
    );
    await run({
      resource: podsDef,
      subresource: "eviction",
      name: "mine",
      object: { metadata: { name: "mine" } },
    });
    await forbidden(
      run({
        resource: podsDef,
        subresource: "eviction",
        name: "theirs",
        object: { metadata: { name: "theirs" } },
      }),
      'pods "theirs" is forbidden: node n1 can only evict pods with spec.nodeName set to itself',
    );
    const old = { metadata: { name: "theirs", labels: {} }, spec: { nodeName: "n2" } };
    await forbidden(
      run({
        resource: podsDef,
        subresource: "status",
        operation: "UPDATE",
        name: "theirs",
        object: old,
        oldObject: old,
      }),
      'pods "theirs" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself',
    );
    await forbidden(
      run({ resource: podsDef, subresource: "exec", operation: "CONNECT", name: "mine" }),
      "pods \"mine\" is forbidden: unexpected pod subresource \"exec\", only 'status' and 'eviction' are allowed",
    );
  });

  it("confines leases to the node's own in kube-node-lease", async () => {
    await run({
      resource: leasesDef,
      namespace: "kube-node-lease",
      object: { metadata: { name: "n1" } },
    });
    await forbidden(
      run({
        resource: leasesDef,
        namespace: "kube-node-lease",
        operation: "UPDATE",
        name: "n2",
        object: {},
      }),
      'leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node',
    );
    await forbidden(
      run({ resource: leasesDef, namespace: "default", object: { metadata: { name: "n1" } } }),
      'leases.coordination.k8s.io "n1" is forbidden: can only access leases in the "kube-node-lease" system namespace',
    );
  });
});
