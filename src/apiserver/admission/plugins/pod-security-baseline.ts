/**
 * The baseline Pod Security Standard at version `latest` (upstream `policy/check_*.go` with
 * Level baseline): no host namespaces, privileged containers, added capabilities beyond the
 * default set, hostPath volumes, host ports, unconfined AppArmor/seccomp, custom SELinux
 * types/users/roles, unmasked /proc, or unsafe sysctls.
 */
import type { Container, ObjectMeta, PodSpec } from "../../../api/generated/types.ts";
import { goQuote } from "../../../machinery/go-format.ts";
import {
  badContainers,
  type CheckResult,
  containersPhrase,
  joinQuote,
  type PodCheck,
  pluralize,
  relaxForUserNamespace,
  sortedSet,
} from "./pod-security-checks.ts";

const allowedCapabilities = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);

const allowedSysctls = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_rmem",
  "net.ipv4.tcp_wmem",
]);

const allowedSELinuxTypes = new Set([
  "",
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
]);

const appArmorAnnotationPrefix = "container.apparmor.security.beta.kubernetes.io/";

function hostNamespaces(_: ObjectMeta, spec: PodSpec): CheckResult | undefined {
  const used = sortedSet(
    [
      ["hostNetwork", spec.hostNetwork],
      ["hostPID", spec.hostPID],
      ["hostIPC", spec.hostIPC],
    ]
      .filter(([, on]) => on === true)
      .map(([name]) => `${name}=true`),
  );
  return used.length > 0 ? { reason: "host namespaces", detail: used.join(", ") } : undefined;
}

function privileged(_: ObjectMeta, spec: PodSpec): CheckResult | undefined {
  const bad = badContainers(spec, (c) => c.securityContext?.privileged === true);
  if (bad.length === 0) return undefined;
  return {
    reason: "privileged",
    detail: `${containersPhrase(bad)} must not set securityContext.privileged=true`,
  };
}

function capabilitiesBaseline(_: ObjectMeta, spec: PodSpec): CheckResult | undefined {
  const extra: string[] = [];
  const bad = badContainers(spec, (c) => {
    const added = (c.securityContext?.capabilities?.add ?? []).filter(
      (cap) => !allowedCapabilities.has(cap),
    );
    extra.push(...added);
    return added.length > 0;
  });
  if (bad.length === 0) return undefined;
  const detail = `${containersPhrase(bad)} must not include ${joinQuote(sortedSet(extra))} in securityContext.capabilities.add`;
  return { reason: "non-default capabilities", detail };
}

function hostPathVolumes(_: ObjectMeta, spec: PodSpec): CheckResult | undefined {
  const names = (spec.volumes ?? []).filter((v) => v.hostPath !== undefined).map((v) => v.name);
  if (names.length === 0) return undefined;
  return {
    reason: "hostPath volumes",
    detail: `${pluralize("volume", "volumes", names.length)} ${joinQuote(names)}`,
  };
}

function hostPorts(_: ObjectMeta, spec: PodSpec): CheckResult | undefined {
  const ports: string[] = [];
  const bad = badContainers(spec, (c) => {
    const used = (c.ports ?? [])
      .filter((p) => (p.hostPort ?? 0) !== 0)
      .map((p) => String(p.hostPort));
    ports.push(...used);
    return used.length > 0;
  });
  if (bad.length === 0) return undefined;
  const list = sortedSet(ports);
  const detail = `${containersPhrase(bad)} ${pluralize("uses", "use", bad.length)} ${pluralize("hostPort", "hostPorts", list.length)} ${list.join(", ")}`;
  return { reason: "hostPort", detail };
}

/** Who set a bad value: `pod`, `containers "a", "b"`, joined with " and ". */
function setters(
  pod: boolean,
  containers: readonly string[],
  extra: readonly string[] = [],
): string {
  const parts = [
    ...(pod ? ["pod"] : []),
    ...(containers.length > 0 ? [containersPhrase(containers)] : []),
    ...extra,
  ];
  return parts.join(" and ");
}

function appArmorProfile(meta: ObjectMeta, spec: PodSpec): CheckResult | undefined {
  const okType = (t: string | undefined) =>
    t === undefined || t === "RuntimeDefault" || t === "Localhost";
  const values: string[] = [];
  const podType = spec.securityContext?.appArmorProfile?.type;
  const podBad = !okType(podType);
  if (podBad) values.push(podType ?? "");
  const bad = badContainers(spec, (c) => {
    const t = c.securityContext?.appArmorProfile?.type;
    if (okType(t)) return false;
    values.push(t ?? "");
    return true;
  });
  const annotations = Object.entries(meta.annotations ?? {})
    .filter(
      ([k, v]) =>
        k.startsWith(appArmorAnnotationPrefix) &&
        !(v === "" || v === "runtime/default" || v.startsWith("localhost/")),
    )
    .map(([k, v]) => `${k}=${goQuote(v)}`)
    .sort();
  if (!podBad && bad.length === 0 && annotations.length === 0) return undefined;
  const list = [...sortedSet(values), ...annotations];
  const annotationSetter =
    annotations.length > 0 ? [pluralize("annotation", "annotations", annotations.length)] : [];
  return {
    reason: pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", list.length),
    detail: `${setters(podBad, bad, annotationSetter)} must not set AppArmor profile type to ${joinQuote(list)}`,
  };
}

function seLinuxOptions(_: ObjectMeta, spec: PodSpec): CheckResult | undefined {
  const types: string[] = [];
  let user = false;
  let role = false;
  const valid = (o: { type?: string; user?: string; role?: string } | undefined): boolean => {
    if (o === undefined) return true;
    const badType = !allowedSELinuxTypes.has(o.type ?? "");
    if (badType) types.push(o.type ?? "");
    user ||= (o.user ?? "") !== "";
    role ||= (o.role ?? "") !== "";
    return !badType && (o.user ?? "") === "" && (o.role ?? "") === "";
  };
  const podBad = !valid(spec.securityContext?.seLinuxOptions);
  const bad = badContainers(spec, (c) => !valid(c.securityContext?.seLinuxOptions));
  if (!podBad && bad.length === 0) return undefined;
  const data = [
    ...(types.length > 0
      ? [`${pluralize("type", "types", sortedSet(types).length)} ${joinQuote(sortedSet(types))}`]
      : []),
    ...(user ? ["user may not be set"] : []),
    ...(role ? ["role may not be set"] : []),
  ];
  return {
    reason: "seLinuxOptions",
    detail: `${setters(podBad, bad)} set forbidden securityContext.seLinuxOptions: ${data.join("; ")}`,
  };
}

const validSeccomp = (t: string) => t === "RuntimeDefault" || t === "Localhost";

/** Bad explicit seccomp types (shared with the restricted check). */
export function explicitSeccomp(spec: PodSpec) {
  const values: string[] = [];
  const podType = spec.securityContext?.seccompProfile?.type;
  const podBad = podType !== undefined && !validSeccomp(podType);
  if (podBad) values.push(podType);
  const bad = badContainers(spec, (c) => {
    const t = c.securityContext?.seccompProfile?.type;
    if (t === undefined || validSeccomp(t)) return false;
    values.push(t);
    return true;
  });
  if (!podBad && bad.length === 0) return undefined;
  return {
    reason: "seccompProfile",
    detail: `${setters(podBad, bad)} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}`,
  };
}

function procMount(_: ObjectMeta, spec: PodSpec): CheckResult | undefined {
  if (relaxForUserNamespace(spec)) return undefined;
  const types: string[] = [];
  const bad = badContainers(spec, (c: Container) => {
    const m = c.securityContext?.procMount;
    if (m === undefined || m === "Default") return false;
    types.push(m);
    return true;
  });
  if (bad.length === 0) return undefined;
  return {
    reason: "procMount",
    detail: `${containersPhrase(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}`,
  };
}

function sysctls(_: ObjectMeta, spec: PodSpec): CheckResult | undefined {
  const bad = (spec.securityContext?.sysctls ?? [])
    .map((s) => s.name)
    .filter((n) => !allowedSysctls.has(n));
  return bad.length > 0 ? { reason: "forbidden sysctls", detail: bad.join(", ") } : undefined;
}

export const baselineChecks: readonly PodCheck[] = [
  { id: "appArmorProfile", level: "baseline", check: appArmorProfile },
  { id: "capabilities_baseline", level: "baseline", check: capabilitiesBaseline },
  { id: "hostNamespaces", level: "baseline", check: hostNamespaces },
  { id: "hostPathVolumes", level: "baseline", check: hostPathVolumes },
  { id: "hostPorts", level: "baseline", check: hostPorts },
  { id: "privileged", level: "baseline", check: privileged },
  { id: "procMount", level: "baseline", check: procMount },
  { id: "seLinuxOptions", level: "baseline", check: seLinuxOptions },
  { id: "seccompProfile_baseline", level: "baseline", check: (_, spec) => explicitSeccomp(spec) },
  { id: "sysctls", level: "baseline", check: sysctls },
];
