/**
 * Resource lists as quantities, and a pod's effective requests and limits (upstream
 * `resourcehelper.PodRequests` / `PodLimits` without in-place resize): the sum over containers
 * and restartable (sidecar) init containers, raised to the largest regular init container.
 */

import { type Quantity, quantityFromJSON } from "../../machinery/quantity.ts";
import type { Container, Pod } from "../generated/types.ts";

export type ResourceList = Map<string, Quantity>;

/** Parses a stored list; entries that do not parse are skipped (validation reports them). */
export function toResourceList(list: Record<string, unknown> | undefined): ResourceList {
  const out: ResourceList = new Map();
  for (const [name, raw] of Object.entries(list ?? {})) {
    try {
      out.set(name, quantityFromJSON(raw));
    } catch {
      // invalid quantities never reach admission after validation; ignore them here
    }
  }
  return out;
}

/** `addResourceList`: list += more. */
export function addInto(list: ResourceList, more: ResourceList): void {
  for (const [name, q] of more) {
    const have = list.get(name);
    list.set(name, have === undefined ? q : have.add(q));
  }
}

/** `maxResourceList`: list = max(list, more) per resource in more. */
export function maxInto(list: ResourceList, more: ResourceList): void {
  for (const [name, q] of more) {
    const have = list.get(name);
    if (have === undefined || q.cmp(have) > 0) list.set(name, q);
  }
}

function podTotal(pod: Pod, pick: (c: Container) => Record<string, unknown> | undefined) {
  const total: ResourceList = new Map();
  for (const c of pod.spec?.containers ?? []) addInto(total, toResourceList(pick(c)));
  const sidecars: ResourceList = new Map();
  const initMax: ResourceList = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    const own = toResourceList(pick(c));
    if (c.restartPolicy === "Always") {
      addInto(total, own);
      addInto(sidecars, own);
      maxInto(initMax, sidecars);
    } else {
      const withSidecars: ResourceList = new Map(own);
      addInto(withSidecars, sidecars);
      maxInto(initMax, withSidecars);
    }
  }
  maxInto(total, initMax);
  return total;
}

/** Without `spec.overhead`, as LimitRanger's own copy of these helpers upstream. */
export const podRequests = (pod: Pod): ResourceList => podTotal(pod, (c) => c.resources?.requests);
export const podLimits = (pod: Pod): ResourceList => podTotal(pod, (c) => c.resources?.limits);

/**
 * What `resourcehelper.PodRequests`/`PodLimits` add for `spec.overhead` (set from the pod's
 * RuntimeClass): the overhead joins the requests, and the limits that are set.
 */
export function addPodOverhead(pod: Pod, requests: ResourceList, limits: ResourceList): void {
  const overhead = toResourceList(pod.spec?.overhead ?? undefined);
  addInto(requests, overhead);
  for (const [name, q] of overhead) {
    const limit = limits.get(name);
    if (limit !== undefined) limits.set(name, limit.add(q));
  }
}

/** "name=value,..." sorted by name (upstream `prettyPrint`). */
export function prettyPrint(list: ResourceList): string {
  return [...list.keys()]
    .sort()
    .map((name) => `${name}=${list.get(name)?.toString() ?? "0"}`)
    .join(",");
}
