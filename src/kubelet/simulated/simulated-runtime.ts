/**
 * A runtime without containers, for simulated nodes (like KWOK): pods get an IP from the node's
 * podCIDR and their containers are running and ready at once. Simple commands are played out so
 * that Jobs finish: `true` exits 0, `false` exits 1, `exit N` exits N, `sleep N` runs N seconds
 * then exits 0. Restart policies are honoured (a restarted container counts a restart).
 */
import type { Container } from "../../api/generated/types.ts";
import { type Clock, realClock, type Timer } from "../../machinery/clock.ts";
import type { Pod } from "../pod-source.ts";
import type { ContainerRuntimeStatus, PodRuntime, PodRuntimeStatus } from "../runtime.ts";

interface SimContainer {
  status: ContainerRuntimeStatus;
  timer: Timer | undefined;
}

interface SimPod {
  ip: string;
  init: SimContainer[];
  containers: SimContainer[];
}

/** What a command does: exit with a code after some seconds, or run forever (undefined). */
export function playOut(c: Container): { afterSeconds: number; exitCode: number } | undefined {
  const words = [...(c.command ?? []), ...(c.args ?? [])]
    .join(" ")
    .replace(/^(\/bin\/)?(ba)?sh -c /, "")
    .trim();
  if (words === "true" || words === "/bin/true") return { afterSeconds: 0, exitCode: 0 };
  if (words === "false" || words === "/bin/false") return { afterSeconds: 0, exitCode: 1 };
  const exit = /^exit (\d+)$/.exec(words);
  if (exit) return { afterSeconds: 0, exitCode: Number(exit[1]) };
  const sleep = /^sleep (\d+(?:\.\d+)?)$/.exec(words);
  if (sleep) return { afterSeconds: Number(sleep[1]), exitCode: 0 };
  return undefined;
}

export class SimulatedRuntime implements PodRuntime {
  readonly version = "simulated://1.0";
  readonly #pods = new Map<string, SimPod>();
  readonly #clock: Clock;
  readonly #onChange: (podKey: string) => void;
  readonly #fallbackCIDR: string;
  #nextIP = 2;

  /** `fallbackCIDR`: where pod IPs come from until node IPAM has given the node a podCIDR. */
  constructor(options: {
    clock?: Clock;
    onChange: (podKey: string) => void;
    fallbackCIDR?: string;
  }) {
    this.#clock = options.clock ?? realClock;
    this.#onChange = options.onChange;
    this.#fallbackCIDR = options.fallbackCIDR ?? "10.250.0.0/16";
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async runningPods(): Promise<string[]> {
    return [...this.#pods.keys()];
  }

  #ipFrom(podCIDR: string): string {
    const n = this.#nextIP++;
    const base = podCIDR.split("/")[0]!.split(".").map(Number);
    const value = ((base[0]! << 24) | (base[1]! << 16) | (base[2]! << 8) | base[3]!) + n;
    return [24, 16, 8, 0].map((s) => (value >>> s) & 255).join(".");
  }

  #start(key: string, pod: Pod, c: Container, restartCount: number): SimContainer {
    const now = this.#clock.now();
    const sim: SimContainer = {
      timer: undefined,
      status: {
        name: c.name,
        state: "running",
        startedAt: now,
        restartCount,
        ready: true,
        image: c.image ?? "",
        imageID: `sim://${c.image ?? ""}`,
        containerID: `sim://${pod.metadata?.uid}/${c.name}/${restartCount}`,
      },
    };
    const plan = playOut(c);
    if (plan) {
      sim.timer = this.#clock.after(plan.afterSeconds * 1000, () => {
        const end = this.#clock.now();
        sim.status = {
          ...sim.status,
          state: "terminated",
          ready: false,
          exitCode: plan.exitCode,
          reason: plan.exitCode === 0 ? "Completed" : "Error",
          finishedAt: end,
        };
        this.#onChange(key);
      });
    }
    return sim;
  }

  async syncPod(pod: Pod, podCIDR: string | undefined): Promise<PodRuntimeStatus> {
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    const uid = pod.metadata?.uid ?? key;
    let sim = this.#pods.get(uid);
    if (!sim) {
      sim = { ip: this.#ipFrom(podCIDR ?? this.#fallbackCIDR), init: [], containers: [] };
      this.#pods.set(uid, sim);
    }
    const spec = pod.spec;
    const policy = spec?.restartPolicy ?? "Always";
    const inits = spec?.initContainers ?? [];
    for (const c of inits) {
      const existing = sim.init.find((s) => s.status.name === c.name);
      if (!existing) {
        sim.init.push(this.#start(key, pod, { ...c, command: c.command ?? ["true"] }, 0));
        break;
      }
      if (existing.status.state !== "terminated" || existing.status.exitCode !== 0) break;
    }
    const initDone = inits.every((c) =>
      sim.init.find(
        (s) =>
          s.status.name === c.name && s.status.state === "terminated" && s.status.exitCode === 0,
      ),
    );
    if (initDone) {
      for (const c of spec?.containers ?? []) {
        const existing = sim.containers.find((s) => s.status.name === c.name);
        if (!existing) sim.containers.push(this.#start(key, pod, c, 0));
        else if (existing.status.state === "terminated")
          this.#maybeRestart(key, pod, c, existing, policy);
      }
    }
    return {
      podIP: sim.ip,
      initContainers: sim.init.map((s) => s.status),
      containers: sim.containers.map((s) => s.status),
    };
  }

  #maybeRestart(key: string, pod: Pod, c: Container, sim: SimContainer, policy: string): void {
    const failed = (sim.status.exitCode ?? 0) !== 0;
    if (policy === "Never" || (policy === "OnFailure" && !failed)) return;
    const last = sim.status;
    const next = this.#start(key, pod, c, last.restartCount + 1);
    sim.status = {
      ...next.status,
      lastTermination: {
        exitCode: last.exitCode ?? 0,
        reason: last.reason ?? "Completed",
        startedAt: last.startedAt ?? 0,
        finishedAt: last.finishedAt ?? 0,
      },
    };
    sim.timer = next.timer;
  }

  async killPod(pod: Pod): Promise<void> {
    const uid = pod.metadata?.uid ?? "";
    const sim = this.#pods.get(uid);
    if (!sim) return;
    for (const c of [...sim.init, ...sim.containers]) c.timer?.cancel();
    this.#pods.delete(uid);
  }
}
