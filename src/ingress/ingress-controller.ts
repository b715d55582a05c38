/**
 * The built-in ingress controller on one node, as the agent runs it: informers over Ingresses,
 * IngressClasses, Services, EndpointSlices and Secrets; the routing table and the certificates
 * rebuilt when Ingresses, classes or Secrets change (coalesced to one rebuild per event-loop
 * turn); an HTTP and an HTTPS (SNI) server in front of the proxy. Once serving, the node is
 * labelled `bosun.dev/ingress=true`; the controller manager then lists the addresses of such
 * nodes in the status of every Ingress of class `bosun`.
 */
import type { Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type {
  EndpointSlice,
  Ingress,
  IngressClass,
  Secret,
  Service,
} from "../api/generated/types.ts";
import { Informer, keyOf, waitForSync } from "../client/informer.ts";
import type { InformerFactory } from "../client/informer-factory.ts";
import { type GroupVersionResource, resourcePath, resources } from "../client/resources.ts";
import type { RestClient } from "../client/rest-client.ts";
import type { Clock } from "../machinery/clock.ts";
import type { Logger } from "../machinery/log.ts";
import { createServer as createHttpServer } from "../machinery/node-http.ts";
import { type BackendSource, resolveBackend } from "./backends.ts";
import { CertificateStore, defaultCertificate, type KeyPair } from "./certificates.ts";
import { IngressProxy } from "./http-proxy.ts";
import { ingressNodeLabel, isOurIngress, ourClasses } from "./ingress-class.ts";
import { buildRouteTable, matchRoute, type RouteTable } from "./routes.ts";

export const ingressResource: GroupVersionResource = {
  group: "networking.k8s.io",
  version: "v1",
  resource: "ingresses",
  namespaced: true,
};
export const ingressClassResource: GroupVersionResource = {
  group: "networking.k8s.io",
  version: "v1",
  resource: "ingressclasses",
  namespaced: false,
};

export interface IngressControllerOptions {
  readonly client: RestClient;
  readonly informers: InformerFactory;
  readonly clock: Clock;
  readonly log: Logger;
  /** Aborting it while the controller waits for its informers gives up the start (rejects). */
  readonly signal?: AbortSignal;
  /** The node this runs on; labelled once serving (omit to not publish). */
  readonly nodeName?: string;
  /** Default 0.0.0.0. */
  readonly host?: string;
  /** Default 80 and 443; 0 picks a free port (tests). */
  readonly httpPort?: number;
  readonly httpsPort?: number;
  /** The certificate for names without one; default: self-signed, made at start. */
  readonly defaultCertificate?: KeyPair;
}

export interface RunningIngress {
  readonly proxy: IngressProxy;
  readonly httpPort: number;
  readonly httpsPort: number;
  stop(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startIngressController(o: IngressControllerOptions): Promise<RunningIngress> {
  const log = o.log.with({ component: "ingress" });
  const inf = o.informers;
  const ingresses = inf.informer<Ingress>(ingressResource);
  const classes = inf.informer<IngressClass>(ingressClassResource);
  const services = inf.informer<Service>(resources.services);
  const slices = inf.informer<EndpointSlice>(resources.endpointslices);
  // Only TLS Secrets, and not through the shared factory: a node may be allowed to read those
  // alone, and TLS must not hold the routes back while they load.
  const secretsStop = new AbortController();
  const secrets = new Informer<Secret>({
    client: o.client,
    resource: resources.secrets,
    fieldSelector: "type=kubernetes.io/tls",
    log,
  });

  const slicesByService = new Map<string, Map<string, EndpointSlice>>();
  const serviceOf = (s: EndpointSlice) =>
    `${s.metadata?.namespace}/${s.metadata?.labels?.["kubernetes.io/service-name"] ?? ""}`;
  const putSlice = (s: EndpointSlice) => {
    let m = slicesByService.get(serviceOf(s));
    if (!m) {
      m = new Map();
      slicesByService.set(serviceOf(s), m);
    }
    m.set(keyOf(s), s);
  };
  const dropSlice = (s: EndpointSlice) => {
    const m = slicesByService.get(serviceOf(s));
    m?.delete(keyOf(s));
    if (m?.size === 0) slicesByService.delete(serviceOf(s));
  };
  slices.addHandlers({
    onAdd: putSlice,
    onUpdate: (old, s) => {
      dropSlice(old);
      putSlice(s);
    },
    onDelete: dropSlice,
  });

  const defaultPair = o.defaultCertificate ?? defaultCertificate();
  const certs = new CertificateStore(defaultPair, log);
  let table: RouteTable = buildRouteTable([]);
  let pending = false;
  const rebuild = () => {
    if (pending) return;
    pending = true;
    setImmediate(() => {
      pending = false;
      const ours = ourClasses(classes.list());
      const served = ingresses.list().filter((i) => isOurIngress(i, ours));
      table = buildRouteTable(served);
      certs.update(served, (ns, name) => secrets.get(ns, name));
      log.debug("routes rebuilt", { ingresses: served.length });
    });
  };
  const onChange = { onAdd: rebuild, onUpdate: rebuild, onDelete: rebuild };
  ingresses.addHandlers(onChange);
  classes.addHandlers(onChange);
  secrets.addHandlers(onChange);
  void secrets.run(secretsStop.signal);
  // Until the controller serves, a failure (or a stop) must not leave the Secrets informer or a
  // listening socket behind.
  const servers: Array<{ close(): unknown }> = [];
  const giveUp = (err: unknown) => {
    secretsStop.abort();
    for (const s of servers) s.close();
    throw err;
  };
  await waitForSync([ingresses, classes, services, slices], o.signal).catch(giveUp);
  rebuild();
  await new Promise((r) => setImmediate(r));

  const source: BackendSource = {
    service: (ns, name) => services.get(ns, name),
    slices: (ns, name) => [...(slicesByService.get(`${ns}/${name}`)?.values() ?? [])],
  };
  const proxy = new IngressProxy({
    router: {
      route: (host, path) => matchRoute(table, host, path),
      resolve: (ref) => resolveBackend(source, ref),
    },
    log,
  });
  const host = o.host ?? "0.0.0.0";
  const http = createHttpServer(proxy.handleRequest);
  // Clients that send no SNI (those dialing an address) never reach SNICallback: the server's own
  // pair answers them, as other controllers' default certificate does.
  const https = createHttpsServer(
    { SNICallback: certs.sniCallback, cert: defaultPair.certPem, key: defaultPair.keyPem },
    proxy.handleRequest,
  );
  for (const s of [http, https]) s.on("upgrade", proxy.handleUpgrade);
  servers.push(http, https);
  const httpPort = await listen(http, o.httpPort ?? 80, host).catch(giveUp);
  const httpsPort = await listen(https, o.httpsPort ?? 443, host).catch(giveUp);
  log.info("ingress serving", { host, httpPort, httpsPort });

  const labelPath = o.nodeName ? resourcePath(resources.nodes, "", o.nodeName) : undefined;
  const label = (value: string | null) =>
    labelPath
      ? o.client.patch(labelPath, "merge", { metadata: { labels: { [ingressNodeLabel]: value } } })
      : Promise.resolve();
  let stopped = false;
  let retry: { cancel(): void } | undefined;
  const publish = (attempt: number) => {
    if (stopped) return;
    label("true").catch((err: unknown) => {
      if (attempt % 10 === 0) log.warn("cannot label the node yet; retrying", { err });
      retry = o.clock.after(Math.min(500 * 2 ** attempt, 10_000), () => publish(attempt + 1));
    });
  };
  publish(0);

  return {
    proxy,
    httpPort,
    httpsPort,
    async stop() {
      stopped = true;
      retry?.cancel();
      await label(null).catch(() => {});
      for (const s of [http, https]) s.closeAllConnections();
      await Promise.all([http, https].map((s) => new Promise((r) => s.close(r))));
      proxy.close();
      secretsStop.abort();
    },
  };
}
