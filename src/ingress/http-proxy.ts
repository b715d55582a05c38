/**
 * The reverse proxy: a request is routed by Host and path, its backend resolved to endpoints, and
 * forwarded to one of them with the `X-Forwarded-*` headers (and `X-Real-IP`). A connection that
 * fails before anything was sent is retried on the next endpoint (at most 3 tries); the request
 * body is only streamed once the backend connection is up. Upgrades (WebSocket) are passed through
 * as raw byte streams after the same routing. Answers of its own: 404 (no route), 503 (no
 * endpoints or no such service), 502 (every endpoint failed), 504 (a backend timed out).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { connect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { TLSSocket } from "node:tls";
import type { Logger } from "../machinery/log.ts";
import { Agent, request } from "../machinery/node-http.ts";
import { type Resolved, RoundRobin, type Target } from "./backends.ts";
import { type BackendRef, requestHost } from "./routes.ts";

export interface Router {
  route(host: string, path: string): BackendRef | undefined;
  resolve(ref: BackendRef): Resolved;
}

export interface ProxyOptions {
  readonly router: Router;
  readonly log: Logger;
  /** Connect and response-header timeout per try (default 10 s, 60 s for responses). */
  readonly connectTimeoutMs?: number;
  readonly responseTimeoutMs?: number;
}

const hopByHop = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

const maxTries = 3;

function forwardedHeaders(
  req: IncomingMessage,
  keepUpgrade: boolean,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const listed = new Set(
    String(req.headers.connection ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    if (
      (hopByHop.has(k) || listed.has(k)) &&
      !(keepUpgrade && (k === "upgrade" || k === "connection"))
    ) {
      continue;
    }
    out[k] = v;
  }
  const socket = req.socket;
  const client = (socket.remoteAddress ?? "").replace(/^::ffff:/, "");
  const tls = socket instanceof TLSSocket;
  const prior = req.headers["x-forwarded-for"];
  out["x-forwarded-for"] = prior ? `${prior}, ${client}` : client;
  out["x-forwarded-host"] = req.headers.host ?? "";
  out["x-forwarded-proto"] = tls ? "https" : "http";
  out["x-forwarded-port"] = String(socket.localPort ?? "");
  out["x-real-ip"] = client;
  if (keepUpgrade) {
    out.connection = "Upgrade";
    out.upgrade = String(req.headers.upgrade ?? "");
  }
  return out;
}

function plain(res: ServerResponse, code: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(code, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

const messages: Record<number, string> = {
  404: "404 page not found\n",
  502: "502 Bad Gateway\n",
  503: "503 Service Unavailable\n",
  504: "504 Gateway Timeout\n",
};

export class IngressProxy {
  readonly #o: ProxyOptions;
  readonly #agent = new Agent({ keepAlive: true, maxFreeSockets: 256 });
  readonly #rr = new RoundRobin();
  readonly stats = { requests: 0, retries: 0, notFound: 0, unavailable: 0, badGateway: 0 };

  constructor(o: ProxyOptions) {
    this.#o = o;
  }

  /** The targets for a request, in the order to try, or the status to answer with. */
  #targets(req: IncomingMessage): { targets: Target[]; ref: BackendRef } | number {
    const host = requestHost(req.headers.host);
    const path = (req.url ?? "/").split("?")[0]!;
    const ref = this.#o.router.route(host, path);
    if (!ref) return 404;
    const resolved = this.#o.router.resolve(ref);
    if (resolved.kind !== "targets") return 503;
    const key = `${ref.namespace}/${ref.service}:${ref.port}`;
    return { targets: this.#rr.order(key, resolved.targets).slice(0, maxTries), ref };
  }

  /** `request` handler of the HTTP and HTTPS servers. */
  readonly handleRequest = (req: IncomingMessage, res: ServerResponse): void => {
    this.stats.requests++;
    const found = this.#targets(req);
    if (typeof found === "number") {
      if (found === 404) this.stats.notFound++;
      else this.stats.unavailable++;
      plain(res, found, messages[found]!);
      return;
    }
    this.#try(req, res, found.targets, 0);
  };

  #try(req: IncomingMessage, res: ServerResponse, targets: Target[], i: number): void {
    const target = targets[i]!;
    let connected = false;
    const up = request({
      host: target.host,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: forwardedHeaders(req, false),
      agent: this.#agent,
      timeout: this.#o.connectTimeoutMs ?? 10_000,
    });
    const onConnected = () => {
      if (connected) return;
      connected = true;
      up.setTimeout(this.#o.responseTimeoutMs ?? 60_000);
      req.pipe(up);
    };
    up.on("socket", (s: Socket) => {
      if (s.connecting) s.once("connect", onConnected);
      else onConnected();
    });
    up.on("timeout", () =>
      up.destroy(Object.assign(new Error("backend timed out"), { code: "ETIMEDOUT" })),
    );
    up.on("response", (upRes) => {
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(upRes.headers)) {
        if (v !== undefined && !hopByHop.has(k)) headers[k] = v;
      }
      res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, headers);
      upRes.pipe(res);
      upRes.on("error", () => res.destroy());
    });
    up.on("error", (err: NodeJS.ErrnoException) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const retriable = !connected || (up.reusedSocket && req.readableEnded && !hasBody(req));
      if (retriable && i + 1 < targets.length) {
        this.stats.retries++;
        this.#o.log.debug("backend connect failed; trying the next endpoint", {
          target: `${target.host}:${target.port}`,
          err,
        });
        this.#try(req, res, targets, i + 1);
        return;
      }
      const code = err.code === "ETIMEDOUT" && connected ? 504 : 502;
      this.stats.badGateway++;
      this.#o.log.warn("backend failed", { target: `${target.host}:${target.port}`, err });
      plain(res, code, messages[code]!);
    });
    res.on("close", () => {
      if (!res.writableFinished) up.destroy();
    });
  }

  /** `upgrade` handler: route, connect, replay the request head, then splice the streams. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.stats.requests++;
    const found = this.#targets(req);
    if (typeof found === "number") {
      socket.end(
        `HTTP/1.1 ${found} ${found === 404 ? "Not Found" : "Service Unavailable"}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`,
      );
      return;
    }
    const headers = forwardedHeaders(req, true);
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (const [k, v] of Object.entries(headers)) {
      for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${one}`);
    }
    const preamble = `${lines.join("\r\n")}\r\n\r\n`;
    let up: Socket | undefined;
    socket.on("error", () => up?.destroy());
    socket.on("close", () => up?.destroy());
    const attempt = (i: number) => {
      const t = found.targets[i]!;
      let connected = false;
      const conn = connect(t.port, t.host);
      up = conn;
      conn.once("connect", () => {
        connected = true;
        conn.write(preamble);
        if (head.length > 0) conn.write(head);
        conn.pipe(socket);
        socket.pipe(conn);
      });
      conn.on("error", () => {
        if (!connected && i + 1 < found.targets.length && !socket.destroyed) {
          this.stats.retries++;
          attempt(i + 1);
          return;
        }
        if (!connected) {
          socket.end("HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
          return;
        }
        socket.destroy();
      });
      conn.on("close", () => {
        if (connected) socket.destroy();
      });
    };
    attempt(0);
  };

  close(): void {
    this.#agent.destroy();
  }
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0"
    ? true
    : req.headers["transfer-encoding"] !== undefined;
}
