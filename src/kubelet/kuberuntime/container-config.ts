/**
 * The CRI container of a pod's container (upstream `generateContainerConfig`): image, command
 * and args with `$(VAR)` expanded, working dir, environment, mounts (volumes, /etc/hosts, the
 * termination log), labels and annotations that identify it after a restart, the log path
 * `<name>/<restartCount>.log`, and Linux resources and security settings.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Container, SecurityContext } from "../../api/generated/types.ts";
import type {
  ContainerConfig,
  KeyValue,
  LinuxContainerSecurityContext,
  Mount,
} from "../cri/types.ts";
import type { Pod } from "../pod-source.ts";
import type { MountedVolume } from "../volumes/volume-manager.ts";
import { ContainerConfigError, expandCommand } from "./env.ts";
import {
  containerHashAnnotation,
  containerLabels,
  gracePeriodAnnotation,
  initContainerAnnotation,
  restartCountAnnotation,
  terminationMessagePathAnnotation,
  terminationMessagePolicyAnnotation,
} from "./labels.ts";
import { containerLinuxResources } from "./resources.ts";
import { namespaceOptions, seccompProfile } from "./sandbox-config.ts";

/** Upstream `securitycontext.DefaultMaskedPaths` / `DefaultReadonlyPaths`. */
const maskedPaths = [
  "/proc/asound",
  "/proc/acpi",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/sys/firmware",
  "/sys/devices/virtual/powercap",
];
const readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

export const defaultTerminationMessagePath = "/dev/termination-log";

/** A short stable hash of the container spec: a changed spec (e.g. image) restarts it. */
export function containerHash(container: Container): string {
  const { resources: _, ...rest } = container;
  return createHash("sha256").update(JSON.stringify(rest)).digest("hex").slice(0, 8);
}

export interface ContainerOptions {
  readonly restartCount: number;
  /** The image reference (id) to run, from the image manager. */
  readonly imageRef: string;
  readonly envs: readonly KeyValue[];
  readonly volumes: ReadonlyMap<string, MountedVolume>;
  /** The pod's /etc/hosts file on the host. */
  readonly hostsFile: string;
  /** The file behind terminationMessagePath on the host. */
  readonly terminationLogFile: string;
  readonly memoryCapacity: number;
  readonly isInit: boolean;
  /** An ephemeral container's target: it joins that container's process namespace. */
  readonly targetId?: string;
}

function volumeMounts(container: Container, options: ContainerOptions): Mount[] {
  const mounts: Mount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const vol = options.volumes.get(vm.name);
    if (!vol)
      throw new ContainerConfigError(
        `cannot find volume "${vm.name}" to mount into container "${container.name}"`,
      );
    const subPath = vm.subPath ?? "";
    if (subPath.startsWith("/") || subPath.split("/").includes("..")) {
      throw new ContainerConfigError(`subPath "${subPath}" must be a relative path without ".."`);
    }
    mounts.push({
      container_path: vm.mountPath,
      host_path: subPath ? join(vol.hostPath, subPath) : vol.hostPath,
      readonly: Boolean(vm.readOnly) || vol.readOnly,
      propagation:
        vm.mountPropagation === "Bidirectional"
          ? "PROPAGATION_BIDIRECTIONAL"
          : vm.mountPropagation === "HostToContainer"
            ? "PROPAGATION_HOST_TO_CONTAINER"
            : "PROPAGATION_PRIVATE",
    });
  }
  const mountedAt = new Set(mounts.map((m) => m.container_path));
  if (!mountedAt.has("/etc/hosts")) {
    mounts.push({ container_path: "/etc/hosts", host_path: options.hostsFile });
  }
  const messagePath = container.terminationMessagePath || defaultTerminationMessagePath;
  if (!mountedAt.has(messagePath)) {
    mounts.push({ container_path: messagePath, host_path: options.terminationLogFile });
  }
  return mounts;
}

function securityContext(
  pod: Pod,
  sc: SecurityContext | undefined,
  targetId: string | undefined,
): LinuxContainerSecurityContext {
  const psc = pod.spec?.securityContext;
  const runAsUser = sc?.runAsUser ?? psc?.runAsUser;
  const runAsGroup = sc?.runAsGroup ?? psc?.runAsGroup;
  const privileged = Boolean(sc?.privileged);
  const unmasked = sc?.procMount === "Unmasked";
  const groups = [
    ...(psc?.supplementalGroups ?? []),
    ...(psc?.fsGroup !== undefined ? [psc.fsGroup] : []),
  ];
  return {
    privileged,
    namespace_options: targetId
      ? { ...namespaceOptions(pod), pid: "TARGET", target_id: targetId }
      : namespaceOptions(pod),
    capabilities: {
      add_capabilities: sc?.capabilities?.add ?? [],
      drop_capabilities: sc?.capabilities?.drop ?? [],
    },
    ...(runAsUser !== undefined ? { run_as_user: { value: String(runAsUser) } } : {}),
    ...(runAsGroup !== undefined ? { run_as_group: { value: String(runAsGroup) } } : {}),
    readonly_rootfs: Boolean(sc?.readOnlyRootFilesystem),
    no_new_privs: sc?.allowPrivilegeEscalation === false,
    ...(groups.length > 0 ? { supplemental_groups: groups.map(String) } : {}),
    masked_paths: privileged || unmasked ? [] : maskedPaths,
    readonly_paths: privileged || unmasked ? [] : readonlyPaths,
    seccomp: seccompProfile(sc?.seccompProfile ?? psc?.seccompProfile),
  };
}

export function containerConfig(
  pod: Pod,
  container: Container,
  options: ContainerOptions,
): ContainerConfig {
  const envs = [...options.envs];
  const command = expandCommand(container.command, envs);
  const args = expandCommand(container.args, envs);
  return {
    metadata: { name: container.name, attempt: options.restartCount },
    image: { image: options.imageRef, user_specified_image: container.image ?? "" },
    ...(command ? { command } : {}),
    ...(args ? { args } : {}),
    ...(container.workingDir ? { working_dir: container.workingDir } : {}),
    envs,
    mounts: volumeMounts(container, options),
    labels: containerLabels(pod, container),
    annotations: {
      [restartCountAnnotation]: String(options.restartCount),
      [containerHashAnnotation]: containerHash(container),
      [terminationMessagePathAnnotation]:
        container.terminationMessagePath || defaultTerminationMessagePath,
      [terminationMessagePolicyAnnotation]: container.terminationMessagePolicy ?? "File",
      [gracePeriodAnnotation]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
      ...(options.isInit ? { [initContainerAnnotation]: "true" } : {}),
    },
    log_path: `${container.name}/${options.restartCount}.log`,
    stdin: Boolean(container.stdin),
    stdin_once: Boolean(container.stdinOnce),
    tty: Boolean(container.tty),
    linux: {
      resources: containerLinuxResources(pod, container, options.memoryCapacity),
      security_context: securityContext(pod, container.securityContext, options.targetId),
    },
  };
}
