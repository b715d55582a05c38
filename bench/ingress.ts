/**
 * Ingress requests/s and latency against direct requests to the backend: a small node:http
 * backend (two "endpoints" on two ports), the ingress proxy with a real routing table (100
 * Ingresses of 10 paths each), and a keep-alive client, all in this process (figures are a
 * floor: client, proxy and backend share the cores). 32 requests in flight, plus one at a time.
 */
import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus } from "node:os";
import type { Ingress } from "../src/api/generated/types.ts";
import { IngressProxy } from "../src/ingress/http-proxy.ts";
import { buildRouteTable, matchRoute } from "../src/ingress/routes.ts";
import { silentLogger } from "../src/machinery/log.ts";
import { now, printTable, summarize } from "./stats.ts";

function ingresses(): Ingress[] {
  return Array.from({ length: 100 }, (_, i) => ({
    metadata: { name: `ing-${i}`, namespace: "default", creationTimestamp: "2026-01-01T00:00:00Z" },
    spec: {
      rules: [
        {
          host: `site-${i}.example`,
          http: {
            paths: Array.from({ length: 10 }, (_, k) => ({
              path: `/p${k}`,
              pathType: "Prefix" as const,
              backend: { service: { name: `svc-${i}`, port: { number: 80 } } },
            })),
          },
        },
      ],
    },
  }));
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}

async function load(port: number, host: string, count: number, inflight: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: inflight });
  const latencies: number[] = [];
  let next = 0;
  const start = now();
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const t = now();
      const req = request(
        { port, host: "127.0.0.1", path: "/p3/item", agent, headers: { host } },
        (res) => {
          res.resume();
          res.on("end", () => {
            latencies.push(now() - t);
            resolve();
          });
        },
      );
      req.on("error", reject);
      req.end();
    });
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (next < count) {
        next++;
        await one();
      }
    }),
  );
  const seconds = (now() - start) / 1000;
  agent.destroy();
  return { rps: count / seconds, ...summarize(latencies) };
}

export async function run(): Promise<void> {
  const body = Buffer.from("hello from the backend\n");
  const backends = [0, 1].map(() => createServer((_req, res) => res.end(body)));
  const ports = await Promise.all(backends.map(listen));
  const table = buildRouteTable(ingresses());
  const proxy = new IngressProxy({
    router: {
      route: (host, path) => matchRoute(table, host, path),
      resolve: () => ({
        kind: "targets",
        targets: ports.map((port) => ({ host: "127.0.0.1", port })),
      }),
    },
    log: silentLogger,
  });
  const front = createServer(proxy.handleRequest);
  const frontPort = await listen(front);
  const n = 20_000;
  await load(frontPort, "site-42.example", 2000, 32); // warm-up
  const rows: Array<Array<string | number>> = [];
  for (const [label, port, inflight, count] of [
    ["direct to backend, 32 in flight", ports[0]!, 32, n],
    ["through the ingress, 32 in flight", frontPort, 32, n],
    ["direct to backend, one at a time", ports[0]!, 1, 5000],
    ["through the ingress, one at a time", frontPort, 1, 5000],
  ] as const) {
    const r = await load(port, "site-42.example", count, inflight);
    rows.push([label, count, r.rps, r.p50, r.p99]);
  }
  printTable(["path", "requests", "requests/s", "p50 ms", "p99 ms"], rows);
  const routeStart = now();
  for (let i = 0; i < 100_000; i++) matchRoute(table, `site-${i % 100}.example`, "/p7/x");
  console.log(
    `\nroute lookup (100 Ingresses × 10 paths): ${(((now() - routeStart) * 1000) / 100_000).toFixed(2)} µs; ${cpus().length} cores shared by client, proxy and backend`,
  );
  proxy.close();
  for (const s of [front, ...backends]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
}
