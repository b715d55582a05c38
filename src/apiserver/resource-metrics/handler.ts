/**
 * `metrics.k8s.io/v1beta1` as metrics-server answers it: NodeMetrics and PodMetrics, get and list
 * (list with a label selector over the nodes' or pods' labels), CPU in nanocores and memory in
 * KiB. A node or pod without two samples yet is absent, as upstream.
 */
import type { Node, Pod } from "../../api/generated/types.ts";
import { LabelSelectorError } from "../../machinery/label-requirement.ts";
import { parseSelector, type Selector } from "../../machinery/labels.ts";
import {
  newBadRequest,
  newMethodNotSupported,
  newNotFound,
  newServiceUnavailable,
} from "../../machinery/status.ts";
import { formatTime } from "../../machinery/time.ts";
import type { AdmissionReader } from "../admission/plugins/reader.ts";
import type { HttpContext } from "../handlers/context.ts";
import { writeJson } from "../http/respond.ts";
import type { ResourceMetricsCollector, Usage } from "./collector.ts";

const group = "metrics.k8s.io";
const apiVersion = `${group}/v1beta1`;

const quantities = (u: Usage) => ({
  cpu: `${u.cpu}n`,
  memory: `${Math.round(u.memory / 1024)}Ki`,
});
const window = (ms: number) => `${Math.round(ms / 1000)}s`;

function selectorOf(ctx: HttpContext): Selector | undefined {
  const text = ctx.query.get("labelSelector");
  if (!text) return undefined;
  try {
    return parseSelector(text);
  } catch (err) {
    if (err instanceof LabelSelectorError) throw newBadRequest(err.message);
    throw err;
  }
}

export async function serveResourceMetrics(
  ctx: HttpContext,
  collector: ResourceMetricsCollector | undefined,
  reader: AdmissionReader,
): Promise<void> {
  const { info } = ctx;
  const gr = { group, resource: info.resource };
  if (info.verb !== "get" && info.verb !== "list") {
    throw newMethodNotSupported(gr, info.method.toUpperCase());
  }
  if (!collector) {
    throw newServiceUnavailable("the server is currently unable to handle the request");
  }
  const now = formatTime(ctx.parts.clock.now());
  const selector = selectorOf(ctx);
  if (info.resource === "nodes") {
    const usage = await collector.nodes();
    const items = [];
    for (const [name, u] of usage) {
      if (info.name && name !== info.name) continue;
      const node = reader.get("", "nodes", "", name) as Node | undefined;
      if (!node) continue;
      const labels = node.metadata?.labels ?? {};
      if (selector && !selector.matches(labels)) continue;
      items.push({
        metadata: { name, creationTimestamp: now, labels },
        timestamp: formatTime(u.timestampMs),
        window: window(u.windowMs),
        usage: quantities(u),
      });
    }
    if (info.name) {
      const item = items[0];
      if (!item) throw newNotFound({ group, resource: "nodemetrics" }, info.name);
      return writeJson(ctx.res, 200, { kind: "NodeMetrics", apiVersion, ...item });
    }
    return writeJson(ctx.res, 200, { kind: "NodeMetricsList", apiVersion, metadata: {}, items });
  }
  const items = [];
  for (const p of await collector.pods(info.namespace)) {
    if (info.name && p.name !== info.name) continue;
    const pod = reader.get("", "pods", p.namespace, p.name) as Pod | undefined;
    if (!pod) continue;
    const labels = pod.metadata?.labels ?? {};
    if (selector && !selector.matches(labels)) continue;
    items.push({
      metadata: { name: p.name, namespace: p.namespace, creationTimestamp: now, labels },
      timestamp: formatTime(p.timestampMs),
      window: window(p.windowMs),
      containers: p.containers.map((c) => ({ name: c.name, usage: quantities(c) })),
    });
  }
  if (info.name) {
    const item = items[0];
    if (!item) throw newNotFound({ group, resource: "podmetrics" }, info.name);
    return writeJson(ctx.res, 200, { kind: "PodMetrics", apiVersion, ...item });
  }
  return writeJson(ctx.res, 200, { kind: "PodMetricsList", apiVersion, metadata: {}, items });
}
