/**
 * Choosing among candidate nodes (upstream `pickOneNodeForPreemption`), criterion by criterion
 * until one node is left: fewest PDB violations, lowest highest-victim priority, smallest sum of
 * victim priorities, fewest victims, latest start among the highest-priority victims; then the
 * first.
 */
import type { Victims } from "./select-victims.ts";

export interface Candidate {
  readonly nodeName: string;
  readonly victims: Victims;
}

const int32Max = 2 ** 31 - 1;

function earliestStartOfTopVictims(v: Victims, now: number): number {
  const top = v.pods[0]?.priority;
  let earliest = Infinity;
  for (const p of v.pods) {
    if (p.priority !== top) continue;
    const t = p.pod.status?.startTime;
    earliest = Math.min(earliest, t ? Date.parse(t) : now);
  }
  return earliest === Infinity ? -Infinity : earliest;
}

export function pickOneNodeForPreemption(candidates: readonly Candidate[], now: number) {
  const scoreFuncs: ((c: Candidate) => number)[] = [
    (c) => -c.victims.numPDBViolations,
    (c) => -(c.victims.pods[0]?.priority ?? 0),
    (c) => -c.victims.pods.reduce((sum, p) => sum + p.priority + int32Max + 1, 0),
    (c) => -c.victims.pods.length,
    (c) => earliestStartOfTopVictims(c.victims, now),
  ];
  let remaining = [...candidates];
  for (const f of scoreFuncs) {
    let best = -Infinity;
    let selected: Candidate[] = [];
    for (const c of remaining) {
      const s = f(c);
      if (s > best) {
        best = s;
        selected = [c];
      } else if (s === best) selected.push(c);
    }
    if (selected.length === 1) return selected[0];
    remaining = selected;
  }
  return remaining[0];
}
