/**
 * The status conditions the namespace controller keeps on a terminating namespace (upstream
 * `status_condition_utils.go`): one per kind of trouble, True with the details while it lasts,
 * False with a fixed "all is well" reason and message otherwise.
 */
import type { NamespaceCondition, NamespaceStatus } from "../../api/generated/types.ts";

export const conditionTypes = [
  "NamespaceDeletionDiscoveryFailure",
  "NamespaceDeletionGroupVersionParsingFailure",
  "NamespaceDeletionContentFailure",
  "NamespaceContentRemaining",
  "NamespaceFinalizersRemaining",
] as const;

export type NamespaceConditionType = (typeof conditionTypes)[number];

const okReasons: Record<NamespaceConditionType, string> = {
  NamespaceDeletionDiscoveryFailure: "ResourcesDiscovered",
  NamespaceDeletionGroupVersionParsingFailure: "ParsedGroupVersions",
  NamespaceDeletionContentFailure: "ContentDeleted",
  NamespaceContentRemaining: "ContentRemoved",
  NamespaceFinalizersRemaining: "ContentHasNoFinalizers",
};

const okMessages: Record<NamespaceConditionType, string> = {
  NamespaceDeletionDiscoveryFailure: "All resources successfully discovered",
  NamespaceDeletionGroupVersionParsingFailure: "All legacy kube types successfully parsed",
  NamespaceDeletionContentFailure:
    "All content successfully deleted, may be waiting on finalization",
  NamespaceContentRemaining: "All content successfully removed",
  NamespaceFinalizersRemaining: "All content-preserving finalizers finished",
};

export interface Problem {
  readonly reason: string;
  readonly message: string;
}

/** Collects what went wrong during one deletion pass. */
export class NamespaceConditionUpdater {
  readonly #problems = new Map<NamespaceConditionType, Problem>();
  readonly #deleteErrors: string[] = [];

  processDiscoverResourcesErr(message: string): void {
    this.#problems.set("NamespaceDeletionDiscoveryFailure", { reason: "DiscoveryFailed", message });
  }

  processDeleteContentErr(err: Error): void {
    this.#deleteErrors.push(err.message);
  }

  /** `ProcessContentTotals`: what remains, by resource and by finalizer. */
  processContentTotals(remaining: Map<string, number>, finalizers: Map<string, number>): void {
    const list = (m: Map<string, number>, fmt: (k: string, n: number) => string) =>
      [...m]
        .filter(([, n]) => n > 0)
        .map(([k, n]) => fmt(k, n))
        .sort()
        .join(", ");
    if (remaining.size > 0) {
      this.#problems.set("NamespaceContentRemaining", {
        reason: "SomeResourcesRemain",
        message: `Some resources are remaining: ${list(remaining, (k, n) => `${k} has ${n} resource instances`)}`,
      });
    }
    if (finalizers.size > 0) {
      this.#problems.set("NamespaceFinalizersRemaining", {
        reason: "SomeFinalizersRemain",
        message: `Some content in the namespace has finalizers remaining: ${list(finalizers, (k, n) => `${k} in ${n} resource instances`)}`,
      });
    }
  }

  /** Writes the conditions into `status`; true when anything changed. */
  update(status: NamespaceStatus, now: string): boolean {
    if (this.#deleteErrors.length > 0) {
      const msgs = [...this.#deleteErrors].sort();
      this.#problems.set("NamespaceDeletionContentFailure", {
        reason: "ContentDeletionFailed",
        message: `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(", ")}`,
      });
    }
    let changed = false;
    status.conditions ??= [];
    const conditions: NamespaceCondition[] = status.conditions;
    for (const type of conditionTypes) {
      const problem = this.#problems.get(type);
      const want = problem
        ? { status: "True", ...problem }
        : { status: "False", reason: okReasons[type], message: okMessages[type] };
      const old = conditions.find((c) => c.type === type);
      if (!old) {
        conditions.push({ type, ...want, lastTransitionTime: now });
        changed = true;
      } else if (
        old.status !== want.status ||
        old.reason !== want.reason ||
        old.message !== want.message
      ) {
        if (old.status !== want.status) old.lastTransitionTime = now;
        Object.assign(old, want);
        changed = true;
      }
    }
    return changed;
  }
}
