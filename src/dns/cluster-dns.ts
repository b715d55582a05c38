/**
 * Cluster DNS on one node, as the agent runs it: informers over Namespaces, Services and
 * EndpointSlices feed the index; once they have synced, the server listens (UDP and TCP) on the
 * node's addresses and the node is labelled `bosun.dev/cluster-dns=<port>`, which is how the
 * controller manager learns to publish it behind the `kube-dns` Service (ADR 14). Names outside
 * the cluster go to the resolvers of the host's resolv.conf.
 */
import { readFileSync } from "node:fs";
import type { EndpointSlice, Namespace, Service } from "../api/generated/types.ts";
import { waitForSync } from "../client/informer.ts";
import type { InformerFactory } from "../client/informer-factory.ts";
import { resourcePath, resources } from "../client/resources.ts";
import type { RestClient } from "../client/rest-client.ts";
import type { Clock } from "../machinery/clock.ts";
import type { Logger } from "../machinery/log.ts";
import { hostResolvConfPath, parseResolvConf } from "../machinery/resolv-conf.ts";
import { DnsIndex } from "./dns-index.ts";
import { DnsServer, type ListenAddress } from "./dns-server.ts";
import { Forwarder, type Upstream } from "./forwarder.ts";
import { QueryHandler } from "./query-handler.ts";
import { ResponseCache } from "./response-cache.ts";

/** The node label through which a node offers cluster DNS; its value is the port. */
export const clusterDnsNodeLabel = "bosun.dev/cluster-dns";

export interface ClusterDnsOptions {
  readonly client: RestClient;
  readonly informers: InformerFactory;
  readonly clock: Clock;
  readonly log: Logger;
  /** Aborting it while DNS waits for its informers gives up the start (rejects). */
  readonly signal?: AbortSignal;
  /** The node this runs on; labelled once DNS serves (omit to not publish). */
  readonly nodeName?: string;
  /** Where to listen (the node's addresses, port 53). */
  readonly listen: readonly ListenAddress[];
  /** Default `cluster.local`. */
  readonly clusterDomain?: string;
  /** The cluster DNS service addresses (`ns.dns.<domain>`); default 10.96.0.10. */
  readonly dnsIPs?: readonly string[];
  /** Answer TTL in seconds (default 5, CoreDNS's). */
  readonly ttl?: number;
  /** Resolvers for other names; default: the host's resolv.conf. */
  readonly upstreams?: readonly Upstream[];
}

export interface ClusterDns {
  readonly server: DnsServer;
  readonly handler: QueryHandler;
  readonly index: DnsIndex;
  stop(): Promise<void>;
}

/** The host's resolvers, without any that is this server itself (a forwarding loop). */
export function hostUpstreams(listen: readonly ListenAddress[], log: Logger): Upstream[] {
  const path = hostResolvConfPath();
  let servers: string[] = [];
  try {
    servers = [...parseResolvConf(readFileSync(path, "utf8")).nameservers];
  } catch (err) {
    log.warn("cannot read resolv.conf; names outside the cluster will fail", { path, err });
  }
  const self = (h: string) =>
    listen.some((l) => l.port === 53 && (l.host === h || l.host === "0.0.0.0"));
  const ups = servers.filter((h) => !self(h)).map((host) => ({ host, port: 53 }));
  if (ups.length === 0) log.warn("no upstream resolvers; names outside the cluster will fail");
  return ups;
}

async function labelNode(o: ClusterDnsOptions, value: string | null): Promise<void> {
  if (!o.nodeName) return;
  const path = resourcePath(resources.nodes, "", o.nodeName);
  await o.client.patch(path, "merge", { metadata: { labels: { [clusterDnsNodeLabel]: value } } });
}

export async function startClusterDns(o: ClusterDnsOptions): Promise<ClusterDns> {
  const log = o.log.with({ component: "dns" });
  const index = new DnsIndex(o.clock);
  const namespaces = o.informers.informer<Namespace>(resources.namespaces);
  const services = o.informers.informer<Service>(resources.services);
  const slices = o.informers.informer<EndpointSlice>(resources.endpointslices);
  namespaces.addHandlers({
    onAdd: (ns) => index.setNamespace(ns),
    onUpdate: (_, ns) => index.setNamespace(ns),
    onDelete: (ns) => index.deleteNamespace(ns),
  });
  services.addHandlers({
    onAdd: (s) => index.setService(s),
    onUpdate: (_, s) => index.setService(s),
    onDelete: (s) => index.deleteService(s),
  });
  slices.addHandlers({
    onAdd: (s) => index.setSlice(s),
    onUpdate: (_, s) => index.setSlice(s),
    onDelete: (s) => index.deleteSlice(s),
  });
  // Only these: other users of the shared informers must not hold DNS back.
  await waitForSync([namespaces, services, slices], o.signal);
  const upstreams = o.upstreams ?? hostUpstreams(o.listen, log);
  const forwarder = new Forwarder({ upstreams, clock: o.clock, log });
  const handler = new QueryHandler({
    index,
    zone: {
      zone: (o.clusterDomain ?? "cluster.local").toLowerCase().replace(/\.$/, ""),
      ttl: o.ttl ?? 5,
      dnsIPs: o.dnsIPs ?? ["10.96.0.10"],
    },
    forwarder,
    cache: new ResponseCache({ clock: o.clock }),
    log,
  });
  const server = new DnsServer({ handler, listen: o.listen, log });
  await server.start();
  let stopped = false;
  let retry: { cancel(): void } | undefined;
  const publish = (attempt: number) => {
    const port = server.addresses[0]?.port;
    if (stopped || port === undefined) return;
    labelNode(o, String(port)).catch((err: unknown) => {
      // The kubelet may not have registered the Node yet: try again.
      if (attempt % 10 === 0) log.warn("cannot label the node yet; retrying", { err });
      retry = o.clock.after(Math.min(500 * 2 ** attempt, 10_000), () => publish(attempt + 1));
    });
  };
  publish(0);
  log.info("cluster DNS serving", {
    domain: o.clusterDomain ?? "cluster.local",
    upstreams: upstreams.map((u) => u.host).join(","),
  });
  return {
    server,
    handler,
    index,
    async stop() {
      stopped = true;
      retry?.cancel();
      await labelNode(o, null).catch(() => {});
      await server.stop();
      forwarder.close();
    },
  };
}
