/**
 * The sandbox step of a pod sync (upstream `computePodActions` for sandboxes and
 * `createPodSandbox`): keep a ready sandbox; otherwise wait for the pod network, leave a finished
 * pod alone, or kill what is left of the old sandbox and run a new one with the next attempt
 * number, with the runtime handler of the pod's RuntimeClass. Also writes the pod's /etc/hosts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { grpcErrorText } from "../cri/errors.ts";
import type { PodSandbox } from "../cri/types.ts";
import { podDnsConfig } from "../dns-config.ts";
import type { Pod } from "../pod-source.ts";
import type { ContainerRecord } from "./container-status.ts";
import { hostsFileContent } from "./hosts-file.ts";
import type { PodEvent } from "./image-manager.ts";
import { podUidLabel } from "./labels.ts";
import { gracePeriodFor, killContainers } from "./pod-termination.ts";
import { podKey, type RuntimeDeps } from "./runtime-deps.ts";
import { lookupRuntimeHandler } from "./runtime-handler.ts";
import { podLogDirectory, podSandboxConfig, type SandboxOptions } from "./sandbox-config.ts";

const networkNotReady =
  "network is not ready: container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized";

export const byNewest = (a: PodSandbox, b: PodSandbox) =>
  b.metadata.attempt - a.metadata.attempt || Number(BigInt(b.created_at) - BigInt(a.created_at));

export function sandboxOptions(d: RuntimeDeps, pod: Pod, attempt: number): SandboxOptions {
  return {
    attempt,
    logDirectory: podLogDirectory(d.o.podLogsDir, pod),
    dns: d.o.dns,
    cgroupRoot: d.o.cgroupRoot ?? "/kubepods",
  };
}

/** Whether a pod whose sandbox is gone has finished for good (upstream does not restart it). */
function finished(pod: Pod, records: ReadonlyMap<string, ContainerRecord[]>): boolean {
  if (records.size === 0) return false;
  const policy = pod.spec?.restartPolicy ?? "Always";
  if (policy === "Never") return true;
  return (
    policy === "OnFailure" &&
    (pod.spec?.containers ?? []).every((c) => {
      const r = records.get(c.name)?.[0];
      return r?.state === "CONTAINER_EXITED" && r.exitCode === 0;
    })
  );
}

export interface SandboxStep {
  /** The ready sandbox, or undefined when the pod waits (or is done). */
  readonly sandbox?: PodSandbox;
  /** Whether a new sandbox was created in this sync. */
  readonly created: boolean;
}

export async function ensureSandbox(
  d: RuntimeDeps,
  pod: Pod,
  sandboxes: readonly PodSandbox[],
  records: ReadonlyMap<string, ContainerRecord[]>,
  networkReady: () => Promise<boolean>,
): Promise<SandboxStep> {
  const current = sandboxes[0];
  if (current?.state === "SANDBOX_READY") return { sandbox: current, created: false };
  const event = d.event(pod);
  if (!pod.spec?.hostNetwork && !(await networkReady())) {
    // Upstream waits too: without a pod network the sandbox could not get an address.
    event("Warning", "NetworkNotReady", networkNotReady);
    d.wakeAfter(pod, 1000);
    return { created: false };
  }
  if (current && finished(pod, records)) return { created: false };
  const sandbox = await createSandbox(d, pod, sandboxes, event);
  return sandbox ? { sandbox, created: true } : { created: false };
}

async function createSandbox(
  d: RuntimeDeps,
  pod: Pod,
  old: readonly PodSandbox[],
  event: PodEvent,
): Promise<PodSandbox | undefined> {
  const uid = pod.metadata?.uid ?? "";
  const runtime = d.o.runtime;
  if (old.length > 0) {
    const containers = await runtime.listContainers({ label_selector: { [podUidLabel]: uid } });
    await killContainers({
      runtime,
      clock: d.clock,
      pod,
      podIP: "",
      containers,
      gracePeriodSeconds: gracePeriodFor(pod, containers),
      event,
    });
    for (const s of old) if (s.state === "SANDBOX_READY") await runtime.stopPodSandbox(s.id);
    // Keep the newest old sandbox (its containers give lastState); remove the rest.
    for (const s of old.slice(1)) await runtime.removePodSandbox(s.id);
    event("Normal", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.");
  }
  const attempt = old[0] ? old[0].metadata.attempt + 1 : 0;
  for (const warning of podDnsConfig(pod, d.o.dns).warnings) {
    event("Warning", "DNSConfigForming", warning);
  }
  const config = podSandboxConfig(pod, sandboxOptions(d, pod, attempt));
  mkdirSync(config.log_directory!, { recursive: true, mode: 0o755 });
  try {
    const handler = await lookupRuntimeHandler(d.o.objects, pod);
    if (handler !== "") {
      d.log.debug("running pod with runtime handler", {
        pod: podKey(pod),
        runtimeHandler: handler,
      });
    }
    const id = await d.gate.run(uid, () => runtime.runPodSandbox(config, handler));
    const [created] = await runtime.listPodSandbox({ id });
    return created;
  } catch (err) {
    event(
      "Warning",
      "FailedCreatePodSandBox",
      `Failed to create pod sandbox: ${grpcErrorText(err)}`,
    );
    d.wakeAfter(pod, 2000);
    return undefined;
  }
}

/** Writes (when changed) the pod's /etc/hosts and returns its path. */
export function writeHostsFile(d: RuntimeDeps, pod: Pod, podIP: string): string {
  const dir = d.podDir(pod.metadata?.uid ?? "");
  const file = join(dir, "etc-hosts");
  const hostFile =
    pod.spec?.hostNetwork && d.o.hostHostsFile && existsSync(d.o.hostHostsFile)
      ? readFileSync(d.o.hostHostsFile, "utf8")
      : undefined;
  const content = hostsFileContent(pod, {
    podIP,
    clusterDomain: d.o.clusterDomain ?? "cluster.local",
    ...(hostFile !== undefined ? { hostFile } : {}),
  });
  if (!existsSync(file) || readFileSync(file, "utf8") !== content) {
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    writeFileSync(file, content, { mode: 0o644 });
  }
  return file;
}
