/**
 * Pod and Service helpers the Endpoints and EndpointSlice controllers share (upstream's
 * `pkg/controller/util/endpointslice` and `pkg/api/v1/pod`): which pods belong in endpoints,
 * port resolution, hostnames, readiness, and which services select a pod.
 */
import type { Pod, Service, ServicePort } from "../../api/generated/types.ts";

/** `IsPodTerminal`: Succeeded or Failed. */
export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

/**
 * `ShouldPodBeInEndpoints`: not terminal, has an IP, and not terminating unless terminating
 * pods are wanted (EndpointSlices always want them; Endpoints only with publishNotReadyAddresses).
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP && (pod.status?.podIPs ?? []).length === 0) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** `ShouldSetHostname`: the pod names a hostname and its subdomain is this service. */
export function shouldSetHostname(pod: Pod, service: Service): boolean {
  return (
    !!pod.spec?.hostname &&
    pod.spec.subdomain === service.metadata?.name &&
    pod.metadata?.namespace === service.metadata?.namespace
  );
}

/**
 * `podutil.FindPort`: the container port a service port targets on this pod. A number is used
 * as is; a name is looked up among the pod's container (and sidecar) ports with the protocol.
 */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === "number") return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = servicePort.protocol ?? "TCP";
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always");
  for (const container of [...(pod.spec?.containers ?? []), ...sidecars]) {
    for (const port of container.ports ?? []) {
      if (port.name === target && (port.protocol ?? "TCP") === protocol) {
        return port.containerPort;
      }
    }
  }
  return undefined;
}

/** A selector-based service selects these labels (`labels.Set(selector).AsSelector()`). */
export function selectorMatches(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels?.[k] !== v) return false;
  return true;
}

/** Services in the pod's namespace whose selector matches the pod's labels. */
export function servicesSelectingPod<S extends Service>(services: readonly S[], pod: Pod): S[] {
  const ns = pod.metadata?.namespace;
  return services.filter(
    (s) =>
      s.metadata?.namespace === ns &&
      s.spec?.selector !== undefined &&
      selectorMatches(s.spec.selector, pod.metadata?.labels),
  );
}

/** The fields of a pod its endpoints depend on; other pod updates are ignored. */
export function podEndpointState(pod: Pod): string {
  return JSON.stringify([
    pod.metadata?.labels,
    pod.metadata?.deletionTimestamp,
    pod.spec?.nodeName,
    pod.spec?.hostname,
    pod.spec?.subdomain,
    pod.status?.phase,
    pod.status?.podIP,
    pod.status?.podIPs,
    (pod.status?.conditions ?? []).find((c) => c.type === "Ready"),
  ]);
}

/** `v1helper.IsServiceIPSet`: a ClusterIP that is neither empty nor None. */
export function isServiceIPSet(service: Service): boolean {
  const ip = service.spec?.clusterIP;
  return !!ip && ip !== "None";
}

const isIPv6 = (ip: string) => ip.includes(":");

/** The pod IPs of one family (status.podIPs, falling back to status.podIP). */
export function podIPsOfFamily(pod: Pod, family: "IPv4" | "IPv6"): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip);
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips.filter((ip) => isIPv6(ip) === (family === "IPv6"));
}

/** The address families a service's endpoints are published in (spec.ipFamilies or IPv4). */
export function serviceAddressFamilies(service: Service): Array<"IPv4" | "IPv6"> {
  const families = (service.spec?.ipFamilies ?? []).filter(
    (f): f is "IPv4" | "IPv6" => f === "IPv4" || f === "IPv6",
  );
  return families.length > 0 ? families : ["IPv4"];
}

/** The trigger-time annotation on Endpoints and EndpointSlices (`v1.EndpointsLastChangeTriggerTime`). */
export const endpointsLastChangeTriggerTime = "endpoints.kubernetes.io/last-change-trigger-time";

/** `v1.IsHeadlessService`: the label on endpoints of services without a ClusterIP. */
export const isHeadlessServiceLabel = "service.kubernetes.io/headless";
