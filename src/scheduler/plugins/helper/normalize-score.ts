/**
 * Upstream `helper.DefaultNormalizeScore`: scales scores so the highest becomes `max`
 * (reversed: the lowest does); all zero stays zero (reversed: all become `max`).
 */
import type { NodeScore } from "../../framework/interface.ts";
import { type Status, success } from "../../framework/status.ts";

export function defaultNormalizeScore(max: number, reverse: boolean, scores: NodeScore[]): Status {
  let highest = 0;
  for (const s of scores) if (s.score > highest) highest = s.score;
  if (highest === 0) {
    if (reverse) for (const s of scores) s.score = max;
    return success;
  }
  for (const s of scores) {
    let v = Math.trunc((max * s.score) / highest);
    if (reverse) v = max - v;
    s.score = v;
  }
  return success;
}
