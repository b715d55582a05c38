/**
 * The kubelet's HTTPS API (upstream `pkg/kubelet/server/server.go`), on port 10250 by default:
 * every request is authenticated (client certificate or bearer token) and authorized (`nodes/…`)
 * through the API server, then routed:
 *
 *   GET  /healthz                                      ok
 *   GET  /pods                                         the pods bound to this node (PodList)
 *   GET  /runningpods/                                 the pods with running containers
 *   GET  /containerLogs/{ns}/{pod}/{container}         a container's log (follow, tail, since…)
 *   GET|POST /exec/{ns}/{pod}[/{uid}]/{container}      upgrade: exec (WebSocket or SPDY)
 *   GET|POST /attach/{ns}/{pod}[/{uid}]/{container}    upgrade: attach
 *   GET|POST /portForward/{ns}/{pod}[/{uid}]           upgrade: port-forward
 *
 * The API server reaches it for `pods/log`, `pods/exec`, `pods/attach`, `pods/portforward` and
 * `nodes/proxy`, with its kubelet client certificate.
 */
import type { IncomingMessage } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { type Clock, realClock } from "../../machinery/clock.ts";
import type { Logger } from "../../machinery/log.ts";
import { acceptUpgrades, type ServerResponse } from "../../machinery/node-http.ts";
import { forbiddenMessage, type KubeletAuth } from "./auth.ts";
import { serveContainerLogs, writeText } from "./container-logs.ts";
import type { KubeletHost } from "./host.ts";
import { requestAttributes } from "./request-attributes.ts";
import { readNodeUsage, renderResourceMetrics } from "./resource-metrics.ts";
import { serveExecOrAttach, servePortForward } from "./stream-handlers.ts";

export interface KubeletServerOptions {
  readonly host: KubeletHost;
  readonly auth: KubeletAuth;
  readonly tls: { readonly certPem: string; readonly keyPem: string; readonly clientCaPem: string };
  readonly address: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly clock?: Clock;
  readonly log: Logger;
}

interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Set for upgrade requests: the raw connection and the bytes read past the headers. */
  readonly upgrade?: { readonly socket: Duplex; readonly head: Buffer };
}

export class KubeletServer {
  readonly #o: KubeletServerOptions;
  readonly #server: Server;
  readonly #clock: Clock;
  readonly #upgraded = new Set<Duplex>();

  constructor(options: KubeletServerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
    this.#server = createServer(
      {
        cert: options.tls.certPem,
        key: options.tls.keyPem,
        ca: options.tls.clientCaPem,
        requestCert: true,
        rejectUnauthorized: false,
        ALPNProtocols: ["http/1.1"],
      },
      (req, res) => void this.#handle({ req, res }),
    );
    acceptUpgrades(this.#server, this.#upgraded, (req, res, socket, head) => {
      void this.#handle({ req, res, upgrade: { socket, head } });
    });
    this.#server.requestTimeout = 0;
  }

  async start(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.#o.port, this.#o.address, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    const address = this.#server.address() as AddressInfo;
    this.#o.log.info("kubelet server listening", { address: address.address, port: address.port });
    return address;
  }

  async stop(): Promise<void> {
    for (const s of this.#upgraded) s.destroy();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(x: Exchange): Promise<void> {
    const url = new URL(x.req.url ?? "/", "https://kubelet");
    const path = url.pathname;
    const { host, auth, log } = this.#o;
    try {
      const user = await auth.authenticate(x.req);
      if (!user) return writeText(x.res, 401, "Unauthorized");
      const attrs = requestAttributes(x.req.method ?? "GET", path, host.nodeName);
      const decision = await auth.authorize(user, attrs);
      if (!decision.allowed) {
        log.debug("kubelet request forbidden", {
          user: user.username,
          path,
          reason: decision.reason,
        });
        return writeText(x.res, 403, forbiddenMessage(user, attrs[attrs.length - 1]!));
      }
      await this.#route(x, url);
    } catch (err) {
      log.warn("kubelet request failed", { path, err });
      if (!x.res.headersSent) writeText(x.res, 500, (err as Error).message);
      else x.res.destroy();
    }
  }

  async #route(x: Exchange, url: URL): Promise<void> {
    const { host, log } = this.#o;
    const segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const [root = "", ...rest] = segments;
    const method = x.req.method ?? "GET";
    const stream = (upgrade: NonNullable<Exchange["upgrade"]>) => ({
      req: x.req,
      socket: upgrade.socket,
      head: upgrade.head,
      query: url.searchParams,
      host,
      log,
    });
    switch (root) {
      case "healthz":
        return writeText(x.res, 200, "ok");
      case "metrics":
        if (rest.length === 1 && rest[0] === "resource" && method === "GET") {
          const [node, stats] = await Promise.all([
            readNodeUsage(this.#clock.now()),
            host.containers.containerStats(),
          ]);
          const text = renderResourceMetrics(node, stats, host.pods());
          x.res.writeHead(200, {
            "Content-Type": "text/plain; version=0.0.4; charset=utf-8",
            "Content-Length": Buffer.byteLength(text),
          });
          x.res.end(text);
          return;
        }
        break;
      case "pods":
        return this.#json(x.res, podList(host.pods()));
      case "runningpods":
        return this.#json(x.res, podList(host.pods().filter(hasRunningContainer).map(runningPod)));
      case "containerLogs":
        if (rest.length === 3 && method === "GET") {
          const [namespace, pod, container] = rest as [string, string, string];
          return serveContainerLogs({
            ...x,
            query: url.searchParams,
            namespace,
            pod,
            container,
            host,
            clock: this.#clock,
            log,
          });
        }
        break;
      case "exec":
      case "attach":
        if ((rest.length === 3 || rest.length === 4) && (method === "GET" || method === "POST")) {
          if (!x.upgrade) return writeText(x.res, 500, "Upgrade request required");
          const [namespace, pod] = rest as [string, string];
          const container = rest[rest.length - 1]!;
          const uid = rest.length === 4 ? rest[2] : undefined;
          return serveExecOrAttach(stream(x.upgrade), root, {
            namespace,
            pod,
            container,
            ...(uid ? { uid } : {}),
          });
        }
        break;
      case "portForward":
        if ((rest.length === 2 || rest.length === 3) && (method === "GET" || method === "POST")) {
          if (!x.upgrade) return writeText(x.res, 500, "Upgrade request required");
          const [namespace, pod, uid] = rest as [string, string, string | undefined];
          return servePortForward(stream(x.upgrade), { namespace, pod, ...(uid ? { uid } : {}) });
        }
        break;
    }
    writeText(x.res, 404, "404 page not found\n");
  }

  #json(res: ServerResponse, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(200, {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(text),
    });
    res.end(text);
  }
}

type PodLike = ReturnType<KubeletHost["pods"]>[number];

function podList(items: readonly unknown[]) {
  return { kind: "PodList", apiVersion: "v1", metadata: {}, items };
}

function hasRunningContainer(pod: PodLike): boolean {
  return (pod.status?.containerStatuses ?? []).some((c) => c.state?.running);
}

/** What upstream's `/runningpods/` shows: the pod's identity and its running containers. */
function runningPod(pod: PodLike) {
  const running = new Set(
    (pod.status?.containerStatuses ?? []).filter((c) => c.state?.running).map((c) => c.name),
  );
  return {
    metadata: {
      name: pod.metadata?.name,
      namespace: pod.metadata?.namespace,
      uid: pod.metadata?.uid,
    },
    spec: {
      containers: (pod.spec?.containers ?? [])
        .filter((c) => running.has(c.name))
        .map((c) => ({ name: c.name, image: c.image, resources: {} })),
    },
    status: {},
  };
}
