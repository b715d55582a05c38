/**
 * The API server: a TLS listener in front of the request pipeline, the catalog of registries over
 * one Store, start-up bootstrap (the standard namespaces) and a clean shutdown that ends watches.
 */

import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { MessageChannel, type MessagePort } from "node:worker_threads";
import type { KubeObject } from "../api/object.ts";
import type { ResourceDefinition } from "../api/resource.ts";
import { onAbort } from "../machinery/abort.ts";
import type { Clock } from "../machinery/clock.ts";
import type { Logger } from "../machinery/log.ts";
import { MetricsRegistry } from "../machinery/metrics.ts";
import { acceptUpgrades } from "../machinery/node-http.ts";
import { newMethodNotSupported } from "../machinery/status.ts";
import type { Store } from "../storage/store.ts";
import { AdmissionChain, type AdmissionPlugin } from "./admission/admission.ts";
import { certificateRequester } from "./admission/csr-requester.ts";
import { csrSignerPermissions } from "./admission/csr-signer-permissions.ts";
import { namespaceLifecycle } from "./admission/namespace-lifecycle.ts";
import { builtinAdmissionPlugins } from "./admission/plugins/index.ts";
import { rbacEscalation } from "./admission/rbac-escalation.ts";
import {
  mutatingWebhookAdmission,
  validatingWebhookAdmission,
} from "./admission/webhook/webhook-admission.ts";
import { type BearerOptions, bearerAuthenticator, type TokenLookups } from "./authn/bearer.ts";
import { defaultIssuer, TokenSigner } from "./authn/jwt.ts";
import { type LoopbackTokens, loopbackAuthenticator } from "./authn/loopback.ts";
import { type Authenticator, unionAuthenticator, x509Authenticator } from "./authn/x509.ts";
import type { Authorizer } from "./authz/authorizer.ts";
import { clusterAuthorization } from "./authz/cluster-authorizer.ts";
import { withPublicInfo } from "./authz/public-info.ts";
import { bootstrapObjects } from "./bootstrap.ts";
import { parseCached, WatchCache } from "./cache/watch-cache.ts";
import { Catalog } from "./catalog.ts";
import { ClusterReader } from "./cluster-reader.ts";
import { CrdController } from "./crd-controller.ts";
import { LeaseEndpointReconciler } from "./endpoint-reconciler.ts";
import { createApiHandler, type ExtraPath } from "./handler.ts";
import { type ComponentHealth, serveComponentStatuses } from "./handlers/component-status.ts";
import { serveApproval } from "./handlers/csr-approval.ts";
import type { KubeletClientConfig } from "./handlers/kubelet-connection.ts";
import { serveNodeProxy } from "./handlers/node-proxy.ts";
import { buildOpenAPIDocuments } from "./handlers/openapi.ts";
import { servePodConnect } from "./handlers/pod-connect.ts";
import { evictionHandler } from "./handlers/pod-eviction.ts";
import { servePodLog } from "./handlers/pod-log.ts";
import { serveBinding, serveFinalize } from "./handlers/pod-subresources.ts";
import { pathNotFound, type SubresourceHandler } from "./handlers/resource.ts";
import { serveTokenRequest } from "./handlers/token-request.ts";
import { type ChannelHandler, serveChannel } from "./http/channel.ts";
import { bootstrapRbac, runRoleAggregation } from "./rbac-bootstrap.ts";
import type { GenericRegistry } from "./registry/generic-registry.ts";
import { ServiceAllocator } from "./registry/service-allocator.ts";
import { ResourceMetricsCollector } from "./resource-metrics/collector.ts";
import { serveResourceMetrics } from "./resource-metrics/handler.ts";
import { versionInfo } from "./version.ts";

export interface ApiServerTls {
  readonly certPem: string;
  readonly keyPem: string;
  /** CA that signs client certificates. */
  readonly clientCaPem: string;
}

export interface ApiServerOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Logger;
  readonly tls: ApiServerTls;
  readonly bindAddress: string;
  readonly port: number;
  readonly resources: readonly ResourceDefinition[];
  /** Extra admission plugins, after the built-in ones (NamespaceLifecycle). */
  readonly admission?: readonly AdmissionPlugin[];
  /** The address other nodes and pods reach this API server at (the `kubernetes` Endpoints). */
  readonly advertiseAddress: string;
  readonly authenticator?: Authenticator;
  readonly authorizer?: Authorizer;
  readonly subresources?: Readonly<Record<string, SubresourceHandler>>;
  readonly watchBookmarkMs?: number;
  /** The service-account token key pair; without it bearer tokens are not accepted. */
  readonly serviceAccountKeys?: { readonly privateKeyPem: string; readonly publicKeyPem: string };
  /** The service-account token issuer (default https://kubernetes.default.svc.cluster.local). */
  readonly issuer?: string;
  /** Admission plugins to leave out by name (tests without a controller manager drop "ServiceAccount"). */
  readonly disabledAdmission?: readonly string[];
  /** DefaultTolerationSeconds admission (`--default-not-ready-toleration-seconds`, …; 300 each). */
  readonly defaultTolerationSeconds?: { readonly notReady?: number; readonly unreachable?: number };
  /** Serve lists and watches from per-resource watch caches (default true). */
  readonly watchCache?: boolean;
  /**
   * The client certificate for kubelets (`--kubelet-client-certificate`); with it the API server
   * serves pods/log, pods/exec, pods/attach, pods/portforward and nodes/proxy.
   */
  readonly kubeletClient?: KubeletClientConfig;
  /**
   * The store's health for the `etcd` check of /readyz and /healthz (a managed or external etcd
   * answers a linearizable read); without it the check always passes (SQLite, memory).
   */
  readonly storeHealth?: () => { readonly ok: boolean; readonly message?: string };
  /** Non-resource paths served by the composition root (the control-plane join bundle). */
  readonly extraPaths?: ReadonlyMap<string, ExtraPath>;
  /**
   * The tokens of this process's own components, which reach the server over in-process channels
   * (`openChannel`, ADR 29) and authenticate there with them (accepted on a channel only).
   */
  readonly loopback?: { readonly tokens: LoopbackTokens };
  /** The scheduler's and controller manager's health (`componentstatuses`), when this process runs them. */
  readonly controlPlaneHealth?: () => Promise<readonly ComponentHealth[]>;
}

export class ApiServer {
  readonly catalog: Catalog;
  readonly #options: ApiServerOptions;
  readonly #server: Server;
  /** The request pipeline, for the in-process channels too. */
  readonly #handler: ChannelHandler;
  readonly #channels = new Set<(graceMs?: number) => Promise<void>>();
  readonly #shutdown = new AbortController();
  readonly #caches = new Map<GenericRegistry, WatchCache>();
  readonly #cacheStops = new Map<GenericRegistry, AbortController>();
  /** Upgraded connections (exec, port-forward streams), closed on stop. */
  readonly #upgraded = new Set<Duplex>();
  readonly #endpoints: LeaseEndpointReconciler;
  readonly #resourceMetrics: ResourceMetricsCollector | undefined;
  #ready = false;

  constructor(options: ApiServerOptions) {
    this.#options = options;
    const allocator = new ServiceAllocator(options.store);
    const reader = new ClusterReader(() => this.catalog, this.#caches);
    const authorization = clusterAuthorization(reader);
    const authorizer = options.authorizer ?? authorization.authorizer;
    const builtins = builtinAdmissionPlugins({
      reader,
      ...(options.defaultTolerationSeconds
        ? { defaultTolerationSeconds: options.defaultTolerationSeconds }
        : {}),
    });
    const webhookLog = options.log.with({ component: "admission-webhook" });
    this.catalog = new Catalog({
      store: options.store,
      clock: options.clock,
      admission: new AdmissionChain(
        [
          namespaceLifecycle(
            () => this.catalog,
            (name) => this.#cachedNamespace(name),
          ),
          // Upstream runs the certificate and RBAC checks just before ResourceQuota.
          ...builtins.filter((p) => p.name !== "ResourceQuota"),
          certificateRequester,
          csrSignerPermissions(authorization.rbac),
          rbacEscalation(authorization.resolver, authorization.rbac),
          mutatingWebhookAdmission({ reader, log: webhookLog }),
          validatingWebhookAdmission({ reader, log: webhookLog }),
          ...builtins.filter((p) => p.name === "ResourceQuota"),
          ...(options.admission ?? []),
        ].filter((p) => !(options.disabledAdmission ?? []).includes(p.name)),
      ),
      resources: options.resources,
      hooksFor: (def) =>
        def.group === "" && def.plural === "services" ? allocator.hooks : undefined,
    });
    this.#endpoints = new LeaseEndpointReconciler({
      store: options.store,
      catalog: this.catalog,
      clock: options.clock,
      log: options.log.with({ component: "endpoint-reconciler" }),
      ip: options.advertiseAddress,
      port: options.port,
    });
    const metrics = new MetricsRegistry();
    const lookups = this.#tokenLookups();
    const issuer = options.issuer ?? defaultIssuer;
    const bearer: BearerOptions | undefined = options.serviceAccountKeys
      ? {
          lookups,
          publicKeyPem: options.serviceAccountKeys.publicKeyPem,
          issuer,
          audiences: [issuer],
          now: () => options.clock.now(),
        }
      : undefined;
    const signer = options.serviceAccountKeys
      ? new TokenSigner(options.serviceAccountKeys.privateKeyPem, issuer)
      : undefined;
    if (options.watchCache ?? true) {
      for (const registry of this.catalog.registries) {
        if (uncachedResource(registry)) continue;
        const pods = registry.definition.group === "" && registry.definition.plural === "pods";
        this.#caches.set(
          registry,
          new WatchCache({
            registry,
            log: options.log,
            ...(pods ? { indexFields: ["spec.nodeName"] } : {}),
          }),
        );
      }
      this.catalog.onChange(({ added, removed }) => {
        for (const registry of removed) {
          this.#cacheStops.get(registry)?.abort();
          this.#caches.delete(registry);
        }
        for (const registry of added) {
          if (!uncachedResource(registry)) {
            this.#startCache(new WatchCache({ registry, log: options.log }));
          }
        }
      });
    }
    this.#resourceMetrics = options.kubeletClient
      ? new ResourceMetricsCollector({
          reader,
          kubelet: options.kubeletClient,
          clock: options.clock,
          log: options.log.with({ component: "resource-metrics" }),
        })
      : undefined;
    const openapi = buildOpenAPIDocuments(this.catalog);
    const handler = createApiHandler({
      parts: {
        catalog: this.catalog,
        caches: this.#caches,
        clock: options.clock,
        log: options.log,
        shutdown: this.#shutdown.signal,
        watchBookmarkMs: options.watchBookmarkMs ?? 60_000,
      },
      nonResource: {
        version: versionInfo(),
        healthChecks: () => [
          { name: "ping", ok: true },
          { name: "etcd", ...(options.storeHealth?.() ?? { ok: true }) },
          { name: "poststarthook/bootstrap", ok: this.#ready },
        ],
        metrics: () => metrics.render(),
        openapi,
        serverAddress: `${options.bindAddress}:${options.port}`,
      },
      authenticator: unionAuthenticator([
        ...(options.loopback ? [loopbackAuthenticator(options.loopback.tokens)] : []),
        options.authenticator ??
          (bearer
            ? unionAuthenticator([bearerAuthenticator(bearer), x509Authenticator])
            : x509Authenticator),
      ]),
      authorizer: withPublicInfo(authorizer),
      ...(options.extraPaths ? { extraPaths: options.extraPaths } : {}),
      reviews: {
        bearer,
        authorizer,
        rules: { rulesFor: (user, ns) => authorization.rbac.subjectRulesReviewStatus(user, ns) },
      },
      metrics,
      virtualResources: virtualResources({
        store: options.store,
        reader,
        catalog: () => this.catalog,
        resourceMetrics: this.#resourceMetrics,
        controlPlaneHealth: options.controlPlaneHealth,
      }),
      subresources: {
        "pods/binding": serveBinding,
        "pods/eviction": evictionHandler(reader),
        "namespaces/finalize": serveFinalize,
        "certificatesigningrequests/approval": serveApproval,
        ...kubeletSubresources(options.kubeletClient),
        ...(signer
          ? {
              "serviceaccounts/token": (ctx, registry) =>
                serveTokenRequest(ctx, registry, {
                  signer,
                  lookups,
                  now: () => options.clock.now(),
                }),
            }
          : {}),
        ...options.subresources,
      },
    });
    this.#server = createServer(
      {
        cert: options.tls.certPem,
        key: options.tls.keyPem,
        ca: options.tls.clientCaPem,
        requestCert: true,
        rejectUnauthorized: false,
        ALPNProtocols: ["http/1.1"],
      },
      (req, res) => void handler(req, res),
    );
    this.#handler = handler;
    // Upgrade requests go through the same pipeline.
    acceptUpgrades(this.#server, this.#upgraded, (req, res, socket, head) => {
      socket.on("error", () => socket.destroy());
      void handler(req, res, { socket, head });
    });
    this.#server.keepAliveTimeout = 120_000;
    this.#server.headersTimeout = 125_000;
    this.#server.requestTimeout = 0;
  }

  /**
   * A new in-process channel to this server (ADR 29): the returned port is the client's end, for
   * an `ApiChannel` on this or another thread; this server serves the other end until either
   * closes.
   */
  openChannel(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    const stop = serveChannel(port1, this.#handler);
    this.#channels.add(stop);
    port1.once("close", () => this.#channels.delete(stop));
    return port2;
  }

  /** Listens, then creates the bootstrap objects; resolves once /readyz answers 200. */
  async start(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.#options.port, this.#options.bindAddress, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    await bootstrapObjects(this.catalog, this.#options.log, {
      advertiseAddress: this.#options.advertiseAddress,
      port: this.#options.port,
      caCertPem: this.#options.tls.clientCaPem,
    });
    await this.#endpoints.start();
    for (const cache of this.#caches.values()) this.#startCache(cache);
    await Promise.all([...this.#caches.values()].map((c) => c.waitFor(0, 10_000)));
    await bootstrapRbac(this.catalog, this.#options.log);
    const clusterRoles = this.catalog.lookup("rbac.authorization.k8s.io", "v1", "clusterroles");
    const roleCache = clusterRoles && this.#caches.get(clusterRoles);
    if (roleCache) {
      await roleCache.waitFor(0, 10_000);
      void runRoleAggregation(this.catalog, roleCache, this.#options.log, this.#shutdown.signal);
    }
    if (this.catalog.lookup("apiextensions.k8s.io", "v1", "customresourcedefinitions")) {
      const crds = new CrdController({
        catalog: this.catalog,
        clock: this.#options.clock,
        log: this.#options.log,
      });
      await crds.start(this.#shutdown.signal);
    }
    this.#ready = true;
    return this.#server.address() as AddressInfo;
  }

  get ready(): boolean {
    return this.#ready;
  }

  /** Token lookups: from the watch caches, else from the store. */
  #tokenLookups(): TokenLookups {
    return {
      get: async (resource, namespace, name) => {
        const registry = this.catalog.lookup("", "v1", resource);
        if (!registry) return undefined;
        const cached = this.#caches.get(registry)?.getByKey(registry.key(namespace, name));
        if (cached) return parseCached(cached);
        return registry.get(namespace, name).catch(() => undefined);
      },
    };
  }

  #cachedNamespace(name: string): KubeObject | undefined {
    const registry = this.catalog.lookup("", "v1", "namespaces");
    const cached = registry && this.#caches.get(registry)?.getByKey(registry.key("", name));
    // Read only (NamespaceLifecycle looks at it): the cache's one decoded copy, no parse per create.
    return cached ? WatchCache.objectOf(cached) : undefined;
  }

  #startCache(cache: WatchCache): void {
    cache.registry.readCurrentFrom((key) => {
      const cached = cache.getByKey(key);
      return cached && { modRevision: cached.revision, decode: () => parseCached(cached) };
    });
    const stop = new AbortController();
    onAbort(this.#shutdown.signal, () => stop.abort());
    this.#caches.set(cache.registry, cache);
    this.#cacheStops.set(cache.registry, stop);
    void cache.run(stop.signal);
  }

  /** Ends watches, stops accepting connections and waits for requests in flight. */
  async stop(): Promise<void> {
    this.#ready = false;
    // Leaving the kubernetes Endpoints at once is a courtesy: a store that does not answer (lost
    // quorum) must not hold the shutdown up; the lease then expires by itself.
    await Promise.race([this.#endpoints.stop(), new Promise((r) => setTimeout(r, 3_000).unref())]);
    this.#shutdown.abort();
    this.#resourceMetrics?.stop();
    for (const socket of this.#upgraded) socket.destroy();
    const server = this.#server;
    await Promise.all([
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5000).unref();
      }),
      ...[...this.#channels].map((stop) => stop(5000)),
    ]);
  }
}

/** The resources answered, not stored, other than the reviews (see `virtualResources`). */
function virtualResources(o: {
  store: Store;
  reader: ClusterReader;
  catalog: () => Catalog;
  resourceMetrics: ResourceMetricsCollector | undefined;
  controlPlaneHealth: (() => Promise<readonly ComponentHealth[]>) | undefined;
}): Record<string, SubresourceHandler> {
  const metrics: SubresourceHandler = (ctx) =>
    serveResourceMetrics(ctx, o.resourceMetrics, o.reader);
  return {
    // The legacy binding: the pod is named in the Binding, not the path.
    "/bindings": async (ctx, registry) => {
      const pods = o.catalog().lookup("", "v1", "pods");
      if (!pods) throw pathNotFound();
      if (ctx.info.verb !== "create") {
        throw newMethodNotSupported(registry.groupResource, ctx.info.method.toUpperCase());
      }
      await serveBinding(ctx, pods);
    },
    "/componentstatuses": (ctx, registry) =>
      serveComponentStatuses(ctx, registry, async () => [
        ...((await o.controlPlaneHealth?.()) ?? [
          { name: "scheduler", healthy: false, error: "not run by this server" },
          { name: "controller-manager", healthy: false, error: "not run by this server" },
        ]),
        await storeHealth(o.store),
      ]),
    "metrics.k8s.io/nodes": metrics,
    "metrics.k8s.io/pods": metrics,
  };
}

/** The datastore as upstream names it (`etcd-0`), healthy when it answers a revision read. */
async function storeHealth(store: Store): Promise<ComponentHealth> {
  try {
    await store.currentRevision();
    return { name: "etcd-0", healthy: true, message: "ok" };
  } catch (err) {
    return { name: "etcd-0", healthy: false, error: (err as Error).message };
  }
}

/** The subresources served by a kubelet, when the API server has a kubelet client certificate. */
function kubeletSubresources(
  kubelet: KubeletClientConfig | undefined,
): Record<string, SubresourceHandler> {
  if (!kubelet) return {};
  const connect: SubresourceHandler = (ctx, pods) => servePodConnect(ctx, pods, kubelet);
  return {
    "pods/log": (ctx, pods) => servePodLog(ctx, pods, kubelet),
    "pods/exec": connect,
    "pods/attach": connect,
    "pods/portforward": connect,
    "nodes/proxy": (ctx, nodes) => serveNodeProxy(ctx, nodes, kubelet),
  };
}

/**
 * Resources served from the Store, not a watch cache: events, as upstream's default
 * (`DefaultWatchCacheSizes`). They are written once or twice, read rarely, and are the most
 * written resource of a busy cluster; the events.k8s.io cache even decoded and converted every
 * core Event to keep its copy.
 */
function uncachedResource(registry: GenericRegistry): boolean {
  const { group, plural } = registry.definition;
  return plural === "events" && (group === "" || group === "events.k8s.io");
}
