/**
 * Endpoint update latency: a Service selecting N pods bound to one node that the benchmark plays
 * the kubelet of (it registers the Node, renews its Lease and writes the pods' status), so it
 * decides when each pod turns ready or unready. Latency is from the status write being sent to
 * the EndpointSlice watch showing that endpoint's `ready` flip: one pod at a time, then 100 at
 * once. The endpointslice controller does the work; the Endpoints controller runs beside it.
 */
import type { EndpointSlice, Pod } from "../src/api/generated/types.ts";
import type { RestClient } from "../src/client/rest-client.ts";
import { renewNodeLease } from "../src/kubelet/lease.ts";
import { until } from "./processes.ts";
import { now, printTable, summarize } from "./stats.ts";

const nodeName = "bench-endpoints";

/** Runs `fn` over `items`, `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

const podIP = (i: number) => `10.200.${Math.floor(i / 250)}.${(i % 250) + 2}`;

function readyStatus(i: number, ready: boolean) {
  const t = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const c = (type: string, ok: boolean) => ({
    type,
    status: ok ? "True" : "False",
    lastTransitionTime: t,
  });
  return {
    status: {
      phase: "Running",
      hostIP: "192.0.2.200",
      podIP: podIP(i),
      podIPs: [{ ip: podIP(i) }],
      conditions: [
        c("PodScheduled", true),
        c("Initialized", true),
        c("ContainersReady", ready),
        c("Ready", ready),
      ],
    },
  };
}

/** Follows the Service's EndpointSlices: pod name → ready, and waiters for a given state. */
function followSlices(client: RestClient, namespace: string, service: string, signal: AbortSignal) {
  const slices = new Map<string, Map<string, boolean>>();
  const waiters = new Map<string, { want: boolean; resolve: () => void }>();
  const state = (pod: string): boolean | undefined => {
    for (const eps of slices.values()) if (eps.has(pod)) return eps.get(pod);
    return undefined;
  };
  const check = () => {
    for (const [pod, w] of waiters) {
      if (state(pod) === w.want) {
        waiters.delete(pod);
        w.resolve();
      }
    }
  };
  const running = (async () => {
    for await (const ev of client.watch<EndpointSlice>(
      `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
      { labelSelector: `kubernetes.io/service-name=${service}` },
      signal,
    )) {
      const name = ev.object.metadata?.name ?? "";
      if (ev.type === "DELETED") slices.delete(name);
      else if (ev.type === "ADDED" || ev.type === "MODIFIED") {
        const eps = new Map<string, boolean>();
        for (const e of ev.object.endpoints ?? []) {
          if (e.targetRef?.name) eps.set(e.targetRef.name, e.conditions?.ready === true);
        }
        slices.set(name, eps);
      }
      check();
    }
  })().catch((err) => {
    if (!signal.aborted) throw err;
  });
  return {
    running,
    readyCount: () =>
      [...slices.values()].reduce((n, eps) => n + [...eps.values()].filter(Boolean).length, 0),
    /** Resolves once the slices show `pod` with ready = `want`. */
    waitFor(pod: string, want: boolean): Promise<void> {
      return new Promise((resolve) => {
        waiters.set(pod, { want, resolve });
        check();
      });
    },
  };
}

export async function measureEndpointLatency(
  client: RestClient,
  options: { namespace: string; endpoints: number },
): Promise<void> {
  const { namespace, endpoints } = options;
  const abort = new AbortController();
  await client.create("/api/v1/nodes", {
    metadata: { name: nodeName, labels: { "topology.kubernetes.io/zone": "bench-a" } },
  });
  const node = await client.patch<{ metadata: { uid: string } }>(
    `/api/v1/nodes/${nodeName}/status`,
    "merge",
    { status: { conditions: [{ type: "Ready", status: "True", reason: "KubeletReady" }] } },
  );
  const lease = () =>
    renewNodeLease({
      client,
      nodeName,
      nodeUid: node.metadata.uid,
      durationSeconds: 40,
      now: Date.now(),
    });
  await lease();
  const renewing = setInterval(() => void lease().catch(() => undefined), 10_000);
  try {
    await client.create(`/api/v1/namespaces/${namespace}/services`, {
      metadata: { name: "ep" },
      spec: { selector: { app: "ep" }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    const slices = followSlices(client, namespace, "ep", abort.signal);
    const names = Array.from({ length: endpoints }, (_, i) => `ep-${i}`);
    const podPath = `/api/v1/namespaces/${namespace}/pods`;
    const setReady = (i: number, ready: boolean) =>
      client.patch<Pod>(`${podPath}/${names[i]}/status`, "merge", readyStatus(i, ready));
    await inParallel(names, 32, (name) =>
      client.create(podPath, {
        metadata: { name, labels: { app: "ep" } },
        spec: {
          nodeName,
          containers: [{ name: "main", image: "nginx", ports: [{ containerPort: 8080 }] }],
        },
      }),
    );
    const t0 = now();
    await inParallel(
      names.map((_, i) => i),
      32,
      (i) => setReady(i, true),
    );
    await until(
      `${endpoints} ready endpoints`,
      120_000,
      async () => slices.readyCount() === endpoints,
    );
    const initial = (now() - t0) / 1000;

    const one: number[] = [];
    for (let k = 0; k < 100; k++) {
      const i = (k * 7) % endpoints;
      for (const ready of [false, true]) {
        const start = now();
        const seen = slices.waitFor(names[i]!, ready);
        await setReady(i, ready);
        await seen;
        one.push(now() - start);
      }
    }
    const burst: number[] = [];
    for (const ready of [false, true]) {
      const start = now();
      const picked = Array.from({ length: 100 }, (_, k) => (k * 9) % endpoints);
      await Promise.all(
        picked.map(async (i) => {
          const seen = slices.waitFor(names[i]!, ready);
          await setReady(i, ready);
          await seen;
          burst.push(now() - start);
        }),
      );
    }
    const a = summarize(one);
    const b = summarize(burst);
    console.log(
      `\nEndpoint update latency, Service with ${endpoints.toLocaleString("en-US")} endpoints (${initial.toFixed(2)} s from all pods ready to all in EndpointSlices):\n`,
    );
    printTable(
      ["flips", "samples", "p50 ms", "p90 ms", "p99 ms", "max ms"],
      [
        ["one pod at a time", one.length, a.p50, a.p90, a.p99, a.max],
        ["100 pods at once", burst.length, b.p50, b.p90, b.p99, b.max],
      ],
    );
  } finally {
    clearInterval(renewing);
    abort.abort();
  }
}
