/**
 * `ContainerdRuntime`: the kubelet's PodRuntime over CRI v1 (upstream
 * `kubeGenericRuntimeManager`). Written against containerd 1.6/1.7/2.x, it uses only CRI, so any
 * CRI v1 runtime would do. Each sync is level-triggered: it reads the pod's sandboxes and
 * containers from the runtime (found by the pod-uid label, so a restarted kubelet picks them up),
 * sets up volumes, (re)creates the sandbox, runs init containers in order, then starts or
 * restarts app containers per restartPolicy with CrashLoopBackOff, and reports their status.
 * A relist every second (PLEG) wakes pods whose containers changed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Container as ContainerSpec } from "../../api/generated/types.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import { type Clock, realClock, type Timer } from "../../machinery/clock.ts";
import { type Logger, silentLogger } from "../../machinery/log.ts";
import { grpcErrorText, isCriError } from "../cri/errors.ts";
import type { ImageService, PodSandbox, RuntimeService } from "../cri/types.ts";
import { type NodeDnsSettings, podDnsConfig } from "../dns-config.ts";
import type { PodObjects } from "../pod-objects.ts";
import type { Pod } from "../pod-source.ts";
import type { PodRuntime, PodRuntimeStatus } from "../runtime.ts";
import { VolumeError } from "../volumes/projection.ts";
import type { MountedVolume, VolumeManager } from "../volumes/volume-manager.ts";
import { Backoff } from "./backoff.ts";
import { containerHash } from "./container-config.ts";
import { readContainerRecords } from "./container-records.ts";
import { startContainer } from "./container-start.ts";
import { type ContainerRecord, containerRuntimeStatus, type Waiting } from "./container-status.ts";
import { hostsFileContent } from "./hosts-file.ts";
import { ImageManager, type PodEvent } from "./image-manager.ts";
import { podUidLabel } from "./labels.ts";
import { Pleg } from "./pleg.ts";
import type { CgroupCleaner } from "./pod-cgroups.ts";
import { gracePeriodFor, killContainer, killContainers } from "./pod-termination.ts";
import { podCgroupParent } from "./resources.ts";
import { podLogDirectory, podSandboxConfig } from "./sandbox-config.ts";

export interface NodeInfo {
  readonly name: string;
  readonly internalIP: string;
  readonly allocatable: Readonly<Record<string, string>>;
  readonly memoryCapacityBytes: number;
}

export interface ContainerdRuntimeOptions {
  readonly runtime: RuntimeService;
  readonly images: ImageService;
  readonly objects: PodObjects;
  readonly volumes: VolumeManager;
  readonly cgroups: CgroupCleaner;
  /** e.g. "containerd://1.6.20~ds1", from CRI Version. */
  readonly version: string;
  readonly node: NodeInfo;
  /** Where container logs go (upstream /var/log/pods). */
  readonly podLogsDir: string;
  readonly dns: NodeDnsSettings;
  readonly clusterDomain?: string;
  readonly cgroupRoot?: string;
  /** The node's /etc/hosts, copied for host-network pods. */
  readonly hostHostsFile?: string;
  readonly clock?: Clock;
  readonly log?: Logger;
  readonly recorder?: EventRecorder;
  /** Wakes the kubelet's worker for a pod ("namespace/name"). */
  readonly onChange: (podKey: string) => void;
  /** Sets up the pod network for the node's pod CIDR (the agent writes the CNI config). */
  readonly onPodCIDR?: (podCIDR: string) => Promise<void>;
}

const keyOf = (pod: Pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`;
const byNewest = (a: PodSandbox, b: PodSandbox) =>
  b.metadata.attempt - a.metadata.attempt || Number(BigInt(b.created_at) - BigInt(a.created_at));

function shouldRestart(pod: Pod, spec: ContainerSpec, exitCode: number): boolean {
  const policy = spec.restartPolicy ?? pod.spec?.restartPolicy ?? "Always";
  return policy === "Always" || (policy === "OnFailure" && exitCode !== 0);
}

export class ContainerdRuntime implements PodRuntime {
  readonly version: string;
  readonly #o: ContainerdRuntimeOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #backoff: Backoff;
  readonly #images: ImageManager;
  readonly #records = new Map<string, ContainerRecord>();
  readonly #wakeups = new Map<string, Timer>();
  #network = { at: Number.NEGATIVE_INFINITY, ready: false };
  readonly pleg: Pleg;

  constructor(options: ContainerdRuntimeOptions) {
    this.#o = options;
    this.version = options.version;
    this.#clock = options.clock ?? realClock;
    this.#log = options.log ?? silentLogger;
    this.#backoff = new Backoff({ clock: this.#clock });
    this.#images = new ImageManager({ images: options.images, clock: this.#clock });
    this.pleg = new Pleg({
      runtime: options.runtime,
      clock: this.#clock,
      log: this.#log,
      onChange: options.onChange,
    });
  }

  /** Starts the relist loop (PLEG); runs until `signal` aborts. */
  run(signal: AbortSignal): void {
    this.pleg.run(signal);
    signal.addEventListener("abort", () => {
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
    const now = this.#clock.now();
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

  /** Re-syncs the pod after `ms` (a back-off ending). */
  #wakeAfter(pod: Pod, ms: number): void {
    const uid = pod.metadata?.uid ?? "";
    this.#wakeups.get(uid)?.cancel();
    this.#wakeups.set(
      uid,
      this.#clock.after(ms + 50, () => {
        this.#wakeups.delete(uid);
        this.#o.onChange(keyOf(pod));
      }),
    );
  }

  #podDir(uid: string): string {
    return this.#o.volumes.podDir(uid);
  }

  async syncPod(pod: Pod): Promise<PodRuntimeStatus> {
    const t0 = performance.now();
    const timings: { volumes?: number; sandbox?: number } = {};
    const uid = pod.metadata?.uid ?? "";
    const event = this.#event(pod);
    const hostIP = this.#o.node.internalIP;
    const sandboxes = (
      await this.#o.runtime.listPodSandbox({ label_selector: { [podUidLabel]: uid } })
    ).sort(byNewest);
    let records = await readContainerRecords(
      this.#o.runtime,
      uid,
      this.#records,
      this.#podDir(uid),
    );
    const waiting = new Map<string, Waiting>();
    const status = (podIP?: string): PodRuntimeStatus => this.#status(pod, records, waiting, podIP);

    // Volumes first, as upstream: a pod whose config map is missing never gets a sandbox.
    let volumes: Map<string, MountedVolume>;
    try {
      volumes = await this.#o.volumes.setUpPod(pod, { podIP: "", hostIP });
      timings.volumes = performance.now() - t0;
    } catch (err) {
      if (!(err instanceof VolumeError)) throw err;
      event("Warning", "FailedMount", err.message);
      this.#wakeAfter(pod, 2000);
      return status();
    }

    let sandbox = sandboxes[0];
    if (
      sandbox?.state !== "SANDBOX_READY" &&
      !pod.spec?.hostNetwork &&
      !(await this.#networkReady())
    ) {
      // Upstream waits too: without a pod network the sandbox could not get an address.
      event(
        "Warning",
        "NetworkNotReady",
        "network is not ready: container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized",
      );
      this.#wakeAfter(pod, 1000);
      return status();
    }
    if (sandbox?.state !== "SANDBOX_READY") {
      const ran = records.size > 0;
      const policy = pod.spec?.restartPolicy ?? "Always";
      if (sandbox && ran && (policy === "Never" || this.#allSucceeded(pod, records))) {
        return status(); // upstream: a finished pod is not restarted in a new sandbox
      }
      const sandboxStart = performance.now();
      const created = await this.#createSandbox(pod, sandboxes, records, event);
      timings.sandbox = performance.now() - sandboxStart;
      if (!created) return status();
      sandbox = created;
      records = await readContainerRecords(this.#o.runtime, uid, this.#records, this.#podDir(uid));
    }
    const config = podSandboxConfig(pod, this.#sandboxOptions(pod, sandbox.metadata.attempt));
    const podIP = pod.spec?.hostNetwork
      ? hostIP
      : ((await this.#o.runtime.podSandboxStatus(sandbox.id)).network?.ip ?? "");
    const hostsFile = this.#writeHostsFile(pod, podIP);
    const current = (name: string) =>
      [...(records.get(name) ?? [])].filter((r) => r.sandboxId === sandbox.id);

    const start = async (spec: ContainerSpec, isInit: boolean, restartCount: number) => {
      const result = await startContainer(
        {
          runtime: this.#o.runtime,
          images: this.#o.images,
          imageManager: this.#images,
          objects: this.#o.objects,
          clock: this.#clock,
          allocatable: this.#o.node.allocatable,
          memoryCapacity: this.#o.node.memoryCapacityBytes,
        },
        {
          pod,
          container: spec,
          isInit,
          sandboxId: sandbox.id,
          sandboxConfig: config,
          restartCount,
          ips: { podIP, hostIP },
          volumes,
          hostsFile,
          terminationLogFile: join(
            this.#podDir(uid),
            "containers",
            spec.name,
            String(restartCount),
          ),
          event,
        },
      );
      if (result) {
        waiting.set(spec.name, result);
        const pullWait = this.#images.backoffRemaining(pod, spec);
        this.#wakeAfter(
          pod,
          result.reason === "ErrImagePull" ? pullWait : Math.max(pullWait, 2000),
        );
      }
    };
    const nextCount = (name: string) => {
      const newest = records.get(name)?.[0];
      return newest ? newest.restartCount + 1 : 0;
    };
    /** Restarts an exited container unless it is backing off; false when it waits. */
    const restart = async (spec: ContainerSpec, last: ContainerRecord, isInit: boolean) => {
      const key = `${uid}/${spec.name}/${containerHash(spec)}`;
      if (this.#backoff.isInBackOffSince(key, last.finishedAt)) {
        const delay = this.#backoff.get(key);
        waiting.set(spec.name, {
          reason: "CrashLoopBackOff",
          message: `back-off ${formatDuration(delay)} restarting failed container=${spec.name} pod=${pod.metadata?.name}_${pod.metadata?.namespace}(${uid})`,
        });
        event(
          "Warning",
          "BackOff",
          "Back-off restarting failed container " +
            `${spec.name} in pod ${pod.metadata?.name}_${pod.metadata?.namespace}(${uid})`,
        );
        this.#wakeAfter(pod, this.#backoff.remaining(key, last.finishedAt));
        return;
      }
      this.#backoff.next(key, last.finishedAt);
      await start(spec, isInit, nextCount(spec.name));
    };

    const containersStart = performance.now();
    // Init containers, one at a time, in order.
    let initialized = true;
    for (const spec of pod.spec?.initContainers ?? []) {
      const latest = current(spec.name)[0];
      const sidecar = spec.restartPolicy === "Always";
      if (!latest) {
        await start(spec, true, nextCount(spec.name));
        if (!sidecar || waiting.has(spec.name)) initialized = false;
        if (!initialized) break;
        continue;
      }
      if (latest.state === "CONTAINER_RUNNING") {
        if (sidecar) continue;
        initialized = false;
        break;
      }
      if (latest.state === "CONTAINER_EXITED" && latest.exitCode === 0 && !sidecar) continue;
      initialized = false;
      if (latest.state === "CONTAINER_EXITED" && shouldRestart(pod, spec, latest.exitCode)) {
        await restart(spec, latest, true);
      }
      break;
    }

    if (initialized) {
      for (const spec of pod.spec?.containers ?? []) {
        const latest = current(spec.name)[0];
        if (!latest) await start(spec, false, nextCount(spec.name));
        else if (
          latest.state === "CONTAINER_RUNNING" &&
          latest.hash &&
          latest.hash !== containerHash(spec)
        ) {
          const [c] = await this.#o.runtime.listContainers({ id: latest.id });
          if (c) {
            await killContainer(
              {
                runtime: this.#o.runtime,
                clock: this.#clock,
                pod,
                podIP,
                containers: [c],
                gracePeriodSeconds: gracePeriodFor(pod, [c]),
                event,
                reason: `Container ${spec.name} definition changed, will be restarted`,
              },
              c,
              spec,
            );
          }
        } else if (
          latest.state === "CONTAINER_EXITED" &&
          shouldRestart(pod, spec, latest.exitCode)
        ) {
          await restart(spec, latest, false);
        }
      }
    }
    records = await readContainerRecords(this.#o.runtime, uid, this.#records, this.#podDir(uid));
    await this.#removeOldInstances(records);
    if (timings.sandbox !== undefined) {
      const ms = (v: number | undefined) => (v === undefined ? undefined : Math.round(v));
      this.#log.debug("pod sandbox and containers started", {
        pod: keyOf(pod),
        volumesMs: ms(timings.volumes),
        sandboxMs: ms(timings.sandbox),
        containersMs: ms(performance.now() - containersStart),
        totalMs: ms(performance.now() - t0),
      });
    }
    return status(podIP);
  }

  #allSucceeded(pod: Pod, records: ReadonlyMap<string, ContainerRecord[]>): boolean {
    return (pod.spec?.containers ?? []).every((c) => {
      const r = records.get(c.name)?.[0];
      return (
        r?.state === "CONTAINER_EXITED" &&
        r.exitCode === 0 &&
        pod.spec?.restartPolicy === "OnFailure"
      );
    });
  }

  #sandboxOptions(pod: Pod, attempt: number) {
    return {
      attempt,
      logDirectory: podLogDirectory(this.#o.podLogsDir, pod),
      dns: this.#o.dns,
      cgroupRoot: this.#o.cgroupRoot ?? "/kubepods",
    };
  }

  async #createSandbox(
    pod: Pod,
    old: readonly PodSandbox[],
    records: ReadonlyMap<string, ContainerRecord[]>,
    event: PodEvent,
  ): Promise<PodSandbox | undefined> {
    const uid = pod.metadata?.uid ?? "";
    if (old.length > 0) {
      const containers = await this.#o.runtime.listContainers({
        label_selector: { [podUidLabel]: uid },
      });
      await killContainers({
        runtime: this.#o.runtime,
        clock: this.#clock,
        pod,
        podIP: "",
        containers,
        gracePeriodSeconds: gracePeriodFor(pod, containers),
        event,
      });
      for (const s of old)
        if (s.state === "SANDBOX_READY") await this.#o.runtime.stopPodSandbox(s.id);
      // Keep the newest old sandbox (its containers give lastState); remove the rest.
      for (const s of old.slice(1)) await this.#o.runtime.removePodSandbox(s.id);
      event("Normal", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.");
    }
    const attempt = old[0] ? old[0].metadata.attempt + 1 : 0;
    for (const warning of podDnsConfig(pod, this.#o.dns).warnings) {
      event("Warning", "DNSConfigForming", warning);
    }
    const config = podSandboxConfig(pod, this.#sandboxOptions(pod, attempt));
    mkdirSync(config.log_directory!, { recursive: true, mode: 0o755 });
    try {
      const id = await this.#o.runtime.runPodSandbox(config);
      void records;
      const [created] = await this.#o.runtime.listPodSandbox({ id });
      return created;
    } catch (err) {
      event(
        "Warning",
        "FailedCreatePodSandBox",
        `Failed to create pod sandbox: ${grpcErrorText(err)}`,
      );
      this.#wakeAfter(pod, 2000);
      return undefined;
    }
  }

  #writeHostsFile(pod: Pod, podIP: string): string {
    const file = join(this.#podDir(pod.metadata?.uid ?? ""), "etc-hosts");
    const hostFile =
      pod.spec?.hostNetwork && this.#o.hostHostsFile && existsSync(this.#o.hostHostsFile)
        ? readFileSync(this.#o.hostHostsFile, "utf8")
        : undefined;
    const content = hostsFileContent(pod, {
      podIP,
      clusterDomain: this.#o.clusterDomain ?? "cluster.local",
      ...(hostFile !== undefined ? { hostFile } : {}),
    });
    if (!existsSync(file) || readFileSync(file, "utf8") !== content) {
      mkdirSync(this.#podDir(pod.metadata?.uid ?? ""), { recursive: true, mode: 0o750 });
      writeFileSync(file, content, { mode: 0o644 });
    }
    return file;
  }

  /** Keeps the newest two instances of each container (current and lastState); removes older. */
  async #removeOldInstances(records: ReadonlyMap<string, ContainerRecord[]>): Promise<void> {
    for (const list of records.values()) {
      for (const r of list.slice(2)) {
        if (r.state !== "CONTAINER_EXITED") continue;
        await this.#o.runtime.removeContainer(r.id).catch(() => {});
        this.#records.delete(r.id);
      }
    }
  }

  #status(
    pod: Pod,
    records: ReadonlyMap<string, ContainerRecord[]>,
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
    const one = (c: ContainerSpec, defaultWaiting: string) => {
      const w = waiting.get(c.name);
      return containerRuntimeStatus(c, records.get(c.name) ?? [], {
        ...(w ? { waiting: w } : {}),
        defaultWaiting,
      });
    };
    return {
      ...(podIP ? { podIP } : {}),
      initContainers: inits.map((c) => one(c, "PodInitializing")),
      containers: (pod.spec?.containers ?? []).map((c) =>
        one(c, inits.length > 0 && !initDone ? "PodInitializing" : "ContainerCreating"),
      ),
    };
  }

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
      clock: this.#clock,
      pod,
      podIP: "",
      containers,
      gracePeriodSeconds: gracePeriodFor(pod, containers),
      event: this.#event(pod),
    });
    for (const s of sandboxes) await this.#o.runtime.stopPodSandbox(s.id);
  }

  async killPod(pod: Pod, gracePeriodSeconds?: number): Promise<void> {
    const uid = pod.metadata?.uid ?? "";
    const sandboxes = await this.#o.runtime.listPodSandbox({
      label_selector: { [podUidLabel]: uid },
    });
    const containers = await this.#o.runtime.listContainers({
      label_selector: { [podUidLabel]: uid },
    });
    const grace = gracePeriodFor(pod, containers, gracePeriodSeconds);
    const ready = sandboxes.find((s) => s.state === "SANDBOX_READY");
    const podIP =
      ready && !pod.spec?.hostNetwork
        ? ((await this.#o.runtime.podSandboxStatus(ready.id).catch(() => undefined))?.network?.ip ??
          "")
        : this.#o.node.internalIP;
    await killContainers({
      runtime: this.#o.runtime,
      clock: this.#clock,
      pod,
      podIP,
      containers,
      gracePeriodSeconds: grace,
      event: this.#event(pod),
    });
    for (const s of sandboxes) {
      await this.#o.runtime.stopPodSandbox(s.id).catch((err) => {
        if (!isCriError(err, "NotFound")) throw err;
      });
      await this.#o.runtime.removePodSandbox(s.id);
    }
    for (const c of containers) this.#records.delete(c.id);
    await this.#cleanUp(pod, sandboxes);
  }

  /** Removes what the runtime does not: volumes, log directories, the pod cgroup. */
  async #cleanUp(pod: Pod, sandboxes: readonly PodSandbox[]): Promise<void> {
    const uid = pod.metadata?.uid ?? "";
    await this.#o.volumes.tearDownPod(uid);
    if (existsSync(this.#o.podLogsDir)) {
      for (const d of readdirSync(this.#o.podLogsDir)) {
        if (d.endsWith(`_${uid}`))
          rmSync(join(this.#o.podLogsDir, d), { recursive: true, force: true });
      }
    }
    const root = this.#o.cgroupRoot ?? "/kubepods";
    const parents = new Set([
      `${root}/pod${uid}`,
      `${root}/burstable/pod${uid}`,
      `${root}/besteffort/pod${uid}`,
    ]);
    if (pod.spec) parents.add(podCgroupParent(pod, root));
    for (const p of parents) this.#o.cgroups.remove(p);
    this.#backoff.forgetPrefix(`${uid}/`);
    this.#images.forgetPod(uid);
    this.#wakeups.get(uid)?.cancel();
    this.#wakeups.delete(uid);
    void sandboxes;
  }

  async runningPods(): Promise<string[]> {
    const sandboxes = await this.#o.runtime.listPodSandbox();
    const uids = new Set(sandboxes.map((s) => s.labels[podUidLabel] ?? s.metadata.uid));
    for (const uid of this.#o.volumes.podsOnDisk()) uids.add(uid);
    return [...uids].filter(Boolean);
  }
}

/** Go's time.Duration String for whole seconds and minutes: 10s, 1m20s, 5m0s. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m${s % 60}s`;
}
