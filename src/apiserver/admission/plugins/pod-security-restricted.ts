/**
 * The restricted Pod Security Standard at version `latest` (upstream `policy/check_*.go` with
 * Level restricted), on top of baseline: no privilege escalation, ALL capabilities dropped (only
 * NET_BIND_SERVICE added back), only ephemeral-friendly volume types, non-root users, and a
 * RuntimeDefault or Localhost seccomp profile. Windows pods skip the Linux-only checks.
 */
import type { ObjectMeta, PodSpec, Volume } from "../../../api/generated/types.ts";
import { explicitSeccomp } from "./pod-security-baseline.ts";
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

const isWindows = (spec: PodSpec) => spec.os?.name === "windows";

function allowPrivilegeEscalation(_: ObjectMeta, spec: PodSpec): CheckResult | undefined {
  if (isWindows(spec)) return undefined;
  const bad = badContainers(spec, (c) => c.securityContext?.allowPrivilegeEscalation !== false);
  if (bad.length === 0) return undefined;
  return {
    reason: "allowPrivilegeEscalation != false",
    detail: `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false`,
  };
}

function capabilitiesRestricted(_: ObjectMeta, spec: PodSpec): CheckResult | undefined {
  if (isWindows(spec)) return undefined;
  const missingDrop = badContainers(
    spec,
    (c) => !(c.securityContext?.capabilities?.drop ?? []).includes("ALL"),
  );
  const forbidden: string[] = [];
  const adding = badContainers(spec, (c) => {
    const extra = (c.securityContext?.capabilities?.add ?? []).filter(
      (cap) => cap !== "NET_BIND_SERVICE",
    );
    forbidden.push(...extra);
    return extra.length > 0;
  });
  const details = [
    ...(missingDrop.length > 0
      ? [`${containersPhrase(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`]
      : []),
    ...(adding.length > 0
      ? [
          `${containersPhrase(adding)} must not include ${joinQuote(sortedSet(forbidden))} in securityContext.capabilities.add`,
        ]
      : []),
  ];
  return details.length > 0
    ? { reason: "unrestricted capabilities", detail: details.join("; ") }
    : undefined;
}

const allowedVolumeSources = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
];

/** The volume's source field name ("unknown" when it has none upstream knows). */
function volumeType(v: Volume): string {
  const key = Object.keys(v).find(
    (k) => k !== "name" && (v as unknown as Record<string, unknown>)[k] !== undefined,
  );
  return key ?? "unknown";
}

function restrictedVolumes(_: ObjectMeta, spec: PodSpec): CheckResult | undefined {
  const bad = (spec.volumes ?? []).filter((v) => !allowedVolumeSources.includes(volumeType(v)));
  if (bad.length === 0) return undefined;
  const types = sortedSet(bad.map(volumeType));
  const names = bad.map((v) => v.name);
  const detail = `${pluralize("volume", "volumes", names.length)} ${joinQuote(names)} ${pluralize("uses", "use", names.length)} ${pluralize("restricted volume type", "restricted volume types", types.length)} ${joinQuote(types)}`;
  return { reason: "restricted volume types", detail };
}

function runAsNonRoot(_: ObjectMeta, spec: PodSpec): CheckResult | undefined {
  if (relaxForUserNamespace(spec)) return undefined;
  const podValue = spec.securityContext?.runAsNonRoot;
  const explicit = badContainers(spec, (c) => c.securityContext?.runAsNonRoot === false);
  const implicit = badContainers(
    spec,
    (c) => c.securityContext?.runAsNonRoot === undefined && podValue !== true,
  );
  const setters = [
    ...(podValue === false ? ["pod"] : []),
    ...(explicit.length > 0 ? [containersPhrase(explicit)] : []),
  ];
  if (setters.length > 0) {
    return {
      reason: "runAsNonRoot != true",
      detail: `${setters.join(" and ")} must not set securityContext.runAsNonRoot=false`,
    };
  }
  if (implicit.length === 0) return undefined;
  return {
    reason: "runAsNonRoot != true",
    detail: `pod or ${containersPhrase(implicit)} must set securityContext.runAsNonRoot=true`,
  };
}

function runAsUser(_: ObjectMeta, spec: PodSpec): CheckResult | undefined {
  if (relaxForUserNamespace(spec)) return undefined;
  const bad = badContainers(spec, (c) => c.securityContext?.runAsUser === 0);
  const setters = [
    ...(spec.securityContext?.runAsUser === 0 ? ["pod"] : []),
    ...(bad.length > 0 ? [containersPhrase(bad)] : []),
  ];
  if (setters.length === 0) return undefined;
  return { reason: "runAsUser=0", detail: `${setters.join(" and ")} must not set runAsUser=0` };
}

function seccompProfileRestricted(_: ObjectMeta, spec: PodSpec): CheckResult | undefined {
  if (isWindows(spec)) return undefined;
  const explicit = explicitSeccomp(spec);
  if (explicit !== undefined) return explicit;
  if (spec.securityContext?.seccompProfile !== undefined) return undefined;
  const implicit = badContainers(spec, (c) => c.securityContext?.seccompProfile === undefined);
  if (implicit.length === 0) return undefined;
  return {
    reason: "seccompProfile",
    detail: `pod or ${containersPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
  };
}

export const restrictedChecks: readonly PodCheck[] = [
  { id: "allowPrivilegeEscalation", level: "restricted", check: allowPrivilegeEscalation },
  {
    id: "capabilities_restricted",
    level: "restricted",
    overrides: ["capabilities_baseline"],
    check: capabilitiesRestricted,
  },
  {
    id: "restrictedVolumes",
    level: "restricted",
    overrides: ["hostPathVolumes"],
    check: restrictedVolumes,
  },
  { id: "runAsNonRoot", level: "restricted", check: runAsNonRoot },
  { id: "runAsUser", level: "restricted", check: runAsUser },
  {
    id: "seccompProfile_restricted",
    level: "restricted",
    overrides: ["seccompProfile_baseline"],
    check: seccompProfileRestricted,
  },
];
