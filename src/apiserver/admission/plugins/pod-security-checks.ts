/**
 * The shape of a Pod Security Standards check (upstream `k8s.io/pod-security-admission/policy`)
 * and the helpers every check words its detail with. Each check looks at a pod's metadata and
 * spec and returns undefined (allowed) or a reason and detail, e.g.
 * `privileged` / `container "c" must not set securityContext.privileged=true`.
 */
import type { Container, ObjectMeta, PodSpec } from "../../../api/generated/types.ts";
import { goQuote } from "../../../machinery/go-format.ts";

export type PolicyLevel = "privileged" | "baseline" | "restricted";

export interface CheckResult {
  readonly reason: string;
  /** Empty when upstream gives no detail. */
  readonly detail: string;
}

export interface PodCheck {
  readonly id: string;
  readonly level: "baseline" | "restricted";
  /** Baseline checks this one replaces at the restricted level. */
  readonly overrides?: readonly string[];
  check(meta: ObjectMeta, spec: PodSpec): CheckResult | undefined;
}

export const pluralize = (singular: string, plural: string, n: number): string =>
  n === 1 ? singular : plural;

/** `"a", "b"` — each item Go-quoted. */
export const joinQuote = (items: readonly string[]): string => items.map(goQuote).join(", ");

/** `container "a"` / `containers "a", "b"`. */
export const containersPhrase = (names: readonly string[]): string =>
  `${pluralize("container", "containers", names.length)} ${joinQuote(names)}`;

/** Init containers, containers, then ephemeral containers, as upstream visits them. */
export function allContainers(spec: PodSpec): Container[] {
  return [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...((spec.ephemeralContainers ?? []) as Container[]),
  ];
}

/** Names of the containers `bad` picks. */
export const badContainers = (spec: PodSpec, bad: (c: Container) => boolean): string[] =>
  allContainers(spec)
    .filter(bad)
    .map((c) => c.name);

/** Sorted, de-duplicated (Go's `sets.String.List()`). */
export const sortedSet = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/** Pods in a user namespace (`hostUsers: false`) get relaxed procMount and runAsNonRoot checks. */
export const relaxForUserNamespace = (spec: PodSpec): boolean => spec.hostUsers === false;
