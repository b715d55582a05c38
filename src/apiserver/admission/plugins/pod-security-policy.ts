/**
 * Pod Security policy selection and evaluation (upstream `pod-security-admission/api` and
 * `policy.Evaluator`): a namespace's `pod-security.kubernetes.io/<mode>` and `<mode>-version`
 * labels pick a level and version per mode (enforce, warn, audit); a pod is checked against
 * every check of its level, in upstream's order, and violations read
 * `reason (detail), reason (detail)`.
 *
 * Every version evaluates with the `latest` checks (the label's version is only echoed).
 */
import type { ObjectMeta, PodSpec } from "../../../api/generated/types.ts";
import { baselineChecks } from "./pod-security-baseline.ts";
import type { CheckResult, PodCheck, PolicyLevel } from "./pod-security-checks.ts";
import { restrictedChecks } from "./pod-security-restricted.ts";

export type PolicyMode = "enforce" | "warn" | "audit";
export const policyModes: readonly PolicyMode[] = ["enforce", "warn", "audit"];
export const labelPrefix = "pod-security.kubernetes.io/";

export interface LevelVersion {
  readonly level: PolicyLevel;
  /** "latest" or "v1.N". */
  readonly version: string;
}

export type NamespacePolicy = Readonly<Record<PolicyMode, LevelVersion>>;

export const privilegedLatest: LevelVersion = { level: "privileged", version: "latest" };

export const defaultPolicy: NamespacePolicy = {
  enforce: privilegedLatest,
  warn: privilegedLatest,
  audit: privilegedLatest,
};

const levels: readonly string[] = ["privileged", "baseline", "restricted"];

/** `LevelVersion.String()`: `restricted:latest`. */
export const levelVersionString = (lv: LevelVersion): string => `${lv.level}:${lv.version}`;

const isLevel = (value: string): value is PolicyLevel => levels.includes(value);
const isVersion = (value: string): boolean =>
  value === "latest" || /^v1\.(0|[1-9][0-9]*)$/.test(value);

/**
 * `PolicyToEvaluate`: the namespace labels over the defaults. An invalid level makes that mode
 * restricted and an invalid version makes it latest — the most restrictive reading.
 */
export function policyToEvaluate(
  labels: Readonly<Record<string, string>> | undefined,
  defaults: NamespacePolicy = defaultPolicy,
): NamespacePolicy {
  const pick = (mode: PolicyMode): LevelVersion => {
    const level = labels?.[`${labelPrefix}${mode}`];
    const version = labels?.[`${labelPrefix}${mode}-version`];
    return {
      level: level === undefined ? defaults[mode].level : isLevel(level) ? level : "restricted",
      version:
        version === undefined ? defaults[mode].version : isVersion(version) ? version : "latest",
    };
  };
  return { enforce: pick("enforce"), warn: pick("warn"), audit: pick("audit") };
}

const byId = (a: PodCheck, b: PodCheck) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The checks of a level: baseline ones (minus those restricted overrides), then restricted. */
export function checksFor(level: PolicyLevel): PodCheck[] {
  if (level === "privileged") return [];
  const baseline = [...baselineChecks].sort(byId);
  if (level === "baseline") return baseline;
  const overridden = new Set(restrictedChecks.flatMap((c) => c.overrides ?? []));
  return [...baseline.filter((c) => !overridden.has(c.id)), ...[...restrictedChecks].sort(byId)];
}

/** Every violation of the level, in check order. */
export function evaluatePod(level: PolicyLevel, meta: ObjectMeta, spec: PodSpec): CheckResult[] {
  return checksFor(level)
    .map((c) => c.check(meta, spec))
    .filter((r): r is CheckResult => r !== undefined);
}

/** `AggregateCheckResult.ForbiddenDetail`: `reason (detail), reason`. */
export function forbiddenDetail(results: readonly CheckResult[]): string {
  return results.map((r) => (r.detail === "" ? r.reason : `${r.reason} (${r.detail})`)).join(", ");
}
