/**
 * autoscaling/v2 HorizontalPodAutoscaler (upstream `SetDefaults_HorizontalPodAutoscaler`,
 * `ValidateHorizontalPodAutoscaler`, `printHorizontalPodAutoscaler`), served so that `kubectl
 * autoscale` and charts carrying an HPA work. autoscaling/v1 is served from the same objects
 * (`horizontal-pod-autoscaler-v1.ts`).
 * `controllers/podautoscaler/` scales the targets on resource metrics (`metrics.k8s.io`).
 */
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { validatePathSegmentName } from "../../../machinery/validation.ts";
import type {
  AutoscalingV2HorizontalPodAutoscaler,
  HPAScalingRules,
  MetricSpec,
  MetricStatus,
  MetricTarget,
} from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import { ageColumn, ageOf, type FieldErrors, nameColumn, nameOf, type Obj } from "./common.ts";

type HPAObj = Obj<AutoscalingV2HorizontalPodAutoscaler>;

const metricTypes = ["ContainerResource", "External", "Object", "Pods", "Resource"];
const sourceOf: Record<string, keyof MetricSpec> = {
  ContainerResource: "containerResource",
  External: "external",
  Object: "object",
  Pods: "pods",
  Resource: "resource",
};
const targetTypes = ["AverageValue", "Utilization", "Value"];
const selectPolicies = ["Disabled", "Max", "Min"];
const policyTypes = ["Percent", "Pods"];

/** `validateMetricTarget`. */
function validateTarget(t: MetricTarget | undefined, path: FieldPath): FieldErrors {
  if (!t) return [field.required(path, "")];
  const errs: FieldErrors = [];
  if (!t.type) errs.push(field.required(path.child("type"), "must specify a metric target type"));
  else if (!targetTypes.includes(t.type)) {
    errs.push(field.notSupported(path.child("type"), t.type, targetTypes));
  }
  if (t.averageUtilization !== undefined && t.averageUtilization < 1) {
    errs.push(
      field.invalid(
        path.child("averageUtilization"),
        t.averageUtilization,
        "must be greater than 0",
      ),
    );
  }
  if (t.value === undefined && t.averageValue === undefined && t.averageUtilization === undefined) {
    errs.push(field.required(path, "must set either a target raw value or a target utilization"));
  }
  return errs;
}

/** `validateMetricSpec`: a known type whose source is set, and only that source. */
function validateMetric(m: MetricSpec, path: FieldPath): FieldErrors {
  if (!m.type) return [field.required(path.child("type"), "must specify a metric source type")];
  if (!metricTypes.includes(m.type)) {
    return [field.notSupported(path.child("type"), m.type, metricTypes)];
  }
  const errs: FieldErrors = [];
  const own = sourceOf[m.type]!;
  for (const [type, key] of Object.entries(sourceOf)) {
    if (key !== own && m[key] !== undefined) {
      errs.push(
        field.forbidden(
          path.child(key),
          `must populate information for the given metric source (only allowed when type is ${type})`,
        ),
      );
    }
  }
  const source = m[own] as { name?: string; container?: string; target?: MetricTarget } | undefined;
  if (!source) {
    errs.push(
      field.required(path.child(own), `must populate information for the given metric source`),
    );
    return errs;
  }
  const sourcePath = path.child(own);
  if ((own === "resource" || own === "containerResource") && !source.name) {
    errs.push(field.required(sourcePath.child("name"), "must specify a resource name"));
  }
  if (own === "containerResource" && !source.container) {
    errs.push(field.required(sourcePath.child("container"), "must specify a container"));
  }
  errs.push(...validateTarget(source.target, sourcePath.child("target")));
  return errs;
}

/** `validateScalingRules`. */
function validateRules(rules: HPAScalingRules | undefined, path: FieldPath): FieldErrors {
  if (!rules) return [];
  const errs: FieldErrors = [];
  const window = rules.stabilizationWindowSeconds;
  if (window !== undefined && (window < 0 || window > 3600)) {
    errs.push(
      field.invalid(
        path.child("stabilizationWindowSeconds"),
        window,
        "must be less than or equal to 3600 and greater than or equal to 0",
      ),
    );
  }
  if (rules.selectPolicy !== undefined && !selectPolicies.includes(rules.selectPolicy)) {
    errs.push(field.notSupported(path.child("selectPolicy"), rules.selectPolicy, selectPolicies));
  }
  const policies = rules.policies ?? [];
  if (policies.length === 0) {
    errs.push(field.required(path.child("policies"), "must specify at least one Policy"));
  }
  policies.forEach((p, i) => {
    const pPath = path.child("policies").index(i);
    if (!policyTypes.includes(p.type))
      errs.push(field.notSupported(pPath.child("type"), p.type, policyTypes));
    if (!(p.value > 0))
      errs.push(field.invalid(pPath.child("value"), p.value, "must be greater than zero"));
    if (!(p.periodSeconds > 0) || p.periodSeconds > 1800) {
      errs.push(
        field.invalid(
          pPath.child("periodSeconds"),
          p.periodSeconds,
          "must be greater than zero and less than or equal to 1800",
        ),
      );
    }
  });
  return errs;
}

/** `ValidateHorizontalPodAutoscalerSpec`. */
export function validateHorizontalPodAutoscaler(hpa: HPAObj): FieldErrors {
  const spec = hpa.spec;
  const path = newPath("spec");
  const errs: FieldErrors = [];
  const ref = spec?.scaleTargetRef;
  const refPath = path.child("scaleTargetRef");
  if (!ref?.kind) errs.push(field.required(refPath.child("kind"), ""));
  else
    for (const msg of validatePathSegmentName(ref.kind, false))
      errs.push(field.invalid(refPath.child("kind"), ref.kind, msg));
  if (!ref?.name) errs.push(field.required(refPath.child("name"), ""));
  else
    for (const msg of validatePathSegmentName(ref.name, false))
      errs.push(field.invalid(refPath.child("name"), ref.name, msg));
  const min = spec?.minReplicas;
  const max = spec?.maxReplicas ?? 0;
  if (min !== undefined && min < 1) {
    errs.push(field.invalid(path.child("minReplicas"), min, "must be greater than or equal to 1"));
  }
  if (max < 1) errs.push(field.invalid(path.child("maxReplicas"), max, "must be greater than 0"));
  if (min !== undefined && max < min) {
    errs.push(
      field.invalid(
        path.child("maxReplicas"),
        max,
        "must be greater than or equal to `minReplicas`",
      ),
    );
  }
  (spec?.metrics ?? []).forEach((m, i) => {
    errs.push(...validateMetric(m, path.child("metrics").index(i)));
  });
  errs.push(...validateRules(spec?.behavior?.scaleUp, path.child("behavior", "scaleUp")));
  errs.push(...validateRules(spec?.behavior?.scaleDown, path.child("behavior", "scaleDown")));
  return errs;
}

/** `SetDefaults_HPAScalingRules` for one direction. */
function defaultRules(rules: HPAScalingRules, up: boolean): void {
  rules.selectPolicy ??= "Max";
  rules.stabilizationWindowSeconds ??= up ? 0 : 300;
  if (!rules.policies || rules.policies.length === 0) {
    rules.policies = up
      ? [
          { type: "Pods", value: 4, periodSeconds: 15 },
          { type: "Percent", value: 100, periodSeconds: 15 },
        ]
      : [{ type: "Percent", value: 100, periodSeconds: 15 }];
  }
}

/** One metric's target as `kubectl get hpa` prints it. */
function formatTarget(t: MetricTarget | undefined): string {
  if (!t) return "<unset>";
  if (t.averageUtilization !== undefined) return `${t.averageUtilization}%`;
  return String(t.averageValue ?? t.value ?? "<unset>");
}

function formatCurrent(status: MetricStatus | undefined, spec: MetricSpec): string {
  const current = status?.[sourceOf[spec.type] ?? "resource"] as
    | { current?: { averageUtilization?: number; averageValue?: string; value?: string } }
    | undefined;
  const c = current?.current;
  if (!c) return "<unknown>";
  if (c.averageUtilization !== undefined) return `${c.averageUtilization}%`;
  return String(c.averageValue ?? c.value ?? "<unknown>");
}

/** `formatHPAMetrics`: "cpu: 12%/80%", more than one shown as "+N more...". */
function formatMetrics(hpa: HPAObj): string {
  const metrics = hpa.spec?.metrics ?? [];
  if (metrics.length === 0) return "<none>";
  const current = hpa.status?.currentMetrics ?? [];
  const parts = metrics.map((m, i) => {
    const source = m[sourceOf[m.type] ?? "resource"] as
      | { name?: string; target?: MetricTarget; metric?: { name?: string } }
      | undefined;
    const name = source?.name ?? source?.metric?.name ?? "";
    const shown = `${formatCurrent(current[i], m)}/${formatTarget(source?.target)}`;
    return m.type === "Resource" || m.type === "ContainerResource" ? `${name}: ${shown}` : shown;
  });
  return parts.length > 2
    ? `${parts.slice(0, 2).join(", ")} + ${parts.length - 2} more...`
    : parts.join(", ");
}

export const horizontalPodAutoscalerStrategy: Strategy<HPAObj> = {
  tracksGeneration: true,
  defaults(hpa) {
    const spec = hpa.spec;
    if (!spec) return;
    spec.minReplicas ??= 1;
    if (!spec.metrics || spec.metrics.length === 0) {
      spec.metrics = [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
        },
      ];
    }
    if (spec.behavior) {
      spec.behavior.scaleUp ??= {};
      spec.behavior.scaleDown ??= {};
      defaultRules(spec.behavior.scaleUp, true);
      defaultRules(spec.behavior.scaleDown, false);
    }
  },
  validate: validateHorizontalPodAutoscaler,
  validateUpdate: (hpa) => validateHorizontalPodAutoscaler(hpa),
  printer: {
    columns: [
      nameColumn(),
      column("Reference", { description: "Reference to target resource" }),
      column("Targets", { description: "Current and target metrics" }),
      column("MinPods", { type: "integer", description: "Minimum number of pods" }),
      column("MaxPods", { type: "integer", description: "Maximum number of pods" }),
      column("Replicas", { type: "integer", description: "Current replicas" }),
      ageColumn(),
    ],
    row: (hpa, now) => [
      nameOf(hpa),
      `${hpa.spec?.scaleTargetRef?.kind}/${hpa.spec?.scaleTargetRef?.name}`,
      formatMetrics(hpa),
      hpa.spec?.minReplicas === undefined ? "<unset>" : hpa.spec.minReplicas,
      hpa.spec?.maxReplicas ?? 0,
      hpa.status?.currentReplicas ?? 0,
      ageOf(hpa, now),
    ],
  },
};

export const horizontalPodAutoscalerResource: ResourceDefinition<HPAObj> = {
  group: "autoscaling",
  version: "v2",
  kind: "HorizontalPodAutoscaler",
  plural: "horizontalpodautoscalers",
  singular: "horizontalpodautoscaler",
  shortNames: ["hpa"],
  categories: ["all"],
  namespaced: true,
  subresources: ["status"],
  strategy: horizontalPodAutoscalerStrategy,
};
