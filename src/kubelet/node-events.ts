/**
 * The Events a kubelet records about its Node, as upstream's: "Starting kubelet." when it starts,
 * and "Node <name> status is now: <reason>" whenever one of the four conditions it reports
 * changes (NodeHasSufficientMemory, NodeHasNoDiskPressure, NodeHasSufficientPID, NodeReady and
 * their opposites). Like upstream's `nodeRef`, the involved object's uid is the node's name
 * (`kubectl describe node` looks events up under both the uid and the name).
 */
import type { NodeCondition } from "../api/generated/types.ts";
import type { EventRecorder } from "../client/event-recorder.ts";

/** The reason recorded for a condition's status (upstream's node status setters). */
const reasons: Record<
  string,
  { readonly ok: string; readonly bad: string; readonly okStatus: string }
> = {
  MemoryPressure: {
    ok: "NodeHasSufficientMemory",
    bad: "NodeHasInsufficientMemory",
    okStatus: "False",
  },
  DiskPressure: { ok: "NodeHasNoDiskPressure", bad: "NodeHasDiskPressure", okStatus: "False" },
  PIDPressure: { ok: "NodeHasSufficientPID", bad: "NodeHasInsufficientPID", okStatus: "False" },
  Ready: { ok: "NodeReady", bad: "NodeNotReady", okStatus: "True" },
};

/** The status events `after` calls for compared with `before` (a new condition counts). */
export function nodeStatusEvents(
  before: readonly NodeCondition[] | undefined,
  after: readonly NodeCondition[],
): string[] {
  const out: string[] = [];
  for (const c of after) {
    const r = reasons[c.type];
    if (!r) continue;
    const previous = before?.find((b) => b.type === c.type)?.status;
    if (previous === c.status) continue;
    out.push(c.status === r.okStatus ? r.ok : r.bad);
  }
  return out;
}

export function nodeRef(name: string) {
  return { kind: "Node", apiVersion: "v1", metadata: { name, uid: name } };
}

/** Records "Node <name> status is now: <reason>" for each reason. */
export function recordNodeStatusEvents(
  recorder: EventRecorder | undefined,
  name: string,
  events: readonly string[],
): void {
  for (const reason of events) {
    recorder?.event(nodeRef(name), "Normal", reason, `Node ${name} status is now: ${reason}`);
  }
}
