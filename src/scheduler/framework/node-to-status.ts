/**
 * Why each node was turned down (upstream `NodeToStatus`), and the FitError message built from
 * it — the text users see in FailedScheduling events and the PodScheduled condition:
 * "0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu.
 * preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
 */
import type { Code, Status } from "./status.ts";
import { unresolvable } from "./status.ts";

export class NodeToStatus {
  readonly #statuses = new Map<string, Status>();
  /** The status of nodes not in the map (evaluated as a group, e.g. by PreFilter). */
  absent: Status = unresolvable();

  set(nodeName: string, status: Status): void {
    this.#statuses.set(nodeName, status);
  }

  get(nodeName: string): Status {
    return this.#statuses.get(nodeName) ?? this.absent;
  }

  get size(): number {
    return this.#statuses.size;
  }

  entries(): IterableIterator<[string, Status]> {
    return this.#statuses.entries();
  }

  /** Names of `allNodes` whose status has this code (absent nodes count with `absent`). */
  nodesWithCode(allNodes: readonly string[], code: Code): string[] {
    return allNodes.filter((n) => this.get(n).code === code);
  }
}

export interface Diagnosis {
  readonly nodeToStatus: NodeToStatus;
  readonly unschedulablePlugins: Set<string>;
  preFilterMsg: string;
  postFilterMsg: string;
}

export const newDiagnosis = (): Diagnosis => ({
  nodeToStatus: new NodeToStatus(),
  unschedulablePlugins: new Set(),
  preFilterMsg: "",
  postFilterMsg: "",
});

/** `FitError.Error()`: "0/N nodes are available: <prefilter>. <histogram>. <postfilter>". */
export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (d.preFilterMsg !== "") {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const counts = new Map<string, number>();
    for (const [, status] of d.nodeToStatus.entries()) {
      for (const r of status.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    }
    const absentNodes = numAllNodes - d.nodeToStatus.size;
    if (absentNodes > 0) {
      for (const r of d.nodeToStatus.absent.reasons) {
        counts.set(r, (counts.get(r) ?? 0) + absentNodes);
      }
    }
    const histogram = [...counts].map(([reason, n]) => `${n} ${reason}`).sort(goStringLess);
    if (histogram.length > 0) msg += ` ${histogram.join(", ")}.`;
  }
  if (d.postFilterMsg !== "") msg += ` ${d.postFilterMsg}`;
  return msg;
}

/** Go's sort.Strings compares bytes; for UTF-16 strings compare code points the same way. */
function goStringLess(a: string, b: string): number {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return Buffer.compare(ba, bb);
}
