/**
 * Upstream's `computeReplicasForMetrics`: each of the HPA's metrics proposes a replica count and a
 * current-metric status; the largest proposal wins. Resource and ContainerResource metrics are
 * read from the resource metrics API; Pods, Object and External metrics need the custom and
 * external metrics APIs, which Bosun does not serve, so they fail with the messages upstream
 * gives when those APIs are missing (FailedGetPodsMetric, FailedGetObjectMetric,
 * FailedGetExternalMetric). A failing metric records a Warning event and the ScalingActive
 * condition it would set; when every metric fails, or some fail and the rest would scale down,
 * nothing is proposed (-1) and that condition is set.
 */
import type {
  LabelSelector,
  MetricSpec,
  MetricStatus,
  MetricTarget,
  MetricValueStatus,
} from "../../api/generated/types.ts";
import type { Selector } from "../../machinery/labels.ts";
import { newMilliQuantity, parseQuantity } from "../../machinery/quantity.ts";
import type { ConditionChange, Conditions } from "./hpa-status.ts";
import { isFailure, type ReplicaCalculator, type Tolerances } from "./replica-calculator.ts";

export interface MetricsInput {
  readonly namespace: string;
  readonly metrics: readonly MetricSpec[];
  readonly specReplicas: number;
  readonly selector: Selector;
  readonly tolerances: Tolerances;
  readonly calculator: ReplicaCalculator;
  /** Where ScalingActive is set. */
  readonly conditions: Conditions;
  /** Records a Warning event on the HPA. */
  readonly warn: (reason: string, message: string) => void;
}

export interface MetricsOutcome {
  /** The largest proposal; -1 when the metrics allow none. */
  readonly replicas: number;
  /** What proposed it, e.g. "cpu resource utilization (percentage of request)". */
  readonly metric: string;
  /** One per metric spec; `{ type: "" }` where the metric failed, as upstream leaves it. */
  readonly statuses: MetricStatus[];
  readonly timestamp: number;
  readonly error?: string;
}

interface Proposal {
  readonly replicas: number;
  readonly metric: string;
  readonly timestamp: number;
  readonly status: MetricStatus;
}

interface Failed {
  readonly error: string;
  readonly condition: ConditionChange | undefined;
}

const milli = (q: string): number => parseQuantity(q).milliValue();
const milliString = (v: number): string => newMilliQuantity(v, "DecimalSI").toString();

/** The custom metrics client's answer when no APIService serves custom.metrics.k8s.io. */
const noCustomMetricsAPI =
  "unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered";

/** The external metrics client's answer when the API server does not serve external.metrics.k8s.io. */
const noExternalMetricsAPI = (name: string) =>
  `unable to fetch metrics from external metrics API: the server could not find the requested resource (get ${name.toLowerCase()}.external.metrics.k8s.io)`;

/** `(*metav1.LabelSelector).String()`, which upstream's messages print with `%+v`. */
export function goLabelSelectorString(s: LabelSelector | undefined): string {
  if (!s) return "nil";
  const labels = Object.keys(s.matchLabels ?? {})
    .sort()
    .map((k) => `${k}: ${s.matchLabels?.[k]},`)
    .join("");
  const exprs = (s.matchExpressions ?? [])
    .map(
      (e) =>
        `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(" ")}],},`,
    )
    .join("");
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}

export class MetricReplicas {
  readonly #in: MetricsInput;

  constructor(input: MetricsInput) {
    this.#in = input;
  }

  /** `computeReplicasForMetrics`. */
  async compute(): Promise<MetricsOutcome> {
    const specs = this.#in.metrics;
    const statuses: MetricStatus[] = specs.map(() => ({ type: "" }));
    let replicas = 0;
    let metric = "";
    let timestamp = 0;
    let invalid = 0;
    let first: Failed | undefined;
    for (const [i, spec] of specs.entries()) {
      const r = await this.#computeOne(spec);
      if ("error" in r) {
        if (invalid === 0) first = r;
        invalid++;
        continue;
      }
      statuses[i] = r.status;
      if (replicas === 0 || r.replicas > replicas) {
        ({ replicas, metric, timestamp } = r);
      }
    }
    const error = first
      ? `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${first.error}`
      : undefined;
    if (invalid >= specs.length || (invalid > 0 && replicas < this.#in.specReplicas)) {
      if (first?.condition) this.#in.conditions.set(...first.condition);
      return { replicas: -1, metric: "", statuses, timestamp: 0, ...(error ? { error } : {}) };
    }
    this.#in.conditions.set(
      "ScalingActive",
      "True",
      "ValidMetricFound",
      `the HPA was able to successfully calculate a replica count from ${metric}`,
    );
    return { replicas, metric, statuses, timestamp, ...(error ? { error } : {}) };
  }

  /** `getUnableComputeReplicaCountCondition`: records the event, returns the condition. */
  #unable(reason: string, error: string): ConditionChange {
    this.#in.warn(reason, error);
    return [
      "ScalingActive",
      "False",
      reason,
      `the HPA was unable to compute the replica count: ${error}`,
    ];
  }

  /** `computeReplicasForMetric`. */
  async #computeOne(spec: MetricSpec): Promise<Proposal | Failed> {
    const ns = this.#in.namespace;
    switch (spec.type) {
      case "Resource":
      case "ContainerResource": {
        const source = spec.type === "Resource" ? spec.resource : spec.containerResource;
        const container = spec.containerResource?.container ?? "";
        const name = source?.name ?? "";
        const r = await this.#resource(name, source?.target, container);
        if (!("error" in r)) {
          const status: MetricStatus =
            spec.type === "Resource"
              ? { type: "Resource", resource: { name, current: r.current } }
              : {
                  type: "ContainerResource",
                  containerResource: { name, container, current: r.current },
                };
          return { replicas: r.replicas, metric: r.metric, timestamp: r.timestamp, status };
        }
        if (spec.type === "Resource") {
          const condition = this.#unable("FailedGetResourceMetric", r.error);
          return { condition, error: `failed to get ${name} resource metric value: ${r.error}` };
        }
        const condition = this.#unable("FailedGetContainerResourceMetric", r.error);
        return {
          condition,
          error: `failed to get ${container} container metric value: ${r.error}`,
        };
      }
      case "Pods": {
        const err = `unable to get metric ${spec.pods?.metric.name ?? ""}: ${noCustomMetricsAPI}`;
        const condition = this.#unable("FailedGetPodsMetric", err);
        return { condition, error: `failed to get pods metric value: ${err}` };
      }
      case "Object":
        return this.#object(spec);
      case "External":
        return this.#external(spec, ns);
      default: {
        const err = `unknown metric source type "${spec.type}"`;
        return { condition: this.#unable("InvalidMetricSourceType", err), error: err };
      }
    }
  }

  /** `computeStatusForResourceMetricGeneric`. */
  async #resource(
    name: string,
    target: MetricTarget | undefined,
    container: string,
  ): Promise<
    | { replicas: number; current: MetricValueStatus; metric: string; timestamp: number }
    | { error: string }
  > {
    const q = {
      currentReplicas: this.#in.specReplicas,
      resource: name,
      tolerances: this.#in.tolerances,
      namespace: this.#in.namespace,
      selector: this.#in.selector,
      container,
    };
    if (target?.averageValue !== undefined) {
      const r = await this.#in.calculator.getRawResourceReplicas({
        ...q,
        targetUsage: milli(target.averageValue),
      });
      if (isFailure(r)) return { error: `failed to get ${name} usage: ${r.error}` };
      return {
        replicas: r.replicas,
        current: { averageValue: milliString(r.usage) },
        metric: `${name} resource`,
        timestamp: r.timestamp,
      };
    }
    if (target?.averageUtilization === undefined) {
      return {
        error:
          "invalid resource metric source: neither an average utilization target nor an average value (usage) target was set",
      };
    }
    const r = await this.#in.calculator.getResourceReplicas({
      ...q,
      targetUtilization: target.averageUtilization,
    });
    if (isFailure(r)) return { error: `failed to get ${name} utilization: ${r.error}` };
    const kind = container ? "container resource" : "resource";
    return {
      replicas: r.replicas,
      current: { averageUtilization: r.utilization, averageValue: milliString(r.rawUtilization) },
      metric: `${name} ${kind} utilization (percentage of request)`,
      timestamp: r.timestamp,
    };
  }

  /** `computeStatusForObjectMetric`, with no custom metrics API. */
  #object(spec: MetricSpec): Failed {
    const o = spec.object;
    const name = o?.metric.name ?? "";
    const ref = o?.describedObject;
    // Upstream's format puts the arguments out of order; its message reads so.
    const err = `unable to get metric ${name}: ${ref?.kind ?? ""} on ${this.#in.namespace} ${ref?.name ?? ""}/${noCustomMetricsAPI}`;
    if (o?.target.type === "Value" && o.target.value !== undefined) {
      const condition = this.#unable("FailedGetObjectMetric", err);
      return { condition, error: `failed to get object metric value: ${err}` };
    }
    if (o?.target.type === "AverageValue" && o.target.averageValue !== undefined) {
      const condition = this.#unable("FailedGetObjectMetric", err);
      return {
        condition,
        error: `failed to get object metric value: failed to get ${name} object metric: ${err}`,
      };
    }
    const invalid =
      "invalid object metric source: neither a value target nor an average value target was set";
    return {
      condition: this.#unable("FailedGetObjectMetric", invalid),
      error: `failed to get object metric value: ${invalid}`,
    };
  }

  /** `computeStatusForExternalMetric`, with no external metrics API. */
  #external(spec: MetricSpec, ns: string): Failed {
    const e = spec.external;
    const name = e?.metric.name ?? "";
    const err = `unable to get external metric ${ns}/${name}/${goLabelSelectorString(e?.metric.selector)}: ${noExternalMetricsAPI(name)}`;
    if (e?.target.averageValue !== undefined) {
      const condition = this.#unable("FailedGetExternalMetric", err);
      return {
        condition,
        error: `failed to get ${name} external metric value: failed to get ${name} external metric: ${err}`,
      };
    }
    if (e?.target.value !== undefined) {
      const condition = this.#unable("FailedGetExternalMetric", err);
      return {
        condition,
        error: `failed to get ${name} external metric value: failed to get external metric ${name}: ${err}`,
      };
    }
    const invalid =
      "invalid external metric source: neither a value target nor an average value target was set";
    return {
      condition: this.#unable("FailedGetExternalMetric", invalid),
      error: `failed to get ${name} external metric value: ${invalid}`,
    };
  }
}
