/**
 * `TriggerTimeTracker`: the value of `endpoints.kubernetes.io/last-change-trigger-time`, the
 * earliest time of a change (a pod's Ready transition, the service's creation) not yet reflected
 * in the service's endpoints. For a service seen for the first time it is the creation time;
 * when nothing changed since the last sync it is undefined (the annotation is then dropped).
 */
import type { Pod, Service } from "../../api/generated/types.ts";

interface ServiceState {
  lastServiceTriggerTime: number;
  lastPodTriggerTimes: Map<string, number>;
}

const parse = (t: string | undefined): number => (t ? Date.parse(t) : 0);

function podTriggerTime(pod: Pod): number {
  const ready = (pod.status?.conditions ?? []).find((c) => c.type === "Ready");
  return parse(ready?.lastTransitionTime);
}

export class TriggerTimeTracker {
  readonly #states = new Map<string, ServiceState>();

  /** Epoch milliseconds of the earliest unreflected change, or undefined. */
  compute(service: Service, pods: readonly Pod[]): number | undefined {
    const key = `${service.metadata?.namespace}/${service.metadata?.name}`;
    const state = this.#states.get(key);
    let trigger: number | undefined;
    const next: ServiceState = { lastServiceTriggerTime: 0, lastPodTriggerTimes: new Map() };
    for (const pod of pods) {
      const t = podTriggerTime(pod);
      if (!t) continue;
      const name = pod.metadata?.name ?? "";
      next.lastPodTriggerTimes.set(name, t);
      if (t > (state?.lastPodTriggerTimes.get(name) ?? 0)) trigger = Math.min(trigger ?? t, t);
    }
    const serviceTime = parse(service.metadata?.creationTimestamp);
    if (serviceTime > (state?.lastServiceTriggerTime ?? 0)) {
      trigger = Math.min(trigger ?? serviceTime, serviceTime);
    }
    next.lastServiceTriggerTime = serviceTime;
    this.#states.set(key, next);
    if (!state) return serviceTime || undefined;
    return trigger;
  }

  deleteService(namespace: string, name: string): void {
    this.#states.delete(`${namespace}/${name}`);
  }
}
