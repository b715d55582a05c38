/**
 * core/v1 Service (upstream `SetDefaults_Service`, `pkg/registry/core/service/strategy.go`,
 * `printService`). Cluster IPs, node ports and health-check ports are allocated by the registry,
 * not here; this strategy only keeps what was allocated across updates.
 */
import type { LoadBalancerStatus, Service, ServiceSpec } from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import { ageColumn, ageOf, formatLabels, nameColumn, nameOf, type Obj } from "./common.ts";
import {
  dropTypeDependentFields,
  externallyAccessible,
  normalizeClusterIPs,
  patchAllocatedValues,
} from "./service-prepare.ts";
import { validateServiceStatusUpdate } from "./service-status.ts";
import { isHeadless, validateService, validateServiceUpdate } from "./service-validation.ts";

type ServiceObj = Obj<Service>;

const defaultClientIPTimeoutSeconds = 10800;

function defaultPorts(spec: ServiceSpec): void {
  for (const port of spec.ports ?? []) {
    port.protocol ??= "TCP";
    if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === "") {
      port.targetPort = port.port;
    }
  }
}

/** `SetDefaults_Service`, plus the single-stack IP family policy of a single-stack cluster. */
export function defaultService(svc: ServiceObj): void {
  svc.spec ??= {};
  const spec = svc.spec;
  spec.sessionAffinity ??= "None";
  if (spec.sessionAffinity === "None") delete spec.sessionAffinityConfig;
  if (
    spec.sessionAffinity === "ClientIP" &&
    spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined
  ) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: defaultClientIPTimeoutSeconds } };
  }
  spec.type ??= "ClusterIP";
  defaultPorts(spec);
  if (externallyAccessible(svc)) spec.externalTrafficPolicy ??= "Cluster";
  if (spec.type === "NodePort" || spec.type === "LoadBalancer" || spec.type === "ClusterIP") {
    spec.internalTrafficPolicy ??= "Cluster";
  }
  if (spec.type === "LoadBalancer") {
    spec.allocateLoadBalancerNodePorts ??= true;
    for (const ingress of svc.status?.loadBalancer?.ingress ?? []) {
      if (ingress.ip && ingress.ipMode === undefined) ingress.ipMode = "VIP";
    }
  }
  if (spec.type !== "ExternalName") spec.ipFamilyPolicy ??= "SingleStack";
}

/** `GetWarningsForService` (the checks that do not concern IP address spelling). */
function serviceWarnings(svc: ServiceObj): string[] {
  const warnings: string[] = [];
  const spec = svc.spec ?? {};
  if (svc.metadata?.annotations?.["service.kubernetes.io/topology-aware-hints"] !== undefined) {
    warnings.push(
      "annotation service.kubernetes.io/topology-aware-hints is deprecated, please use service.kubernetes.io/topology-mode instead",
    );
  }
  if (spec.type === "ExternalName" && (spec.externalIPs ?? []).length > 0) {
    warnings.push('spec.externalIPs is ignored when spec.type is "ExternalName"');
  }
  if (isHeadless(svc)) {
    if ((spec.loadBalancerIP ?? "") !== "") {
      warnings.push("spec.loadBalancerIP is ignored for headless services");
    }
    if ((spec.externalIPs ?? []).length > 0) {
      warnings.push("spec.externalIPs is ignored for headless services");
    }
    if (spec.sessionAffinity !== "None") {
      warnings.push("spec.SessionAffinity is ignored for headless services");
    }
  }
  return warnings;
}

/** `loadBalancerStatusStringer` (wide: never truncated): IPs or hostnames, sorted, unique. */
function loadBalancerAddresses(status: LoadBalancerStatus | undefined): string {
  const set = new Set<string>();
  for (const ingress of status?.ingress ?? []) {
    if (ingress.ip) set.add(ingress.ip);
    else if (ingress.hostname) set.add(ingress.hostname);
  }
  return [...set].sort().join(",");
}

/** `getServiceExternalIP`. */
function externalIP(svc: ServiceObj): string {
  const spec = svc.spec ?? {};
  const externalIPs = spec.externalIPs ?? [];
  switch (spec.type) {
    case "ClusterIP":
    case "NodePort":
      return externalIPs.length > 0 ? externalIPs.join(",") : "<none>";
    case "LoadBalancer": {
      const lb = loadBalancerAddresses(svc.status?.loadBalancer);
      if (externalIPs.length > 0) return [...(lb ? lb.split(",") : []), ...externalIPs].join(",");
      return lb.length > 0 ? lb : "<pending>";
    }
    case "ExternalName":
      return spec.externalName ?? "";
    default:
      return "<unknown>";
  }
}

/** `makePortString`: `80/TCP`, `80:30080/TCP`, comma-separated. */
function portString(spec: ServiceSpec | undefined): string {
  const text = (spec?.ports ?? [])
    .map((p) =>
      p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? ""}` : `${p.port}/${p.protocol ?? ""}`,
    )
    .join(",");
  return text === "" ? "<none>" : text;
}

export const serviceStrategy: Strategy<ServiceObj> = {
  nameValidation: "dns1035Label",
  allowCreateOnUpdate: true,
  defaults: defaultService,
  prepareForCreate(svc) {
    svc.status = { loadBalancer: {} };
    normalizeClusterIPs(svc, undefined);
  },
  prepareForUpdate(svc, old) {
    patchAllocatedValues(svc, old);
    normalizeClusterIPs(svc, old);
    dropTypeDependentFields(svc, old);
  },
  validate: validateService,
  validateUpdate: validateServiceUpdate,
  validateStatusUpdate: validateServiceStatusUpdate,
  warnings: serviceWarnings,
  selectableFields: (svc) => ({
    "spec.clusterIP": svc.spec?.clusterIP ?? "",
    "spec.type": svc.spec?.type ?? "",
  }),
  printer: {
    columns: [
      nameColumn(),
      column("Type", { description: "type determines how the Service is exposed." }),
      column("Cluster-IP", { description: "clusterIP is the IP address of the service." }),
      column("External-IP", { description: "externalIPs is a list of IP addresses." }),
      column("Port(s)", { description: "The list of ports that are exposed by this service." }),
      ageColumn(),
      column("Selector", {
        priority: 1,
        description:
          "Route service traffic to pods with label keys and values matching this selector.",
      }),
    ],
    row: (svc, now) => [
      nameOf(svc),
      svc.spec?.type ?? "",
      svc.spec?.clusterIPs?.[0] ?? "<none>",
      externalIP(svc),
      portString(svc.spec),
      ageOf(svc, now),
      formatLabels(svc.spec?.selector),
    ],
  },
};

export const serviceResource: ResourceDefinition<ServiceObj> = {
  group: "",
  version: "v1",
  kind: "Service",
  plural: "services",
  singular: "service",
  shortNames: ["svc"],
  categories: ["all"],
  namespaced: true,
  subresources: ["status"],
  strategy: serviceStrategy,
};
