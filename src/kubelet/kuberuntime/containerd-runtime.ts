/**
 * `ContainerdRuntime`: the kubelet's PodRuntime over CRI v1 (upstream
 * `kubeGenericRuntimeManager`). Written against containerd 1.6/1.7/2.x, it uses only CRI, so any
 * CRI v1 runtime would do. Each sync is level-triggered: it reads the pod's sandboxes and
 * containers from the runtime (found by the pod-uid label, so a restarted kubelet picks them up),
 * sets up volumes, (re)creates the sandbox (`pod-sandbox.ts`), runs init and app containers with
 * restart policies, CrashLoopBackOff and probes (`container-sync.ts`), and reports their status.
 * A relist every second (PLEG) wakes pods whose containers changed.
 */
import type { Container as ContainerSpec } from "../../api/generated/types.ts";
import { onAbort } from "../../machinery/abort.ts";
import { type Clock, realClock, type Timer } from "../../machinery/clock.ts";
import { type Logger, silentLogger } from "../../machinery/log.ts";
import { isCriError } from "../cri/errors.ts";
import type { Pod } from "../pod-source.ts";
import type { PodRuntime, PodRuntimeStatus } from "../runtime.ts";
import { VolumeError } from "../volumes/projection.ts";
import type { MountedVolume } from "../volumes/volume-manager.ts";
import { Backoff } from "./backoff.ts";
import { readContainerRecords } from "./container-records.ts";
import { type ContainerRecord, containerRuntimeStatus, type Waiting } from "./container-status.ts";
import { ContainerSync } from "./container-sync.ts";
import { ImageManager, type PodEvent } from "./image-manager.ts";
import { podUidLabel } from "./labels.ts";
import { Pleg } from "./pleg.ts";
import { cleanUpPod } from "./pod-cleanup.ts";
import { byNewest, ensureSandbox, sandboxOptions, writeHostsFile } from "./pod-sandbox.ts";
import { gracePeriodFor, killContainers } from "./pod-termination.ts";
import { Prober } from "./prober.ts";
import { type ContainerdRuntimeOptions, podKey, type RuntimeDeps } from "./runtime-deps.ts";
import { podSandboxConfig } from "./sandbox-config.ts";
import { StartGate } from "./start-gate.ts";

export type { ContainerdRuntimeOptions, NodeInfo } from "./runtime-deps.ts";

type Records = Map<string, ContainerRecord[]>;

export class ContainerdRuntime implements PodRuntime {
  readonly version: string;
  readonly pleg: Pleg;
  readonly #o: ContainerdRuntimeOptions;
  readonly #d: RuntimeDeps;
  readonly #wakeups = new Map<string, Timer>();
  #network = { at: Number.NEGATIVE_INFINITY, ready: false };

  constructor(options: ContainerdRuntimeOptions) {
    this.#o = options;
    this.version = options.version;
    const clock: Clock = options.clock ?? realClock;
    const log: Logger = options.log ?? silentLogger;
    this.#d = {
      o: options,
      clock,
      log,
      backoff: new Backoff({ clock }),
      images: new ImageManager({ images: options.images, clock }),
      prober: new Prober({ runtime: options.runtime, clock, onChange: options.onChange }),
      gate: new StartGate(options.startConcurrency),
      records: new Map(),
      wakeAfter: (pod, ms) => this.#wakeAfter(pod, ms),
      event: (pod) => this.#event(pod),
      podDir: (uid) => options.volumes.podDir(uid),
    };
    this.pleg = new Pleg({ runtime: options.runtime, clock, log, onChange: options.onChange });
  }

  /** Starts the relist loop (PLEG); runs until `signal` aborts. */
  run(signal: AbortSignal): void {
    this.pleg.run(signal);
    onAbort(signal, () => {
      for (const t of this.#wakeups.values()) t.cancel();
    });
  }

  async ready(): Promise<boolean> {
    try {
      const conditions = (await this.#o.runtime.status()).status?.conditions ?? [];
      const ok = (t: string) => conditions.some((c) => c.type === t && c.status);
      return ok("RuntimeReady") && ok("NetworkReady");
    } catch {
      return false;
    }
  }

  async updatePodCIDR(podCIDR: string): Promise<void> {
    await this.#o.onPodCIDR?.(podCIDR);
    await this.#o.runtime.updateRuntimeConfig(podCIDR);
  }

  /** Whether CRI reports the pod network ready (cached for a second). */
  async #networkReady(): Promise<boolean> {
    const now = this.#d.clock.now();
    if (now - this.#network.at < 1000) return this.#network.ready;
    const conditions = (await this.#o.runtime.status()).status?.conditions ?? [];
    const ready = conditions.some((c) => c.type === "NetworkReady" && c.status);
    this.#network = { at: now, ready };
    return ready;
  }

  #event(pod: Pod): PodEvent {
    return (type, reason, message) =>
      this.#o.recorder?.event({ ...pod, kind: "Pod", apiVersion: "v1" }, type, reason, message);
  }

  /** Re-syncs the pod after `ms` (a back-off ending, a retry). */
  #wakeAfter(pod: Pod, ms: number): void {
    const uid = pod.metadata?.uid ?? "";
    this.#wakeups.get(uid)?.cancel();
    this.#wakeups.set(
      uid,
      this.#d.clock.after(ms + 50, () => {
        this.#wakeups.delete(uid);
        this.#o.onChange(podKey(pod));
      }),
    );
  }

  #records(uid: string): Promise<Records> {
    return readContainerRecords(this.#o.runtime, uid, this.#d.records, this.#d.podDir(uid));
  }

  async syncPod(pod: Pod): Promise<PodRuntimeStatus> {
    const t0 = performance.now();
    const uid = pod.metadata?.uid ?? "";
    this.#d.gate.seen(uid);
    const event = this.#event(pod);
    const hostIP = this.#o.node.internalIP;
    const sandboxes = (
      await this.#o.runtime.listPodSandbox({ label_selector: { [podUidLabel]: uid } })
    ).sort(byNewest);
    let records = await this.#records(uid);
    const waiting = new Map<string, Waiting>();

    // Volumes first, as upstream: a pod whose config map is missing never gets a sandbox.
    let volumes: Map<string, MountedVolume>;
    try {
      volumes = await this.#o.volumes.setUpPod(pod, { podIP: "", hostIP });
    } catch (err) {
      if (!(err instanceof VolumeError)) throw err;
      event("Warning", "FailedMount", err.message);
      this.#wakeAfter(pod, 2000);
      return this.#status(pod, records, waiting, undefined);
    }
    const volumesMs = performance.now() - t0;

    const step = await ensureSandbox(this.#d, pod, sandboxes, records, () => this.#networkReady());
    const sandbox = step.sandbox;
    if (!sandbox) return this.#status(pod, records, waiting, undefined);
    const sandboxMs = performance.now() - t0 - volumesMs;
    if (step.created) records = await this.#records(uid);
    const podIP = pod.spec?.hostNetwork
      ? hostIP
      : ((await this.#o.runtime.podSandboxStatus(sandbox.id)).network?.ip ?? "");
    await new ContainerSync(this.#d, {
      pod,
      sandbox,
      sandboxConfig: podSandboxConfig(pod, sandboxOptions(this.#d, pod, sandbox.metadata.attempt)),
      podIP,
      hostIP,
      volumes,
      hostsFile: writeHostsFile(this.#d, pod, podIP),
      records,
      waiting,
      event,
    }).run();
    records = await this.#records(uid);
    await this.#removeOldInstances(records);
    this.#d.prober.update(pod, podIP, this.#running(pod, records, sandbox.id), event);
    if (step.created) {
      this.#d.log.debug("pod sandbox and containers started", {
        pod: podKey(pod),
        volumesMs: Math.round(volumesMs),
        sandboxMs: Math.round(sandboxMs),
        totalMs: Math.round(performance.now() - t0),
      });
    }
    return this.#status(pod, records, waiting, podIP);
  }

  #running(pod: Pod, records: Records, sandboxId: string) {
    const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    return specs.flatMap((spec) => {
      const r = records.get(spec.name)?.[0];
      return r?.state === "CONTAINER_RUNNING" && r.sandboxId === sandboxId
        ? [{ spec, containerId: r.id, startedAt: r.startedAt }]
        : [];
    });
  }

  /** Keeps the newest two instances of each container (current and lastState); removes older. */
  async #removeOldInstances(records: Records): Promise<void> {
    for (const list of records.values()) {
      for (const r of list.slice(2)) {
        if (r.state !== "CONTAINER_EXITED") continue;
        await this.#o.runtime.removeContainer(r.id).catch(() => {});
        this.#d.records.delete(r.id);
      }
    }
  }

  #status(
    pod: Pod,
    records: Records,
    waiting: ReadonlyMap<string, Waiting>,
    podIP: string | undefined,
  ): PodRuntimeStatus {
    const inits = pod.spec?.initContainers ?? [];
    const initDone = inits.every((c) => {
      const r = records.get(c.name)?.[0];
      return (
        (r?.state === "CONTAINER_EXITED" && r.exitCode === 0) ||
        (c.restartPolicy === "Always" && r?.state === "CONTAINER_RUNNING")
      );
    });
    const prober = this.#d.prober;
    const one = (c: ContainerSpec, defaultWaiting: string) => {
      const list = records.get(c.name) ?? [];
      const w = waiting.get(c.name);
      const id = list[0]?.id ?? "";
      return containerRuntimeStatus(c, list, {
        ...(w ? { waiting: w } : {}),
        defaultWaiting,
        ready: prober.ready(id),
        started: prober.started(id),
      });
    };
    return {
      ...(podIP ? { podIP } : {}),
      initContainers: inits.map((c) => one(c, "PodInitializing")),
      containers: (pod.spec?.containers ?? []).map((c) =>
        one(c, inits.length > 0 && !initDone ? "PodInitializing" : "ContainerCreating"),
      ),
      ...(pod.spec?.ephemeralContainers?.length
        ? {
            ephemeralContainers: pod.spec.ephemeralContainers.map((c) =>
              one(c as ContainerSpec, "ContainerCreating"),
            ),
          }
        : {}),
    };
  }

  /** A finished pod: stop what runs and the sandbox (its IP goes), keep containers and logs. */
  async stopPod(pod: Pod): Promise<void> {
    const uid = pod.metadata?.uid ?? "";
    const sandboxes = await this.#o.runtime.listPodSandbox({
      label_selector: { [podUidLabel]: uid },
      state: { state: "SANDBOX_READY" },
    });
    if (sandboxes.length === 0) return;
    const containers = await this.#o.runtime.listContainers({
      label_selector: { [podUidLabel]: uid },
    });
    await killContainers({
      runtime: this.#o.runtime,
      clock: this.#d.clock,
      pod,
      podIP: "",
      containers,
      gracePeriodSeconds: gracePeriodFor(pod, containers),
      event: this.#event(pod),
    });
    for (const s of sandboxes) await this.#o.runtime.stopPodSandbox(s.id);
    this.#d.prober.removePod(uid);
  }

  async killPod(pod: Pod, gracePeriodSeconds?: number): Promise<void> {
    const uid = pod.metadata?.uid ?? "";
    const selector = { label_selector: { [podUidLabel]: uid } };
    const sandboxes = await this.#o.runtime.listPodSandbox(selector);
    const containers = await this.#o.runtime.listContainers(selector);
    const ready = sandboxes.find((s) => s.state === "SANDBOX_READY");
    const podIP =
      ready && !pod.spec?.hostNetwork
        ? ((await this.#o.runtime.podSandboxStatus(ready.id).catch(() => undefined))?.network?.ip ??
          "")
        : this.#o.node.internalIP;
    this.#d.prober.removePod(uid);
    await killContainers({
      runtime: this.#o.runtime,
      clock: this.#d.clock,
      pod,
      podIP,
      containers,
      gracePeriodSeconds: gracePeriodFor(pod, containers, gracePeriodSeconds),
      event: this.#event(pod),
    });
    for (const s of sandboxes) {
      await this.#o.runtime.stopPodSandbox(s.id).catch((err) => {
        if (!isCriError(err, "NotFound")) throw err;
      });
      await this.#o.runtime.removePodSandbox(s.id);
    }
    for (const c of containers) this.#d.records.delete(c.id);
    await cleanUpPod(this.#d, pod);
    this.#d.gate.forget(uid);
    this.#wakeups.get(uid)?.cancel();
    this.#wakeups.delete(uid);
  }

  async runningPods(): Promise<string[]> {
    const sandboxes = await this.#o.runtime.listPodSandbox();
    const uids = new Set(sandboxes.map((s) => s.labels[podUidLabel] ?? s.metadata.uid));
    for (const uid of this.#o.volumes.podsOnDisk()) uids.add(uid);
    return [...uids].filter(Boolean);
  }
}
