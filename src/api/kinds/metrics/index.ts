/**
 * The resource metrics API, `metrics.k8s.io/v1beta1` (what metrics-server serves upstream and
 * `kubectl top` and the HPA controller read): NodeMetrics and PodMetrics, answered from the API
 * server's own collector (`src/apiserver/resource-metrics/`), never stored. Get and list only.
 */
import type { ResourceDefinition } from "../../resource.ts";

const metrics = (kind: string, plural: string, namespaced: boolean): ResourceDefinition => ({
  group: "metrics.k8s.io",
  version: "v1beta1",
  kind,
  plural,
  singular: "",
  namespaced,
  verbs: ["get", "list"],
  virtual: true,
  strategy: {},
});

export const metricsResources: ResourceDefinition[] = [
  metrics("NodeMetrics", "nodes", false),
  metrics("PodMetrics", "pods", true),
];
