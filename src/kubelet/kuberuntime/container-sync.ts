/**
 * The container step of a pod sync (upstream `computePodActions` for containers and
 * `SyncPod`'s start loop), given a ready sandbox: init containers one at a time in order
 * (restartable "sidecar" init containers keep running), then every app container — start what
 * is missing, restart what exited when the restart policy says so (unless in CrashLoopBackOff),
 * restart what failed its liveness or startup probe or whose spec changed; ephemeral containers
 * start once. Why a container could not start is recorded in `waiting` for the status.
 */
import { join } from "node:path";
import type { Container as ContainerSpec } from "../../api/generated/types.ts";
import type { Container, PodSandbox, PodSandboxConfig } from "../cri/types.ts";
import type { Pod } from "../pod-source.ts";
import type { MountedVolume } from "../volumes/volume-manager.ts";
import { containerHash } from "./container-config.ts";
import { startContainer } from "./container-start.ts";
import type { ContainerRecord, Waiting } from "./container-status.ts";
import type { PodEvent } from "./image-manager.ts";
import { gracePeriodFor, killContainer } from "./pod-termination.ts";
import type { RuntimeDeps } from "./runtime-deps.ts";

export interface ContainerStep {
  readonly pod: Pod;
  readonly sandbox: PodSandbox;
  readonly sandboxConfig: PodSandboxConfig;
  readonly podIP: string;
  readonly hostIP: string;
  readonly volumes: ReadonlyMap<string, MountedVolume>;
  readonly hostsFile: string;
  /** All instances of each container (any sandbox), newest first. */
  readonly records: ReadonlyMap<string, ContainerRecord[]>;
  /** Filled with why containers wait. */
  readonly waiting: Map<string, Waiting>;
  readonly event: PodEvent;
}

function shouldRestart(pod: Pod, spec: ContainerSpec, exitCode: number): boolean {
  const policy = spec.restartPolicy ?? pod.spec?.restartPolicy ?? "Always";
  return policy === "Always" || (policy === "OnFailure" && exitCode !== 0);
}

/** Go's time.Duration String for whole seconds and minutes: 10s, 1m20s, 5m0s. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m${s % 60}s`;
}

export class ContainerSync {
  readonly #d: RuntimeDeps;
  readonly #s: ContainerStep;
  readonly #uid: string;

  constructor(deps: RuntimeDeps, step: ContainerStep) {
    this.#d = deps;
    this.#s = step;
    this.#uid = step.pod.metadata?.uid ?? "";
  }

  /** Instances in the current sandbox, newest first. */
  #current(name: string): ContainerRecord[] {
    return (this.#s.records.get(name) ?? []).filter((r) => r.sandboxId === this.#s.sandbox.id);
  }

  #nextCount(name: string): number {
    const newest = this.#s.records.get(name)?.[0];
    return newest ? newest.restartCount + 1 : 0;
  }

  async #start(spec: ContainerSpec, isInit: boolean, targetId?: string): Promise<void> {
    const { pod, waiting } = this.#s;
    const d = this.#d;
    const restartCount = this.#nextCount(spec.name);
    const result = await startContainer(
      {
        runtime: d.o.runtime,
        images: d.o.images,
        imageManager: d.images,
        gate: d.gate,
        objects: d.o.objects,
        clock: d.clock,
        allocatable: d.o.node.allocatable,
        memoryCapacity: d.o.node.memoryCapacityBytes,
      },
      {
        pod,
        container: spec,
        isInit,
        sandboxId: this.#s.sandbox.id,
        sandboxConfig: this.#s.sandboxConfig,
        restartCount,
        ips: { podIP: this.#s.podIP, hostIP: this.#s.hostIP },
        volumes: this.#s.volumes,
        hostsFile: this.#s.hostsFile,
        terminationLogFile: join(
          d.podDir(this.#uid),
          "containers",
          spec.name,
          String(restartCount),
        ),
        event: this.#s.event,
        ...(targetId ? { targetId } : {}),
      },
    );
    if (!result) return;
    waiting.set(spec.name, result);
    const pullWait = d.images.backoffRemaining(pod, spec);
    d.wakeAfter(pod, result.reason === "ErrImagePull" ? pullWait : Math.max(pullWait, 2000));
  }

  /** Restarts an exited container unless it is backing off (then it waits in CrashLoopBackOff). */
  async #restart(spec: ContainerSpec, last: ContainerRecord, isInit: boolean): Promise<void> {
    const { pod } = this.#s;
    const d = this.#d;
    const key = `${this.#uid}/${spec.name}/${containerHash(spec)}`;
    if (d.backoff.isInBackOffSince(key, last.finishedAt)) {
      const who = `${pod.metadata?.name}_${pod.metadata?.namespace}(${this.#uid})`;
      this.#s.waiting.set(spec.name, {
        reason: "CrashLoopBackOff",
        message: `back-off ${formatDuration(d.backoff.get(key))} restarting failed container=${spec.name} pod=${who}`,
      });
      this.#s.event(
        "Warning",
        "BackOff",
        `Back-off restarting failed container ${spec.name} in pod ${who}`,
      );
      d.wakeAfter(pod, d.backoff.remaining(key, last.finishedAt));
      return;
    }
    d.backoff.next(key, last.finishedAt);
    await this.#start(spec, isInit);
  }

  async #kill(spec: ContainerSpec, latest: ContainerRecord, reason: string): Promise<void> {
    const [c]: Container[] = await this.#d.o.runtime.listContainers({ id: latest.id });
    if (!c) return;
    await killContainer(
      {
        runtime: this.#d.o.runtime,
        clock: this.#d.clock,
        pod: this.#s.pod,
        podIP: this.#s.podIP,
        containers: [c],
        gracePeriodSeconds: gracePeriodFor(this.#s.pod, [c]),
        event: this.#s.event,
        reason,
      },
      c,
      spec,
    );
  }

  /** Runs the init containers; true once they are done (or running, for sidecars). */
  async #initContainers(): Promise<boolean> {
    const { pod } = this.#s;
    for (const spec of pod.spec?.initContainers ?? []) {
      const latest = this.#current(spec.name)[0];
      const sidecar = spec.restartPolicy === "Always";
      if (!latest) {
        await this.#start(spec, true);
        if (!sidecar || this.#s.waiting.has(spec.name)) return false;
        continue;
      }
      if (latest.state === "CONTAINER_RUNNING") {
        if (sidecar) continue;
        return false;
      }
      if (latest.state === "CONTAINER_EXITED" && latest.exitCode === 0 && !sidecar) continue;
      if (latest.state === "CONTAINER_EXITED" && shouldRestart(pod, spec, latest.exitCode)) {
        await this.#restart(spec, latest, true);
      }
      return false;
    }
    return true;
  }

  /**
   * Ephemeral containers (`kubectl debug`) start once, before the init containers as upstream,
   * and never again: one that exited, or whose sandbox was replaced, stays as it ended. One with a
   * target container joins its process namespace, so it waits for the target to run.
   */
  async #ephemeralContainers(): Promise<void> {
    for (const spec of this.#s.pod.spec?.ephemeralContainers ?? []) {
      if ((this.#s.records.get(spec.name) ?? []).length > 0) continue;
      let targetId: string | undefined;
      if (spec.targetContainerName) {
        const target = this.#current(spec.targetContainerName)[0];
        if (target?.state !== "CONTAINER_RUNNING") {
          this.#s.waiting.set(spec.name, {
            reason: "ContainerCreating",
            message: `waiting for target container "${spec.targetContainerName}" to run`,
          });
          this.#d.wakeAfter(this.#s.pod, 1000);
          continue;
        }
        targetId = target.id;
      }
      // An EphemeralContainer is a Container without ports, probes, resources and lifecycle.
      await this.#start(spec as ContainerSpec, false, targetId);
    }
  }

  async run(): Promise<void> {
    await this.#ephemeralContainers();
    if (!(await this.#initContainers())) return;
    const { pod } = this.#s;
    for (const spec of pod.spec?.containers ?? []) {
      const latest = this.#current(spec.name)[0];
      if (!latest) {
        await this.#start(spec, false);
      } else if (latest.state === "CONTAINER_RUNNING") {
        const failed = this.#d.prober.failed(latest.id);
        if (failed) {
          await this.#kill(
            spec,
            latest,
            `Container ${spec.name} failed ${failed} probe, will be restarted`,
          );
        } else if (latest.hash && latest.hash !== containerHash(spec)) {
          await this.#kill(
            spec,
            latest,
            `Container ${spec.name} definition changed, will be restarted`,
          );
        }
      } else if (latest.state === "CONTAINER_EXITED" && shouldRestart(pod, spec, latest.exitCode)) {
        await this.#restart(spec, latest, false);
      }
    }
  }
}
