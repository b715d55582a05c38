/**
 * Cluster DNS (`src/dns/`) and the built-in ingress controller (`src/ingress/`) of a node, as
 * `bosun agent` and `bosun server` start them next to the kubelet, with the node's client and
 * identity: DNS on the node's address, port 53 (`--dns-port`), the ingress on every address,
 * ports 80 and 443. `--disable-dns` / `--disable-ingress` turn them off (k3s: `--disable
 * coredns,traefik`). Simulated nodes run them only when a port is given.
 *
 * A part that cannot start (its port taken, say) is logged as an error and left out; the node
 * runs on without it, and without the label that would publish it (as a crash-looping CoreDNS or
 * Traefik pod leaves a k3s node up).
 */
import { InformerFactory } from "../client/informer-factory.ts";
import type { RestClient } from "../client/rest-client.ts";
import { startClusterDns } from "../dns/cluster-dns.ts";
import { startIngressController } from "../ingress/ingress-controller.ts";
import { realClock } from "../machinery/clock.ts";
import type { Logger } from "../machinery/log.ts";
import { UsageError } from "./command.ts";

export const nodeAddonFlags = {
  "disable-dns": { type: "boolean", default: false },
  "disable-ingress": { type: "boolean", default: false },
  "dns-port": { type: "string" },
  "ingress-http-port": { type: "string" },
  "ingress-https-port": { type: "string" },
} as const;

export const nodeAddonsUsage = `  --disable-dns                     run no cluster DNS server here
  --dns-port N                      cluster DNS port on the node's address (default 53)
  --disable-ingress                 run no ingress controller here
  --ingress-http-port N             ingress HTTP port (default 80)
  --ingress-https-port N            ingress HTTPS port (default 443)
                                    (simulated nodes run DNS and ingress only when a port is given)`;

export interface NodeAddons {
  stop(): Promise<void>;
}

function port(values: Record<string, unknown>, flag: string, fallback: number): number {
  const raw = values[flag];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new UsageError(`--${flag} must be a port number from 0 to 65535, not "${raw}"`);
  }
  return n;
}

/** Starts DNS and ingress as the flags say (bad flag values are usage errors). */
export async function startNodeAddons(
  values: Record<string, unknown>,
  options: {
    client: RestClient;
    nodeName: string;
    nodeIP: string;
    simulated?: boolean;
    log: Logger;
  },
): Promise<NodeAddons> {
  const { client, nodeName, nodeIP, log } = options;
  const dnsPort = port(values, "dns-port", 53);
  const httpPort = port(values, "ingress-http-port", 80);
  const httpsPort = port(values, "ingress-https-port", 443);
  const given = (flag: string) => values[flag] !== undefined;
  const wantDns = values["disable-dns"] !== true && (!options.simulated || given("dns-port"));
  const wantIngress =
    values["disable-ingress"] !== true &&
    (!options.simulated || given("ingress-http-port") || given("ingress-https-port"));
  if (values["disable-dns"] === true) log.info("cluster DNS disabled (--disable-dns)");
  if (values["disable-ingress"] === true)
    log.info("ingress controller disabled (--disable-ingress)");
  const stop = new AbortController();
  const informers = new InformerFactory(client, log);
  const started: Array<Promise<{ stop(): Promise<void> } | undefined>> = [];
  const orLog = (what: string, hint: string) => (err: unknown) => {
    if (!stop.signal.aborted) {
      log.error(`cannot start ${what}; this node runs without it (${hint})`, { err });
    }
    return undefined;
  };
  if (wantDns) {
    started.push(
      startClusterDns({
        client,
        informers,
        clock: realClock,
        log,
        signal: stop.signal,
        nodeName,
        listen: [{ host: nodeIP, port: dnsPort }],
        clusterDomain: String(values["cluster-domain"] ?? "cluster.local"),
        dnsIPs: String(values["cluster-dns"] ?? "10.96.0.10").split(","),
      }).catch(orLog(`cluster DNS on ${nodeIP}:${dnsPort}`, "--dns-port, --disable-dns")),
    );
  }
  if (wantIngress) {
    started.push(
      startIngressController({
        client,
        informers,
        clock: realClock,
        log,
        signal: stop.signal,
        nodeName,
        httpPort,
        httpsPort,
      }).catch(
        orLog(
          `the ingress controller on ports ${httpPort}/${httpsPort}`,
          "--ingress-http-port, --ingress-https-port, --disable-ingress",
        ),
      ),
    );
  }
  informers.start(stop.signal);
  // Each part serves once its informers have synced; the node does not wait for that.
  const parts = Promise.all(started);
  return {
    async stop() {
      // Parts still waiting for their informers give up (they never served); the others stop.
      stop.abort();
      for (const part of await parts) await part?.stop();
    },
  };
}
