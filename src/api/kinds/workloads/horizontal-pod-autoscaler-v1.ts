/**
 * autoscaling/v1 HorizontalPodAutoscaler: the same objects as autoscaling/v2, stored once (as v2)
 * and converted as upstream's `pkg/apis/autoscaling/v1/conversion.go` converts them. v1 has one
 * metric, `targetCPUUtilizationPercentage`; the rest of a v2 object travels in annotations (other
 * metrics and current metrics in v1's older metric format, conditions, behavior), so an HPA
 * written through one version reads back whole through the other. kubectl up to 1.32 writes
 * `kubectl autoscale` through v1, and older charts carry v1 HPAs.
 */
import type {
  AutoscalingV1HorizontalPodAutoscaler,
  AutoscalingV2HorizontalPodAutoscaler,
  MetricSpec,
  MetricStatus,
} from "../../generated/types.ts";
import type { KubeObject } from "../../object.ts";
import type { ResourceDefinition, SharedStorage } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import {
  horizontalPodAutoscalerResource,
  horizontalPodAutoscalerStrategy,
  validateHorizontalPodAutoscaler,
} from "./horizontal-pod-autoscaler.ts";

type V1 = AutoscalingV1HorizontalPodAutoscaler & KubeObject;
type V2 = AutoscalingV2HorizontalPodAutoscaler & KubeObject;
type Json = Record<string, unknown>;

export const metricsAnnotation = "autoscaling.alpha.kubernetes.io/metrics";
export const currentMetricsAnnotation = "autoscaling.alpha.kubernetes.io/current-metrics";
export const conditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions";
export const behaviorAnnotation = "autoscaling.alpha.kubernetes.io/behavior";

const isCpuUtilization = (m: MetricSpec) =>
  m.type === "Resource" && m.resource?.name === "cpu" && m.resource.target?.type === "Utilization";

const defined = (o: Json): Json =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** A metric source's key in its object: `resource` for type Resource, and so on. */
const sourceKey = (type: string) => type.charAt(0).toLowerCase() + type.slice(1);

/**
 * Where v1's older metric format (`autoscaling/v1.MetricSpec`, `MetricStatus`) keeps each v2
 * field, per metric type: [v2 path inside the source, v1 field]. `value` stands for the target
 * (spec) or the current value (status).
 */
const fieldMaps: Record<string, { spec: string[][]; status: string[][] }> = {};
const resourceFields = (prefix: "target" | "current", v1: string) => [
  ["name", "name"],
  ["container", "container"],
  [`${prefix}.averageUtilization`, `${v1}AverageUtilization`],
  [`${prefix}.averageValue`, `${v1}AverageValue`],
];
fieldMaps.Resource = {
  spec: resourceFields("target", "target"),
  status: resourceFields("current", "current"),
};
fieldMaps.ContainerResource = fieldMaps.Resource;
fieldMaps.Pods = {
  spec: [
    ["metric.name", "metricName"],
    ["metric.selector", "selector"],
    ["target.averageValue", "targetAverageValue"],
  ],
  status: [
    ["metric.name", "metricName"],
    ["metric.selector", "selector"],
    ["current.averageValue", "currentAverageValue"],
  ],
};
fieldMaps.Object = {
  spec: [
    ["describedObject", "target"],
    ["metric.name", "metricName"],
    ["metric.selector", "selector"],
    ["target.value", "targetValue"],
    ["target.averageValue", "averageValue"],
  ],
  status: [
    ["describedObject", "target"],
    ["metric.name", "metricName"],
    ["metric.selector", "selector"],
    ["current.value", "currentValue"],
    ["current.averageValue", "averageValue"],
  ],
};
fieldMaps.External = {
  spec: [
    ["metric.name", "metricName"],
    ["metric.selector", "metricSelector"],
    ["target.value", "targetValue"],
    ["target.averageValue", "targetAverageValue"],
  ],
  status: [
    ["metric.name", "metricName"],
    ["metric.selector", "metricSelector"],
    ["current.value", "currentValue"],
    ["current.averageValue", "currentAverageValue"],
  ],
};

function getPath(o: Json, path: string): unknown {
  return path.split(".").reduce<unknown>((v, k) => (v as Json | undefined)?.[k], o);
}

function setPath(o: Json, path: string, value: unknown): void {
  if (value === undefined) return;
  const keys = path.split(".");
  let at = o;
  for (const k of keys.slice(0, -1)) {
    at[k] ??= {};
    at = at[k] as Json;
  }
  at[keys.at(-1)!] = value;
}

/** A v2 metric (spec or status) in v1's annotation format. */
function metricToV1(m: MetricSpec | MetricStatus, part: "spec" | "status"): Json {
  const key = sourceKey(m.type);
  const source = ((m as unknown as Json)[key] ?? {}) as Json;
  const out: Json = {};
  for (const [v2, v1] of fieldMaps[m.type]?.[part] ?? []) setPath(out, v1!, getPath(source, v2!));
  return { type: m.type, [key]: out };
}

/** Back from v1's annotation format; a target's type follows from the value it has. */
function metricFromV1(m: Json, part: "spec" | "status"): Json {
  const type = String(m.type);
  const key = sourceKey(type);
  const source = (m[key] ?? {}) as Json;
  const out: Json = {};
  for (const [v2, v1] of fieldMaps[type]?.[part] ?? []) setPath(out, v2!, getPath(source, v1!));
  const target = out.target as Json | undefined;
  if (part === "spec" && target) {
    target.type =
      target.averageUtilization !== undefined
        ? "Utilization"
        : target.averageValue !== undefined
          ? "AverageValue"
          : "Value";
  }
  return { type, [key]: out };
}

function parseAnnotation<T>(value: string | undefined): T | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}

/** autoscaling/v2 (storage) → v1. */
export function hpaToV1(input: KubeObject): V1 {
  const hpa = structuredClone(input) as V2;
  horizontalPodAutoscalerStrategy.defaults?.(hpa);
  const spec = hpa.spec;
  const metrics = spec?.metrics ?? [];
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => m !== cpu);
  const annotations: Record<string, string> = { ...hpa.metadata?.annotations };
  if (others.length > 0) {
    annotations[metricsAnnotation] = JSON.stringify(others.map((m) => metricToV1(m, "spec")));
  }
  if (spec?.behavior) annotations[behaviorAnnotation] = JSON.stringify(spec.behavior);
  const status = hpa.status;
  const current = status?.currentMetrics ?? [];
  const currentCpu = current.find(
    (m) =>
      m.type === "Resource" &&
      m.resource?.name === "cpu" &&
      m.resource.current.averageUtilization !== undefined,
  );
  const otherCurrent = current.filter((m) => m !== currentCpu);
  if (otherCurrent.length > 0) {
    annotations[currentMetricsAnnotation] = JSON.stringify(
      otherCurrent.map((m) => metricToV1(m, "status")),
    );
  }
  if (status?.conditions?.length) {
    annotations[conditionsAnnotation] = JSON.stringify(status.conditions);
  }
  const metadata = { ...hpa.metadata };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  const out: V1 = { apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", metadata };
  if (spec) {
    out.spec = defined({
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      targetCPUUtilizationPercentage: cpu?.resource?.target.averageUtilization,
    }) as unknown as NonNullable<V1["spec"]>;
  }
  if (status) {
    out.status = defined({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas ?? 0,
      desiredReplicas: status.desiredReplicas,
      currentCPUUtilizationPercentage: currentCpu?.resource?.current.averageUtilization,
    }) as unknown as NonNullable<V1["status"]>;
  }
  return out;
}

/** autoscaling/v1 → v2 (storage), taking back what the annotations carry. */
export function hpaFromV1(input: V1): KubeObject {
  const hpa = structuredClone(input);
  const annotations: Record<string, string> = { ...hpa.metadata?.annotations };
  const take = <T>(key: string): T | undefined => {
    const value = parseAnnotation<T>(annotations[key]);
    delete annotations[key];
    return value;
  };
  const otherMetrics = take<Json[]>(metricsAnnotation) ?? [];
  const otherCurrent = take<Json[]>(currentMetricsAnnotation) ?? [];
  const conditions = take<unknown[]>(conditionsAnnotation);
  const behavior = take<Json>(behaviorAnnotation);
  const metadata = { ...hpa.metadata };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  const out: V2 = { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata };
  const spec = hpa.spec;
  if (spec) {
    const metrics: MetricSpec[] = [];
    if (spec.targetCPUUtilizationPercentage !== undefined) {
      metrics.push({
        type: "Resource",
        resource: {
          name: "cpu",
          target: { type: "Utilization", averageUtilization: spec.targetCPUUtilizationPercentage },
        },
      });
    }
    metrics.push(...otherMetrics.map((m) => metricFromV1(m, "spec") as unknown as MetricSpec));
    out.spec = defined({
      scaleTargetRef: spec.scaleTargetRef,
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      metrics: metrics.length > 0 ? metrics : undefined,
      behavior,
    }) as unknown as NonNullable<V2["spec"]>;
  }
  const status = hpa.status;
  if (status) {
    const current: MetricStatus[] = [];
    if (status.currentCPUUtilizationPercentage !== undefined) {
      current.push({
        type: "Resource",
        resource: {
          name: "cpu",
          current: { averageUtilization: status.currentCPUUtilizationPercentage },
        },
      });
    }
    current.push(...otherCurrent.map((m) => metricFromV1(m, "status") as unknown as MetricStatus));
    out.status = defined({
      observedGeneration: status.observedGeneration,
      lastScaleTime: status.lastScaleTime,
      currentReplicas: status.currentReplicas,
      desiredReplicas: status.desiredReplicas,
      currentMetrics: current.length > 0 ? current : undefined,
      conditions,
    }) as unknown as NonNullable<V2["status"]>;
  }
  // Stored objects carry v2's defaults, as upstream's decoding from storage gives them.
  horizontalPodAutoscalerStrategy.defaults?.(out);
  return out;
}

export const horizontalPodAutoscalerV1Storage: SharedStorage<V1> = {
  group: "autoscaling",
  resource: "horizontalpodautoscalers",
  toStorage: hpaFromV1,
  fromStorage: hpaToV1,
};

/** `SetDefaults_HorizontalPodAutoscaler` of v1: minReplicas 1; validation is v2's, on the converted object. */
export const horizontalPodAutoscalerV1Strategy: Strategy<V1> = {
  tracksGeneration: true,
  defaults(hpa) {
    if (hpa.spec) hpa.spec.minReplicas ??= 1;
  },
  validate: (hpa) => validateHorizontalPodAutoscaler(hpaFromV1(hpa) as V2),
  validateUpdate: (hpa) => validateHorizontalPodAutoscaler(hpaFromV1(hpa) as V2),
  printer: {
    columns: horizontalPodAutoscalerStrategy.printer!.columns,
    row: (hpa, now) => horizontalPodAutoscalerStrategy.printer!.row(hpaFromV1(hpa) as V2, now),
  },
};

export const horizontalPodAutoscalerV1Resource: ResourceDefinition<V1> = {
  ...(horizontalPodAutoscalerResource as unknown as ResourceDefinition<V1>),
  version: "v1",
  storage: horizontalPodAutoscalerV1Storage,
  strategy: horizontalPodAutoscalerV1Strategy,
};
