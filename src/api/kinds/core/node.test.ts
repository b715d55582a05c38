import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node, NodeSystemInfo } from "../../generated/types.ts";
import type { Obj } from "./common.ts";
import { nodeResource } from "./node.ts";
import {
  created,
  printRow,
  simulateCreate,
  simulateStatusUpdate,
  simulateUpdate,
  t0,
} from "./testing.ts";

const node = (extra: Partial<Node> = {}): Obj<Node> => ({
  metadata: { name: "worker-1", creationTimestamp: created },
  ...extra,
});

describe("Node", () => {
  it("defaults allocatable to capacity", () => {
    const n = node({ status: { capacity: { cpu: "4", pods: "110" } } });
    nodeResource.strategy.defaults?.(n);
    assert.deepEqual(n.status?.allocatable, { cpu: "4", pods: "110" });
  });

  it("accepts a valid node", () => {
    const { errors } = simulateCreate(
      nodeResource,
      node({ spec: { podCIDRs: ["10.244.1.0/24"], taints: [{ key: "a", effect: "NoSchedule" }] } }),
    );
    assert.deepEqual(errors, []);
  });

  it("reports taints under metadata.taints as upstream does", () => {
    const { errors } = simulateCreate(
      nodeResource,
      node({
        spec: {
          taints: [
            { key: "a", effect: "NoSchedule" },
            { key: "a", effect: "NoSchedule" },
            { key: "b", effect: "Sometimes" as "NoSchedule" },
          ],
        },
      }),
    );
    assert.deepEqual(errors, [
      'metadata.taints[1]: Duplicate value: {"key":"a","effect":"NoSchedule"}: taints must be unique by key and effect pair',
      'metadata.taints[2].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ]);
  });

  it("validates pod CIDRs and capacity", () => {
    const { errors } = simulateUpdate(
      nodeResource,
      node({ spec: { podCIDRs: ["10.0.0.0/33"] }, status: { capacity: { pods: "1500m" } } }),
      node({ status: { capacity: { pods: "1500m" } } }),
    );
    // ValidateNode then ValidateNodeUpdate: capacity is checked by both, as upstream.
    assert.deepEqual(errors, [
      'status.capacity.pods: Invalid value: "1500m": must be an integer',
      'spec.podCIDRs[0]: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      'status.capacity.pods: Invalid value: "1500m": must be an integer',
    ]);
  });

  it("lets podCIDRs and providerID be set once", () => {
    const old = node({ spec: { podCIDRs: ["10.244.1.0/24"], providerID: "p1" } });
    const { errors } = simulateUpdate(
      nodeResource,
      node({ spec: { podCIDRs: ["10.244.2.0/24"], providerID: "p2" } }),
      old,
    );
    assert.deepEqual(errors, [
      'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
      'spec.providerID: Forbidden: node updates may not change providerID except from "" to valid',
    ]);
    const first = simulateUpdate(
      nodeResource,
      node({ spec: { podCIDRs: ["10.244.3.0/24"] } }),
      node(),
    );
    assert.deepEqual(first.errors, []);
  });

  it("rejects duplicate addresses on status updates", () => {
    const address = { type: "InternalIP", address: "10.0.0.1" };
    const { errors } = simulateStatusUpdate(
      nodeResource,
      node({ status: { addresses: [address, address] } }),
      node(),
    );
    assert.deepEqual(errors, [
      'status.addresses[1]: Duplicate value: {"type":"InternalIP","address":"10.0.0.1"}',
    ]);
  });

  it("prints status, roles and the wide columns", () => {
    const n = node({
      metadata: {
        name: "cp",
        creationTimestamp: created,
        labels: { "node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "master" },
      },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: "Ready", status: "True" }],
        addresses: [{ type: "InternalIP", address: "10.0.0.1" }],
        nodeInfo: { kubeletVersion: "v1.34.0", osImage: "Debian" } as NodeSystemInfo,
      },
    });
    assert.deepEqual(printRow(nodeResource, n, t0 + 3 * 86_400_000), {
      Name: "cp",
      Status: "Ready,SchedulingDisabled",
      Roles: "control-plane,master",
      Age: "3d",
      Version: "v1.34.0",
      "Internal-IP": "10.0.0.1",
      "External-IP": "<none>",
      "OS-Image": "Debian",
      "Kernel-Version": "<unknown>",
      "Container-Runtime": "<unknown>",
    });
    const unknown = printRow(nodeResource, node(), t0);
    assert.equal(unknown.Status, "Unknown");
    assert.equal(unknown.Roles, "<none>");
    assert.deepEqual(nodeResource.strategy.selectableFields?.(n), { "spec.unschedulable": "true" });
  });
});
