/**
 * Node health as the node lifecycle controller judges it (upstream `tryUpdateNodeHealth`): the
 * last time the controller saw the kubelet alive (a Lease renewal or a new Ready heartbeat),
 * measured on the controller's own clock, and the conditions a silent node gets.
 */
import type { Lease, Node, NodeCondition } from "../../api/generated/types.ts";

/** Conditions set to Unknown with Ready (NetworkUnavailable belongs to the network plugin). */
export const conditionsMarkedUnknown = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

export interface NodeHealth {
  /** When the controller last saw the kubelet alive (ms, controller clock). */
  probeTimestamp: number;
  /** The Ready heartbeat and Lease renewTime seen then. */
  heartbeat: string | undefined;
  renewTime: string | undefined;
}

export const readyCondition = (node: Node): NodeCondition | undefined =>
  (node.status?.conditions ?? []).find((c) => c.type === "Ready");

/** Updates (or starts) the health record from what the node and its Lease show now. */
export function observeHealth(
  saved: NodeHealth | undefined,
  node: Node,
  lease: Lease | undefined,
  now: number,
): NodeHealth {
  const heartbeat = readyCondition(node)?.lastHeartbeatTime;
  const renewTime = lease?.spec?.renewTime;
  if (!saved) return { probeTimestamp: now, heartbeat, renewTime };
  const health = { ...saved };
  if (heartbeat !== saved.heartbeat) {
    health.heartbeat = heartbeat;
    health.probeTimestamp = now;
  }
  if (renewTime && (!saved.renewTime || Date.parse(renewTime) > Date.parse(saved.renewTime))) {
    health.renewTime = renewTime;
    health.probeTimestamp = now;
  }
  return health;
}

/**
 * The conditions of a node the kubelet stopped reporting for: Ready and the pressure
 * conditions Unknown (`NodeStatusUnknown`), or added as `NodeStatusNeverUpdated` when missing.
 * Undefined when they already are.
 */
export function unknownConditions(node: Node, now: string): NodeCondition[] | undefined {
  const conditions = structuredClone(node.status?.conditions ?? []);
  let changed = false;
  for (const type of conditionsMarkedUnknown) {
    const current = conditions.find((c) => c.type === type);
    if (!current) {
      conditions.push({
        type,
        status: "Unknown",
        reason: "NodeStatusNeverUpdated",
        message: "Kubelet never posted node status.",
        ...(node.metadata?.creationTimestamp
          ? { lastHeartbeatTime: node.metadata.creationTimestamp }
          : {}),
        lastTransitionTime: now,
      });
      changed = true;
    } else if (current.status !== "Unknown") {
      current.status = "Unknown";
      current.reason = "NodeStatusUnknown";
      current.message = "Kubelet stopped posting node status.";
      current.lastTransitionTime = now;
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}
