/**
 * Container probes (upstream `pkg/kubelet/prober`): one worker per running container and probe
 * type, first run after initialDelaySeconds, then every periodSeconds, each run bounded by
 * timeoutSeconds; a result flips after successThreshold successes or failureThreshold failures.
 * Readiness starts false and drives the container's (and so the pod's) Ready condition;
 * liveness and startup start passing and, once failed, have the container killed and restarted.
 * While a startup probe has not passed, readiness and liveness do not run. A changed result wakes
 * the pod; each failure is an `Unhealthy` event.
 */
import type { Container, Probe } from "../../api/generated/types.ts";
import type { Clock, Timer } from "../../machinery/clock.ts";
import type { RuntimeService } from "../cri/types.ts";
import type { Pod } from "../pod-source.ts";
import {
  execAction,
  type HandlerTarget,
  httpGetAction,
  tcpSocketAction,
  type Verdict,
} from "./handlers.ts";
import type { PodEvent } from "./image-manager.ts";

export type ProbeType = "liveness" | "readiness" | "startup";

const names: Record<ProbeType, string> = {
  liveness: "Liveness",
  readiness: "Readiness",
  startup: "Startup",
};

interface Worker {
  readonly type: ProbeType;
  readonly probe: Probe;
  timer: Timer | undefined;
  successes: number;
  failures: number;
  /** undefined until the first verdict that crosses a threshold. */
  result: boolean | undefined;
}

interface ContainerProbes {
  readonly podUid: string;
  readonly workers: Worker[];
}

export interface RunningContainer {
  readonly spec: Container;
  readonly containerId: string;
  /** Milliseconds since the epoch. */
  readonly startedAt: number;
}

export interface ProberOptions {
  readonly runtime: RuntimeService;
  readonly clock: Clock;
  readonly onChange: (podKey: string) => void;
}

/** Upstream runs a gRPC health check for `grpc` probes; this build reports it unsupported. */
async function runProbe(t: HandlerTarget, probe: Probe): Promise<Verdict> {
  if (probe.exec) return execAction(t, probe.exec.command ?? []);
  if (probe.httpGet) return httpGetAction(t, probe.httpGet);
  if (probe.tcpSocket) {
    return tcpSocketAction(t, probe.tcpSocket as { port: number | string; host?: string });
  }
  return { ok: false, message: "grpc probes are not supported by this node" };
}

export class Prober {
  readonly #o: ProberOptions;
  readonly #containers = new Map<string, ContainerProbes>();

  constructor(options: ProberOptions) {
    this.#o = options;
  }

  /** Starts workers for newly running containers of the pod; stops those of the others. */
  update(pod: Pod, podIP: string, running: readonly RunningContainer[], event: PodEvent): void {
    const uid = pod.metadata?.uid ?? "";
    const ids = new Set(running.map((r) => r.containerId));
    for (const [id, c] of this.#containers) {
      if (c.podUid === uid && !ids.has(id)) this.#stop(id);
    }
    for (const r of running) {
      if (this.#containers.has(r.containerId)) continue;
      const workers: Worker[] = [];
      const add = (type: ProbeType, probe: Probe | undefined) => {
        if (probe)
          workers.push({
            type,
            probe,
            timer: undefined,
            successes: 0,
            failures: 0,
            result: undefined,
          });
      };
      add("startup", r.spec.startupProbe);
      add("readiness", r.spec.readinessProbe);
      add("liveness", r.spec.livenessProbe);
      if (workers.length === 0) continue;
      this.#containers.set(r.containerId, { podUid: uid, workers });
      for (const w of workers) this.#schedule(pod, podIP, r, w, event, true);
    }
  }

  #schedule(
    pod: Pod,
    podIP: string,
    r: RunningContainer,
    w: Worker,
    event: PodEvent,
    first: boolean,
  ) {
    const now = this.#o.clock.now();
    const delay = first
      ? Math.max(0, r.startedAt + (w.probe.initialDelaySeconds ?? 0) * 1000 - now)
      : (w.probe.periodSeconds ?? 10) * 1000;
    w.timer = this.#o.clock.after(delay, () => {
      void this.#run(pod, podIP, r, w, event).finally(() => {
        if (this.#containers.get(r.containerId)?.workers.includes(w)) {
          this.#schedule(pod, podIP, r, w, event, false);
        }
      });
    });
  }

  async #run(pod: Pod, podIP: string, r: RunningContainer, w: Worker, event: PodEvent) {
    if (w.type !== "startup" && this.started(r.containerId) === false) return;
    if (w.type === "startup" && w.result === true) return;
    const verdict = await runProbe(
      {
        runtime: this.#o.runtime,
        containerId: r.containerId,
        container: r.spec,
        podIP,
        timeoutSeconds: w.probe.timeoutSeconds ?? 1,
        clock: this.#o.clock,
      },
      w.probe,
    );
    if (!this.#containers.has(r.containerId)) return; // stopped meanwhile
    const before = w.result;
    if (verdict.ok) {
      w.successes++;
      w.failures = 0;
      if (w.successes >= (w.type === "readiness" ? (w.probe.successThreshold ?? 1) : 1))
        w.result = true;
    } else {
      w.failures++;
      w.successes = 0;
      event("Warning", "Unhealthy", `${names[w.type]} probe failed: ${verdict.message}`);
      if (w.failures >= (w.probe.failureThreshold ?? 3)) w.result = false;
    }
    if (w.result !== before) this.#o.onChange(`${pod.metadata?.namespace}/${pod.metadata?.name}`);
  }

  #worker(containerId: string, type: ProbeType): Worker | undefined {
    return this.#containers.get(containerId)?.workers.find((w) => w.type === type);
  }

  /** Readiness of a running container: true without a probe, false until the probe passes. */
  ready(containerId: string): boolean {
    if (this.started(containerId) === false) return false;
    const w = this.#worker(containerId, "readiness");
    return w ? w.result === true : true;
  }

  /** Whether the startup probe passed (true without one). */
  started(containerId: string): boolean {
    const w = this.#worker(containerId, "startup");
    return w ? w.result === true : true;
  }

  /** The probe whose failure means the container must be restarted, if any. */
  failed(containerId: string): ProbeType | undefined {
    if (this.#worker(containerId, "liveness")?.result === false) return "liveness";
    if (this.#worker(containerId, "startup")?.result === false) return "startup";
    return undefined;
  }

  #stop(containerId: string): void {
    for (const w of this.#containers.get(containerId)?.workers ?? []) w.timer?.cancel();
    this.#containers.delete(containerId);
  }

  /** Stops every worker of the pod. */
  removePod(uid: string): void {
    for (const [id, c] of this.#containers) if (c.podUid === uid) this.#stop(id);
  }
}
