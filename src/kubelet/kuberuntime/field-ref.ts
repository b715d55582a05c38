/**
 * The downward API: values of pod fields (`fieldRef`) and container resources
 * (`resourceFieldRef`), shared by environment variables and downwardAPI volumes. Upstream
 * `pkg/fieldpath` and `pkg/api/v1/resource.ExtractContainerResourceValue`.
 */
import type { Container, Pod } from "../../api/generated/types.ts";
import { goQuote } from "../../machinery/go-format.ts";
import { parseQuantity } from "../../machinery/quantity.ts";

export interface PodIPs {
  readonly podIP: string;
  readonly hostIP: string;
}

/** Upstream `FormatMap`: sorted `key="value"` lines. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${goQuote(m![k]!)}`)
    .join("\n");
}

const subscript = /^metadata\.(labels|annotations)\['(.+)'\]$/;

/** The value of `fieldPath` for the pod; throws for an unsupported path (as upstream errors). */
export function podFieldValue(pod: Pod, fieldPath: string, ips: PodIPs): string {
  const m = subscript.exec(fieldPath);
  if (m) {
    const map = m[1] === "labels" ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[m[2]!] ?? "";
  }
  switch (fieldPath) {
    case "metadata.name":
      return pod.metadata?.name ?? "";
    case "metadata.namespace":
      return pod.metadata?.namespace ?? "";
    case "metadata.uid":
      return pod.metadata?.uid ?? "";
    case "metadata.labels":
      return formatMap(pod.metadata?.labels);
    case "metadata.annotations":
      return formatMap(pod.metadata?.annotations);
    case "spec.nodeName":
      return pod.spec?.nodeName ?? "";
    case "spec.serviceAccountName":
      return pod.spec?.serviceAccountName ?? "";
    case "status.hostIP":
    case "status.hostIPs":
      return ips.hostIP;
    case "status.podIP":
    case "status.podIPs":
      return ips.podIP;
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

/** Upstream `ExtractContainerResourceValue`, with limits defaulting to node allocatable. */
export function resourceFieldValue(
  pod: Pod,
  options: { containerName: string; resource: string; divisor?: string },
  allocatable: Readonly<Record<string, string>>,
): string {
  const container = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find(
    (c: Container) => c.name === options.containerName,
  );
  if (!container) throw new Error(`container ${options.containerName} not found`);
  const [kind, name] = options.resource.split(".", 2) as [string, string | undefined];
  if (!name || (kind !== "limits" && kind !== "requests")) {
    throw new Error(`unsupported container resource : ${options.resource}`);
  }
  const list = (kind === "limits" ? container.resources?.limits : container.resources?.requests) as
    | Record<string, string>
    | undefined;
  const divisorText = options.divisor && options.divisor !== "0" ? options.divisor : "1";
  const divisor = parseQuantity(divisorText);
  let raw = list?.[name];
  if (raw === undefined && kind === "limits") raw = allocatable[name];
  if (raw === undefined) raw = "0";
  const q = parseQuantity(raw);
  if (name === "cpu") return String(Math.ceil(q.milliValue() / divisor.milliValue()));
  if (name === "memory" || name === "ephemeral-storage" || name.startsWith("hugepages-")) {
    return String(Math.ceil(q.value() / divisor.value()));
  }
  throw new Error(`unsupported container resource : ${options.resource}`);
}
