/**
 * Test helpers for the HPA controller: a fake resource metrics API (the `ResourceMetricsSource`
 * seam) and pods with requests, phase and readiness as a kubelet would report them.
 */
import type { Pod } from "../../api/generated/types.ts";
import { parseSelector } from "../../machinery/labels.ts";
import { formatTime } from "../../machinery/time.ts";
import type { PodMetrics, ResourceMetricsSource } from "./resource-metrics.ts";

interface Entry {
  readonly labels: Readonly<Record<string, string>>;
  readonly metrics: PodMetrics;
}

/** Usage by container name, then resource name ("cpu": "250m"). */
export type Usage = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** A metrics-server stand-in: what `set` put in, filtered by namespace and label selector. */
export class FakeResourceMetrics implements ResourceMetricsSource {
  readonly #pods = new Map<string, Entry>();
  /** When set, every list fails with it (the API is not served). */
  error: Error | undefined;
  readonly calls: Array<{ namespace: string; labelSelector: string }> = [];

  set(
    pod: { namespace?: string; name: string; labels?: Record<string, string> },
    usage: Usage,
    at: { timestampMs: number; window?: string },
  ): void {
    const namespace = pod.namespace ?? "default";
    this.#pods.set(`${namespace}/${pod.name}`, {
      labels: pod.labels ?? {},
      metrics: {
        metadata: { name: pod.name, namespace },
        timestamp: formatTime(at.timestampMs),
        window: at.window ?? "15s",
        containers: Object.entries(usage).map(([name, u]) => ({ name, usage: u })),
      },
    });
  }

  delete(namespace: string, name: string): void {
    this.#pods.delete(`${namespace}/${name}`);
  }

  async podMetrics(namespace: string, labelSelector: string): Promise<readonly PodMetrics[]> {
    this.calls.push({ namespace, labelSelector });
    if (this.error) throw this.error;
    const selector = parseSelector(labelSelector);
    return [...this.#pods.values()]
      .filter((e) => e.metrics.metadata.namespace === namespace && selector.matches(e.labels))
      .map((e) => e.metrics);
  }
}

export interface TestPodOptions {
  readonly name: string;
  readonly labels?: Record<string, string>;
  /** Requests by container name, then resource name; default one container "app" asking 1 CPU. */
  readonly requests?: Usage;
  readonly phase?: NonNullable<Pod["status"]>["phase"];
  /** The Ready condition's status; undefined leaves the condition out. */
  readonly ready?: "True" | "False" | "Unknown";
  readonly startTimeMs?: number;
  readonly readyTransitionMs?: number;
  readonly deleting?: boolean;
}

/** A pod as the pod lister would return it. */
export function testPod(o: TestPodOptions): Pod {
  const requests = o.requests ?? { app: { cpu: "1" } };
  return {
    metadata: {
      name: o.name,
      namespace: "default",
      labels: o.labels ?? { app: "web" },
      ...(o.deleting ? { deletionTimestamp: formatTime(0) } : {}),
    },
    spec: {
      containers: Object.entries(requests).map(([name, r]) => ({
        name,
        image: "nginx",
        resources: { requests: { ...r } },
      })),
    },
    status: {
      phase: o.phase ?? "Running",
      ...(o.startTimeMs !== undefined ? { startTime: formatTime(o.startTimeMs) } : {}),
      ...(o.ready
        ? {
            conditions: [
              {
                type: "Ready",
                status: o.ready,
                lastTransitionTime: formatTime(o.readyTransitionMs ?? o.startTimeMs ?? 0),
              },
            ],
          }
        : {}),
    },
  };
}
