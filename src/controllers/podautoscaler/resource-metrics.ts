/**
 * The resource metrics API (`metrics.k8s.io/v1beta1`, the PodMetrics metrics-server serves) as the
 * HPA controller reads it: upstream's `metrics/client.go` `resourceMetricsClient`. The seam is
 * `ResourceMetricsSource` (one list call); `restResourceMetrics` reads it through the API server,
 * tests pass a fake (`testing.ts`). `getResourceMetric` turns a list into each pod's usage of one
 * resource, in milli-units, with upstream's error messages.
 */
import type { RestClient } from "../../client/rest-client.ts";
import { parseGoDuration } from "../../machinery/go-duration.ts";
import type { Selector } from "../../machinery/labels.ts";
import { parseQuantity } from "../../machinery/quantity.ts";
import { isStatusError } from "../../machinery/status.ts";
import { parseTime } from "../../machinery/time.ts";

/** `metrics.k8s.io/v1beta1` ContainerMetrics: usage by resource name, as Quantities. */
export interface ContainerMetrics {
  readonly name: string;
  readonly usage: Readonly<Record<string, string>>;
}

/** `metrics.k8s.io/v1beta1` PodMetrics. */
export interface PodMetrics {
  readonly metadata: { readonly name?: string; readonly namespace?: string };
  /** RFC 3339: the end of the window the usage was measured over. */
  readonly timestamp: string;
  /** A Go duration string ("15s"). */
  readonly window: string;
  readonly containers: readonly ContainerMetrics[];
}

export interface PodMetricsList {
  readonly items?: readonly PodMetrics[];
}

/** Where the controller reads pod metrics: one list per namespace and label selector. */
export interface ResourceMetricsSource {
  /** The PodMetrics of the namespace's pods matching `labelSelector` (its string form). */
  podMetrics(namespace: string, labelSelector: string): Promise<readonly PodMetrics[]>;
}

const resourceMetricsGroupResource = "pods.metrics.k8s.io";

/** The stock messages of a 404 and a 503 (`NewGenericServerResponse`). */
const stockMessages = new Set([
  "the server could not find the requested resource",
  "the server is currently unable to handle the request",
]);

/**
 * Where an API without the group answers with a stock message, client-go names the resource:
 * "the server could not find the requested resource (get pods.metrics.k8s.io)", as here.
 */
function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return isStatusError(err) && stockMessages.has(message)
    ? `${message} (get ${resourceMetricsGroupResource})`
    : message;
}

/** Reads PodMetrics through the API server (the controller manager's client). */
export function restResourceMetrics(client: RestClient): ResourceMetricsSource {
  return {
    async podMetrics(namespace, labelSelector) {
      const path = `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods`;
      try {
        const list = await client.get<PodMetricsList>(path, { labelSelector });
        return list.items ?? [];
      } catch (err) {
        throw new Error(describe(err), { cause: err });
      }
    },
  };
}

/** One pod's usage of a resource (`PodMetric`): milli-units, measured over `windowMs` up to `timestamp`. */
export interface PodMetric {
  readonly timestamp: number;
  readonly windowMs: number;
  readonly value: number;
}

/** Usage by pod name (`PodMetricsInfo`). */
export type PodMetricsInfo = Map<string, PodMetric>;

export type MetricsResult =
  | { readonly metrics: PodMetricsInfo; readonly timestamp: number }
  | { readonly error: string };

const milli = (q: string | undefined): number | undefined =>
  q === undefined ? undefined : parseQuantity(q).milliValue();

function podMetric(m: PodMetrics, value: number): PodMetric {
  return {
    timestamp: parseTime(m.timestamp) ?? 0,
    windowMs: parseGoDuration(m.window) ?? 0,
    value,
  };
}

/** `getPodMetrics`: a pod's containers summed; a pod missing the resource in any container is left out. */
function podSums(items: readonly PodMetrics[], resource: string): PodMetricsInfo {
  const res: PodMetricsInfo = new Map();
  for (const m of items) {
    let sum = 0;
    let missing = m.containers.length === 0;
    for (const c of m.containers) {
      const v = milli(c.usage[resource]);
      if (v === undefined) {
        missing = true;
        break;
      }
      sum += v;
    }
    if (!missing) res.set(m.metadata.name ?? "", podMetric(m, sum));
  }
  return res;
}

/** `getContainerMetrics`: one container's usage; every pod must report that container. */
function containerValues(
  items: readonly PodMetrics[],
  resource: string,
  container: string,
): PodMetricsInfo | { error: string } {
  const res: PodMetricsInfo = new Map();
  for (const m of items) {
    const c = m.containers.find((x) => x.name === container);
    if (!c) {
      const pod = `${m.metadata.namespace ?? ""}/${m.metadata.name ?? ""}`;
      return { error: `container ${container} not present in metrics for pod ${pod}` };
    }
    const v = milli(c.usage[resource]);
    if (v !== undefined) res.set(m.metadata.name ?? "", podMetric(m, v));
  }
  return res;
}

/**
 * `GetResourceMetric`: each matching pod's usage of `resource` (of one container when
 * `container` is set) and the first item's timestamp.
 */
export async function getResourceMetric(
  source: ResourceMetricsSource,
  query: { resource: string; namespace: string; selector: Selector; container: string },
): Promise<MetricsResult> {
  let items: readonly PodMetrics[];
  try {
    items = await source.podMetrics(query.namespace, query.selector.toString());
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { error: `unable to fetch metrics from resource metrics API: ${why}` };
  }
  const first = items[0];
  if (!first) return { error: "no metrics returned from resource metrics API" };
  try {
    const metrics = query.container
      ? containerValues(items, query.resource, query.container)
      : podSums(items, query.resource);
    if (!(metrics instanceof Map)) {
      return { error: `failed to get container metrics: ${metrics.error}` };
    }
    return { metrics, timestamp: parseTime(first.timestamp) ?? 0 };
  } catch (err) {
    // A usage that is not a Quantity: the API's decoding would have refused it upstream.
    const why = err instanceof Error ? err.message : String(err);
    return { error: `unable to fetch metrics from resource metrics API: ${why}` };
  }
}
