/**
 * The REST client every component uses to reach the API server (components meet only through
 * the API, even inside one process): JSON over HTTPS with keep-alive, client certificates or
 * bearer tokens, Status errors as `StatusError`, and watches as async iterables.
 *
 * With a `ServerPool` in its config the client fails over between API servers (ADR 21): a request
 * that could not reach its server — no connection, no TLS handshake — marks it dead and goes to
 * the next live one whatever its verb; a GET or HEAD is also sent again when its connection broke
 * later; any other verb that may have reached the server is never sent twice (its caller sees the
 * error, as with one server).
 * New watches open on the current live server; a server going down closes this client's
 * connections to it, so open watches end and their informers re-watch elsewhere.
 */
import type {
  ClientRequest,
  RequestOptions as HttpRequestOptions,
  IncomingMessage,
} from "node:http";
import { Agent, request } from "node:https";
import { StringDecoder } from "node:string_decoder";
import type { TLSSocket } from "node:tls";
import { createSecureContext } from "node:tls";
import { newGenericServerResponse } from "../machinery/generic-response.ts";
import { type Status, StatusError, statusErrorFromStatus } from "../machinery/status.ts";
import { type ApiChannel, ChannelError } from "./api-channel.ts";
import type { ServerPool } from "./failover.ts";
import { loadKubeconfig } from "./kubeconfig-file.ts";
import { LineSplitter } from "./line-splitter.ts";

export interface ClientConfig {
  /** https://host:port */
  readonly server: string;
  readonly caPem: string;
  readonly certPem?: string;
  readonly keyPem?: string;
  readonly token?: string;
  readonly userAgent?: string;
  /** Deadline of ordinary requests (not watches). */
  readonly timeoutMs?: number;
  /** The API servers to fail over between (`server` is then the pool's seed). */
  readonly servers?: ServerPool;
  /** With `servers`: how long a new connection may take before the next server is tried. */
  readonly connectTimeoutMs?: number;
  /** How long a kept-alive connection may sit idle before the client closes it (90 s). */
  readonly idleTimeoutMs?: number;
  /**
   * A component inside `bosun server` (ADR 29): requests for `server` (the local API server) go
   * over the in-process channel with this bearer token instead of over TLS; other servers of the
   * pool are still reached over HTTPS with the client certificate.
   */
  readonly loopback?: {
    readonly server: string;
    readonly channel: ApiChannel;
    readonly token: string;
  };
}

/** Where a request goes: a server's URL and its two pools, or the local server's channel. */
interface Target {
  readonly server: string;
  readonly url: URL;
  readonly agents: [Agent, Agent] | undefined;
  /** The in-process channel and its token, when the target is the local API server. */
  readonly channel?: { readonly port: ApiChannel; readonly token: string };
}

export type PatchType = "merge" | "json" | "strategic" | "apply";

const patchContentTypes: Record<PatchType, string> = {
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

export interface RequestOptions {
  readonly query?: Record<string, string | number | boolean | undefined>;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
  /** The caller has no use for a successful response's body: it is read but not parsed. */
  readonly discardResponse?: boolean;
}

export interface WatchEvent<T> {
  readonly type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  readonly object: T;
}

/**
 * Reads a kubeconfig file (the current context's cluster and user, data embedded or by path);
 * malformed files give a one-line error (kubeconfig-file.ts).
 */
export function configFromKubeconfig(path: string, userAgent = "bosun"): ClientConfig {
  return loadKubeconfig(path, userAgent);
}

/** A watch's answer: its status and the chunks of its body. */
interface WatchResponse {
  readonly status: number;
  readonly chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;
}

/** A body as text (a channel's answer may be either). */
const utf8 = (body: string | Uint8Array | undefined): string =>
  body === undefined
    ? ""
    : typeof body === "string"
      ? body
      : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");

/** Errors of requests that never reached the server: safe to send elsewhere, whatever the verb. */
const notSent = new WeakSet<object>();
const idempotent = new Set(["GET", "HEAD"]);

export class RestClient {
  #config: ClientConfig;
  /**
   * Per server: its URL, parsed once, the request pool and, since watches hold a connection each
   * for minutes, theirs (for the local server: its channel and token).
   */
  #targets = new Map<string, Target>();
  #unsubscribe: (() => void) | undefined;

  constructor(config: ClientConfig) {
    this.#config = config;
    this.#unsubscribe = config.servers?.onDown((server) => this.#dropAgents(server));
  }

  /** Fails over between the pool's servers from now on (a client made before the pool was). */
  useServers(pool: ServerPool): void {
    this.#unsubscribe?.();
    this.#config = { ...this.#config, servers: pool };
    this.#unsubscribe = pool.onDown((server) => this.#dropAgents(server));
  }

  get config(): ClientConfig {
    return this.#config;
  }

  /**
   * Replaces the client certificate (a kubelet's certificate rotation). Open connections are
   * closed, so requests in flight fail and watches reconnect with the new certificate, as
   * upstream's kubelet does after a rotation.
   */
  setClientCertificate(certPem: string, keyPem: string): void {
    this.#config = { ...this.#config, certPem, keyPem };
    for (const server of [...this.#targets.keys()]) this.#dropAgents(server);
  }

  #dropAgents(server: string): void {
    const agents = this.#targets.get(server)?.agents;
    this.#targets.delete(server);
    for (const agent of agents ?? []) agent.destroy();
  }

  /** The server to send to and its agents. */
  #target(): Target {
    const server = this.#config.servers?.current() ?? this.#config.server;
    let target = this.#targets.get(server);
    if (!target) {
      const loopback = this.#config.loopback?.server === server ? this.#config.loopback : undefined;
      const url = new URL(server);
      target = loopback
        ? {
            server,
            url,
            agents: undefined,
            channel: { port: loopback.channel, token: loopback.token },
          }
        : { server, url, agents: agentsFor(this.#config) };
      this.#targets.set(server, target);
    }
    return target;
  }

  /** A request to `target` over TLS, to its host and port. */
  #open(
    target: Target,
    options: HttpRequestOptions,
    onResponse: (res: IncomingMessage) => void,
  ): ClientRequest {
    return request(
      { ...options, host: target.url.hostname, port: target.url.port || 443 },
      onResponse,
    );
  }

  /**
   * Whether to send again after `err`. A server that could not be connected to is reported dead
   * (the next attempt goes elsewhere); a connection that broke later is not enough to say so (a
   * keep-alive connection the server closed as it was reused looks the same), the probes decide.
   */
  #failover(err: unknown, server: string, method: string, attempt: number): boolean {
    const pool = this.#config.servers;
    if (!pool || !isNetworkError(err)) return false;
    if (err instanceof ChannelError && !err.sent) notSent.add(err);
    const unreachable = notSent.has(err as object);
    if (unreachable) pool.reportFailure(server);
    const safe = unreachable || idempotent.has(method);
    // Every server once, plus once more for a stale keep-alive connection.
    return safe && attempt < pool.size;
  }

  /**
   * Marks errors of `req` that happen before its TLS handshake completed (nothing was sent), and
   * with a pool gives up on a connection that does not open within connectTimeoutMs of the
   * request getting its socket (a request queued for one of the agent's sockets is not late).
   */
  #trackConnect(req: ClientRequest): void {
    let connected = false;
    let timer: NodeJS.Timeout | undefined;
    req.on("socket", (socket) => {
      // A keep-alive connection is open already, whether the agent marks it reused or hands it
      // from its free pool to a queued request (not marked): its handshake was verified.
      if (req.reusedSocket || (socket as TLSSocket).authorized) {
        connected = true;
        return;
      }
      const onSecure = () => {
        connected = true;
        clearTimeout(timer);
      };
      socket.once("secureConnect", onSecure);
      req.once("close", () => socket.removeListener("secureConnect", onSecure));
      if (!this.#config.servers) return;
      timer = setTimeout(() => {
        if (!connected) req.destroy(connectTimeout());
      }, this.#config.connectTimeoutMs ?? 3_000);
      timer.unref();
    });
    req.once("close", () => clearTimeout(timer));
    req.prependListener("error", (err) => {
      if (!connected) notSent.add(err);
    });
  }

  #path(path: string, query: RequestOptions["query"]): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return qs ? `${path}?${qs}` : path;
  }

  #headers(target: Target, contentType: string | undefined): Record<string, string> {
    const token = target.channel ? target.channel.token : this.config.token;
    return {
      Accept: "application/json",
      "User-Agent": this.#config.userAgent ?? "bosun",
      ...(contentType ? { "Content-Type": contentType } : {}),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    };
  }

  /** Sends a request; resolves with the parsed JSON body, throws StatusError for non-2xx. */
  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<T> {
    const body =
      options.body === undefined
        ? undefined
        : typeof options.body === "string"
          ? options.body
          : JSON.stringify(options.body);
    for (let attempt = 0; ; attempt++) {
      const target = this.#target();
      try {
        return await this.#send<T>(target, method, path, body, options);
      } catch (err) {
        if (options.signal?.aborted || !this.#failover(err, target.server, method, attempt)) {
          throw err;
        }
      }
    }
  }

  #send<T>(
    target: Target,
    method: string,
    path: string,
    body: string | undefined,
    options: RequestOptions,
  ): Promise<T> {
    const contentType =
      body === undefined ? undefined : (options.contentType ?? "application/json");
    const headers = this.#headers(target, contentType);
    const timeoutMs = this.config.timeoutMs ?? 30_000;
    const settle = (code: number, text: () => string): T => {
      if (code >= 200 && code < 300) {
        if (options.discardResponse) return undefined as T;
        const json = text();
        try {
          return (json ? JSON.parse(json) : undefined) as T;
        } catch (err) {
          // A 2xx that is not JSON (`/readyz` says "ok") fails this call, not the process.
          throw new Error(`${method} ${path}: response is not JSON`, { cause: err });
        }
      }
      throw errorFromResponse(code, text(), method, path);
    };
    if (target.channel) {
      return target.channel.port
        .request(method, this.#path(path, options.query), {
          headers,
          ...(body !== undefined ? { body } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          timeoutMs,
        })
        .then((answer) => settle(answer.status, () => utf8(answer.body)));
    }
    return new Promise<T>((resolve, reject) => {
      const req = this.#open(
        target,
        {
          method,
          path: this.#path(path, options.query),
          agent: target.agents?.[0],
          headers: {
            ...headers,
            // DELETE bodies are not chunked by Node: without a length the server cannot frame them.
            ...(body === undefined ? {} : { "Content-Length": String(Buffer.byteLength(body)) }),
          },
          timeout: timeoutMs,
          ...(options.signal ? { signal: options.signal } : {}),
        },
        (res) => {
          const code = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          if (options.discardResponse && code >= 200 && code < 300) res.resume();
          else res.on("data", (d: Buffer) => chunks.push(d));
          res.on("end", () => {
            try {
              resolve(settle(code, () => Buffer.concat(chunks).toString("utf8")));
            } catch (err) {
              reject(err);
            }
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timed out`)));
      this.#trackConnect(req);
      req.on("error", reject);
      req.end(body);
    });
  }

  get<T>(path: string, query?: RequestOptions["query"]): Promise<T> {
    return this.request<T>("GET", path, query ? { query } : {});
  }

  create<T>(
    path: string,
    body: unknown,
    query?: RequestOptions["query"],
    options: Pick<RequestOptions, "discardResponse"> = {},
  ): Promise<T> {
    return this.request<T>("POST", path, { ...options, body, ...(query ? { query } : {}) });
  }

  update<T>(path: string, body: unknown, query?: RequestOptions["query"]): Promise<T> {
    return this.request<T>("PUT", path, { body, ...(query ? { query } : {}) });
  }

  patch<T>(
    path: string,
    type: PatchType,
    body: unknown,
    query?: RequestOptions["query"],
    options: Pick<RequestOptions, "discardResponse"> = {},
  ): Promise<T> {
    return this.request<T>("PATCH", path, {
      ...options,
      body,
      contentType: patchContentTypes[type],
      ...(query ? { query } : {}),
    });
  }

  delete<T>(path: string, options?: Record<string, unknown>): Promise<T> {
    return this.request<T>("DELETE", path, options ? { body: options } : {});
  }

  /** Streams watch events until the server ends the stream or `signal` aborts. */
  async *watch<T>(
    path: string,
    query: RequestOptions["query"],
    signal: AbortSignal,
  ): AsyncGenerator<WatchEvent<T>> {
    let res: WatchResponse;
    for (let attempt = 0; ; attempt++) {
      const target = this.#target();
      try {
        res = await this.#openWatch(target, path, query, signal);
        break;
      } catch (err) {
        if (signal.aborted || !this.#failover(err, target.server, "GET", attempt)) throw err;
      }
    }
    if (res.status !== 200) {
      let text = "";
      for await (const c of res.chunks) text += utf8(c);
      throw errorFromResponse(res.status, text, "WATCH", path);
    }
    // A string decoder keeps a character split across chunks whole.
    const decoder = new StringDecoder("utf8");
    const lines = new LineSplitter();
    try {
      for await (const chunk of res.chunks) {
        const text = typeof chunk === "string" ? chunk : decoder.write(chunk as Buffer);
        for (const line of lines.push(text)) {
          if (line.trim()) yield JSON.parse(line) as WatchEvent<T>;
        }
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
  }

  async #openWatch(
    target: Target,
    path: string,
    query: RequestOptions["query"],
    signal: AbortSignal,
  ): Promise<WatchResponse> {
    const fullPath = this.#path(path, { ...query, watch: "true" });
    const headers = this.#headers(target, undefined);
    if (target.channel) {
      const answer = await target.channel.port.request("GET", fullPath, { headers, signal });
      return { status: answer.status, chunks: answer.stream ?? [answer.body ?? ""] };
    }
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = this.#open(
        target,
        { method: "GET", path: fullPath, agent: target.agents?.[1], headers, signal },
        resolve,
      );
      this.#trackConnect(req);
      req.on("error", reject);
      req.end();
    });
    return { status: res.statusCode ?? 0, chunks: res };
  }

  close(): void {
    this.#unsubscribe?.();
    for (const server of [...this.#targets.keys()]) this.#dropAgents(server);
  }
}

/**
 * The two connection pools to one server: keep-alive for requests, one connection per watch. Both
 * share one TLS context (without one, every connection parses the CA and the client's key again
 * and holds its own OpenSSL context, ~100 KiB each). Idle connections close after 90 s
 * (client-go's IdleConnTimeout): a burst of requests does not leave its connections open for the
 * server's two-minute keep-alive.
 */
function agentsFor(config: ClientConfig): [Agent, Agent] {
  const secureContext = createSecureContext({
    ca: config.caPem,
    ...(config.certPem ? { cert: config.certPem } : {}),
    ...(config.keyPem ? { key: config.keyPem } : {}),
  });
  return [
    new Agent({
      keepAlive: true,
      maxSockets: 64,
      timeout: config.idleTimeoutMs ?? 90_000,
      secureContext,
    }),
    new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY, secureContext }),
  ];
}

function connectTimeout(): Error {
  return Object.assign(new Error("connection to the API server timed out"), {
    code: "ETIMEDOUT",
  });
}

/** Errors of the connection rather than answers of the server. */
function isNetworkError(err: unknown): boolean {
  if (err instanceof StatusError) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return (
    typeof code === "string" ||
    /socket hang up|timed out|ECONNRESET/.test((err as Error).message ?? "")
  );
}

function errorFromResponse(code: number, text: string, method: string, path: string): StatusError {
  try {
    const status = JSON.parse(text) as Status;
    if (status.kind === "Status") return statusErrorFromStatus(status);
  } catch {}
  return newGenericServerResponse({
    code,
    verb: method,
    serverMessage: text.slice(0, 200) || path,
  });
}

export { StatusError };
