/**
 * What metrics-server does upstream, inside the API server: scrape every Ready node's kubelet
 * (`/metrics/resource`) at a fixed resolution, keep each series' last two samples, and turn them
 * into usage — CPU as the rate between the two samples, memory as the last working set.
 *
 * Scraping starts with the first request for metrics and stops once nobody has asked for ten
 * minutes, so a cluster nobody runs `kubectl top` on (or has no HPA) pays nothing. The first
 * request waits for two scrapes a second apart instead of failing with "metrics not available
 * yet"; later ones answer at once from the last scrape.
 */
import { request } from "node:https";
import type { Node } from "../../api/generated/types.ts";
import type { Clock } from "../../machinery/clock.ts";
import type { Logger } from "../../machinery/log.ts";
import type { AdmissionReader } from "../admission/plugins/reader.ts";
import {
  type KubeletClientConfig,
  kubeletLocationOf,
  kubeletURL,
} from "../handlers/kubelet-connection.ts";
import { parseResourceMetrics, type Sample } from "./prometheus-text.ts";

export interface Usage {
  /** Nanocores. */
  readonly cpu: number;
  /** Bytes. */
  readonly memory: number;
  /** The newer sample's time (ms) and the span the CPU rate covers (ms). */
  readonly timestampMs: number;
  readonly windowMs: number;
}

export interface PodUsage {
  readonly namespace: string;
  readonly name: string;
  readonly timestampMs: number;
  readonly windowMs: number;
  readonly containers: ReadonlyArray<{ readonly name: string } & Usage>;
}

export interface CollectorOptions {
  readonly reader: AdmissionReader;
  readonly kubelet: KubeletClientConfig;
  readonly clock: Clock;
  readonly log: Logger;
  /** Between scrapes (metrics-server's `--metric-resolution`, 15 s). */
  readonly resolutionMs?: number;
  /** Scraping stops after this long without a request. */
  readonly idleMs?: number;
}

interface Pair {
  previous?: Sample;
  last: Sample;
}

function usageOf(pair: Pair | undefined, memory: Sample | undefined): Usage | undefined {
  const p = pair?.previous;
  const l = pair?.last;
  if (!p || !l || !memory || l.ms <= p.ms || l.value < p.value) return undefined;
  return {
    cpu: Math.round(((l.value - p.value) / ((l.ms - p.ms) / 1000)) * 1e9),
    memory: memory.value,
    timestampMs: l.ms,
    windowMs: l.ms - p.ms,
  };
}

const isReady = (node: Node) =>
  (node.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

export class ResourceMetricsCollector {
  readonly #o: CollectorOptions;
  /** CPU counters by series key (node name, or namespace/pod/container). */
  #cpu = new Map<string, Pair>();
  #memory = new Map<string, Sample>();
  /** The node each series came from. */
  #nodeOf = new Map<string, string>();
  #lastRequest = 0;
  #timer: NodeJS.Timeout | undefined;
  #warm: Promise<void> | undefined;
  #stopped = false;

  constructor(options: CollectorOptions) {
    this.#o = options;
  }

  /** Usage of each node that has two samples. */
  async nodes(): Promise<Map<string, Usage>> {
    await this.#active();
    const out = new Map<string, Usage>();
    for (const [key, pair] of this.#cpu) {
      if (key.includes("/")) continue;
      const usage = usageOf(pair, this.#memory.get(key));
      if (usage) out.set(key, usage);
    }
    return out;
  }

  /** Usage of each pod (in `namespace`, or all with ""), every container measured. */
  async pods(namespace: string): Promise<PodUsage[]> {
    await this.#active();
    const byPod = new Map<string, PodUsage & { containers: Array<{ name: string } & Usage> }>();
    for (const [key, pair] of this.#cpu) {
      const parts = key.split("/");
      if (parts.length !== 3) continue;
      const [ns, pod, container] = parts as [string, string, string];
      if (namespace && ns !== namespace) continue;
      const usage = usageOf(pair, this.#memory.get(key));
      if (!usage) continue;
      const id = `${ns}/${pod}`;
      const entry = byPod.get(id) ?? {
        namespace: ns,
        name: pod,
        timestampMs: usage.timestampMs,
        windowMs: usage.windowMs,
        containers: [],
      };
      entry.containers.push({ name: container, ...usage });
      byPod.set(id, entry);
    }
    return [...byPod.values()];
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #active(): Promise<void> {
    this.#lastRequest = this.#o.clock.now();
    if (!this.#warm && !this.#stopped) {
      this.#warm = (async () => {
        await this.#scrape();
        await new Promise((r) => setTimeout(r, 1000));
        await this.#scrape();
        this.#schedule();
      })();
    }
    await this.#warm;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(async () => {
      if (this.#o.clock.now() - this.#lastRequest > (this.#o.idleMs ?? 600_000)) {
        // Nobody asked for a while: stop, and start afresh on the next request.
        this.#timer = undefined;
        this.#warm = undefined;
        this.#cpu.clear();
        this.#memory.clear();
        this.#nodeOf.clear();
        return;
      }
      await this.#scrape();
      this.#schedule();
    }, this.#o.resolutionMs ?? 15_000);
    this.#timer.unref();
  }

  /** Scrapes every Ready node at once; a node that fails keeps its older samples. */
  async #scrape(): Promise<void> {
    const nodes = this.#o.reader.list("", "nodes", "") as Node[];
    const seen = new Set<string>();
    await Promise.all(
      nodes.filter(isReady).map(async (node) => {
        const name = node.metadata?.name ?? "";
        try {
          const text = await this.#fetch(node);
          const parsed = parseResourceMetrics(text);
          this.#record(name, name, parsed.node.cpu, parsed.node.memory, seen);
          for (const c of parsed.containers) {
            this.#record(`${c.namespace}/${c.pod}/${c.container}`, name, c.cpu, c.memory, seen);
          }
        } catch (err) {
          this.#o.log.debug("scraping resource metrics failed", { node: name, err });
          for (const [key, owner] of this.#nodeOf) if (owner === name) seen.add(key);
        }
      }),
    );
    // Series no node reported any more (deleted pods, gone nodes) are dropped.
    for (const key of [...this.#cpu.keys()]) {
      if (!seen.has(key)) {
        this.#cpu.delete(key);
        this.#memory.delete(key);
        this.#nodeOf.delete(key);
      }
    }
  }

  #record(
    key: string,
    node: string,
    cpu: Sample | undefined,
    memory: Sample | undefined,
    seen: Set<string>,
  ) {
    if (!cpu || !memory) return;
    seen.add(key);
    this.#nodeOf.set(key, node);
    const pair = this.#cpu.get(key);
    if (pair && pair.last.ms === cpu.ms) return; // the kubelet's sample did not move
    this.#cpu.set(key, pair ? { previous: pair.last, last: cpu } : { last: cpu });
    this.#memory.set(key, memory);
  }

  #fetch(node: Node): Promise<string> {
    const kubelet = this.#o.kubelet;
    const url = kubeletURL(kubeletLocationOf(node), "/metrics/resource");
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          cert: kubelet.certPem,
          key: kubelet.keyPem,
          ...(kubelet.caPem ? { ca: kubelet.caPem } : { rejectUnauthorized: false }),
          signal: AbortSignal.timeout(10_000),
        },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (body += d));
          res.on("error", reject);
          res.on("end", () =>
            res.statusCode === 200
              ? resolve(body)
              : reject(new Error(`${url.href}: status ${res.statusCode}: ${body.slice(0, 200)}`)),
          );
        },
      );
      req.on("error", reject);
      req.end();
    });
  }
}
