/**
 * `spec.successPolicy` of Indexed Jobs (upstream `success_policy.go`): the Job succeeds early
 * once the succeeded indexes satisfy a rule — all of `succeededIndexes`, at least
 * `succeededCount` of them, or `succeededCount` indexes of any kind.
 */
import type { SuccessPolicy } from "../../api/generated/types.ts";
import { hasIndex, type Intervals, parseIntervals, totalOf } from "./indexed.ts";

function matchSucceededIndexesRule(
  required: Intervals,
  succeeded: Intervals,
  count: number | undefined,
): boolean {
  let contained = 0;
  for (const [first, last] of required) {
    for (let ix = first; ix <= last; ix++) if (hasIndex(succeeded, ix)) contained++;
  }
  return count != null ? contained >= count : contained === totalOf(required);
}

/** `matchSuccessPolicy`: the SuccessCriteriaMet message of the first rule met, if any. */
export function matchSuccessPolicy(
  policy: SuccessPolicy | undefined,
  completions: number,
  succeeded: Intervals,
): string | undefined {
  if (!policy || succeeded.length === 0) return undefined;
  for (const [index, rule] of policy.rules.entries()) {
    if (rule.succeededIndexes != null) {
      const required = parseIntervals(rule.succeededIndexes, completions);
      if (required.length === 0) continue;
      if (matchSucceededIndexesRule(required, succeeded, rule.succeededCount)) {
        return `Matched rules at index ${index}`;
      }
    } else if (rule.succeededCount != null && totalOf(succeeded) >= rule.succeededCount) {
      return `Matched rules at index ${index}`;
    }
  }
  return undefined;
}
