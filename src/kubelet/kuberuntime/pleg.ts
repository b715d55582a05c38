/**
 * The pod lifecycle event generator (upstream generic PLEG): containerd 1.6 does not implement
 * CRI GetContainerEvents, so the kubelet relists sandboxes and containers every second and wakes
 * the pod whose objects changed state (a container exited, a sandbox died).
 */
import type { Clock } from "../../machinery/clock.ts";
import type { Logger } from "../../machinery/log.ts";
import type { RuntimeService } from "../cri/types.ts";
import { podNameLabel, podNamespaceLabel } from "./labels.ts";

export interface PlegOptions {
  readonly runtime: RuntimeService;
  readonly clock: Clock;
  readonly log: Logger;
  readonly onChange: (podKey: string) => void;
  readonly periodMs?: number;
}

export class Pleg {
  readonly #o: PlegOptions;
  #last = new Map<string, { state: string; key: string }>();
  /** When the last relist finished (for the node's health, as upstream's PLEG check). */
  lastRelist = 0;

  constructor(options: PlegOptions) {
    this.#o = options;
  }

  /** One relist: compares every object's state with the previous relist. */
  async relist(): Promise<void> {
    const [sandboxes, containers] = await Promise.all([
      this.#o.runtime.listPodSandbox(),
      this.#o.runtime.listContainers(),
    ]);
    const now = new Map<string, { state: string; key: string }>();
    for (const o of [...sandboxes, ...containers]) {
      const name = o.labels[podNameLabel];
      if (name) now.set(o.id, { state: o.state, key: `${o.labels[podNamespaceLabel]}/${name}` });
    }
    const changed = new Set<string>();
    for (const [id, o] of now) if (this.#last.get(id)?.state !== o.state) changed.add(o.key);
    for (const [id, o] of this.#last) if (!now.has(id)) changed.add(o.key);
    this.#last = now;
    this.lastRelist = this.#o.clock.now();
    for (const key of changed) this.#o.onChange(key);
  }

  run(signal: AbortSignal): void {
    const period = this.#o.periodMs ?? 1000;
    const tick = () => {
      if (signal.aborted) return;
      this.relist()
        .catch((err) => this.#o.log.warn("relist failed", { err }))
        .finally(() => {
          if (!signal.aborted) this.#o.clock.after(period, tick);
        });
    };
    tick();
  }
}
