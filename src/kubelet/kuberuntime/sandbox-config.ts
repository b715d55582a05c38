/**
 * The CRI sandbox of a pod (upstream `generatePodSandboxConfig`): metadata with the attempt,
 * hostname, log directory, DNS, hostPort mappings, labels, the cgroup parent and the namespaces
 * and security settings shared by the pod's containers.
 */
import type { Container } from "../../api/generated/types.ts";
import type {
  LinuxSandboxSecurityContext,
  NamespaceOption,
  PodSandboxConfig,
  PortMapping,
  SecurityProfile,
} from "../cri/types.ts";
import { type NodeDnsSettings, podDnsConfig } from "../dns-config.ts";
import type { Pod } from "../pod-source.ts";
import { podHostname } from "./hosts-file.ts";
import { sandboxLabels } from "./labels.ts";
import { podCgroupParent } from "./resources.ts";

export interface SandboxOptions {
  readonly attempt: number;
  /** Where this pod's container logs go (created by the caller). */
  readonly logDirectory: string;
  readonly dns: NodeDnsSettings;
  readonly cgroupRoot: string;
}

export function podLogDirectory(root: string, pod: Pod): string {
  const m = pod.metadata;
  return `${root}/${m?.namespace}_${m?.name}_${m?.uid}`;
}

export function namespaceOptions(pod: Pod): NamespaceOption {
  const spec = pod.spec;
  return {
    network: spec?.hostNetwork ? "NODE" : "POD",
    pid: spec?.hostPID ? "NODE" : spec?.shareProcessNamespace ? "POD" : "CONTAINER",
    ipc: spec?.hostIPC ? "NODE" : "POD",
  };
}

export function seccompProfile(
  profile: { type: string; localhostProfile?: string } | undefined,
): SecurityProfile {
  if (profile?.type === "RuntimeDefault") return { profile_type: "RuntimeDefault" };
  if (profile?.type === "Localhost") {
    return { profile_type: "Localhost", localhost_ref: profile.localhostProfile ?? "" };
  }
  return { profile_type: "Unconfined" };
}

function portMappings(containers: readonly Container[]): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      out.push({
        protocol: p.protocol ?? "TCP",
        container_port: p.containerPort,
        host_port: p.hostPort,
        host_ip: p.hostIP ?? "",
      });
    }
  }
  return out;
}

export function podSandboxConfig(pod: Pod, options: SandboxOptions): PodSandboxConfig {
  const m = pod.metadata;
  const spec = pod.spec;
  const psc = spec?.securityContext;
  const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  const security: LinuxSandboxSecurityContext = {
    namespace_options: namespaceOptions(pod),
    privileged: containers.some((c) => c.securityContext?.privileged),
    seccomp: seccompProfile(psc?.seccompProfile),
    ...(psc?.runAsUser !== undefined ? { run_as_user: { value: String(psc.runAsUser) } } : {}),
    ...(psc?.runAsGroup !== undefined ? { run_as_group: { value: String(psc.runAsGroup) } } : {}),
    ...(psc?.supplementalGroups || psc?.fsGroup !== undefined
      ? {
          supplemental_groups: [
            ...(psc.supplementalGroups ?? []),
            ...(psc.fsGroup !== undefined ? [psc.fsGroup] : []),
          ].map(String),
        }
      : {}),
  };
  const dns = podDnsConfig(pod, options.dns).config;
  const sysctls = Object.fromEntries((psc?.sysctls ?? []).map((s) => [s.name, s.value]));
  return {
    metadata: {
      name: m?.name ?? "",
      namespace: m?.namespace ?? "",
      uid: m?.uid ?? "",
      attempt: options.attempt,
    },
    // A host-network sandbox has no UTS namespace of its own: runc refuses to set a hostname.
    ...(spec?.hostNetwork ? {} : { hostname: podHostname(pod) }),
    log_directory: options.logDirectory,
    dns_config: {
      servers: [...dns.servers],
      searches: [...dns.searches],
      options: [...dns.options],
    },
    port_mappings: portMappings(containers),
    labels: sandboxLabels(pod),
    annotations: { ...m?.annotations },
    linux: {
      cgroup_parent: podCgroupParent(pod, options.cgroupRoot),
      security_context: security,
      sysctls,
    },
  };
}
