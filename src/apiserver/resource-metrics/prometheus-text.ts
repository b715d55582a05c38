/**
 * The part of the Prometheus text format a kubelet's `/metrics/resource` uses: one sample per
 * line, `name{label="value",…} value [timestamp_ms]`, comments starting with `#`.
 */

export interface Sample {
  readonly value: number;
  /** The sample's own timestamp (ms); the scrape's time when the line has none. */
  readonly ms: number;
}

export interface ResourceMetrics {
  readonly node: { cpu?: Sample; memory?: Sample };
  readonly containers: Array<{
    namespace: string;
    pod: string;
    container: string;
    cpu?: Sample;
    memory?: Sample;
  }>;
}

const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?\s*$/;
const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function unescapeLabel(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
}

/** Node and container CPU seconds and working sets; other series are ignored. */
export function parseResourceMetrics(text: string, now: number = Date.now()): ResourceMetrics {
  const out: ResourceMetrics = { node: {}, containers: [] };
  const containers = new Map<string, ResourceMetrics["containers"][number]>();
  for (const raw of text.split("\n")) {
    if (raw === "" || raw.startsWith("#")) continue;
    const m = line.exec(raw);
    if (!m) continue;
    const [, name, labelText = "", valueText, ts] = m;
    const value = Number(valueText);
    if (!Number.isFinite(value)) continue;
    const sample = { value, ms: ts === undefined ? now : Number(ts) };
    if (name === "node_cpu_usage_seconds_total") out.node.cpu = sample;
    else if (name === "node_memory_working_set_bytes") out.node.memory = sample;
    else if (
      name === "container_cpu_usage_seconds_total" ||
      name === "container_memory_working_set_bytes"
    ) {
      const labels: Record<string, string> = {};
      for (const l of labelText.matchAll(label)) labels[l[1]!] = unescapeLabel(l[2]!);
      const key = `${labels.namespace}/${labels.pod}/${labels.container}`;
      let c = containers.get(key);
      if (!c) {
        c = {
          namespace: labels.namespace ?? "",
          pod: labels.pod ?? "",
          container: labels.container ?? "",
        };
        containers.set(key, c);
        out.containers.push(c);
      }
      if (name === "container_cpu_usage_seconds_total") c.cpu = sample;
      else c.memory = sample;
    }
  }
  return out;
}
