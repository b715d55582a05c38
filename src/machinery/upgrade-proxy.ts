/**
 * Proxies an HTTP upgrade request (WebSocket, SPDY/3.1) to another server and splices the two
 * connections once the backend switches protocols, as upstream's `UpgradeAwareHandler` does: the
 * API server in front of kubelets, the kubelet in front of the runtime's streaming server. The
 * backend's answer is passed on as it is, 101 or not (an error status and its body reach the
 * client, which prints them). Bytes flow untouched in both directions afterwards.
 */
import type { ClientRequest, IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Duplex } from "node:stream";
import { request as httpRequest } from "./node-http.ts";

export interface UpgradeTarget {
  readonly url: URL;
  readonly method: string;
  /** Request headers for the backend (Connection and Upgrade included). */
  readonly headers: Record<string, string | string[]>;
  /** TLS to the backend: client certificate and whether to verify the server. */
  readonly tls?: {
    readonly certPem?: string;
    readonly keyPem?: string;
    readonly caPem?: string;
    readonly rejectUnauthorized?: boolean;
  };
  readonly timeoutMs?: number;
}

/** Headers that describe one hop, never forwarded (Connection and Upgrade are set again). */
const hopByHop = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);

/** The request's headers for the next hop: end-to-end ones, minus `drop`, plus the upgrade. */
export function forwardedHeaders(
  req: IncomingMessage,
  drop: readonly string[] = [],
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  // Repeated headers stay repeated (X-Stream-Protocol-Version lists one protocol per line).
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (!values || hopByHop.has(name) || drop.some((d) => name.startsWith(d))) continue;
    out[name] = values.length === 1 ? values[0]! : values;
  }
  if (req.headers.upgrade) {
    out.connection = "Upgrade";
    out.upgrade = req.headers.upgrade;
  }
  return out;
}

/** Sends the upgrade to the backend; resolves with its answer (the socket on 101). */
export function openUpgrade(
  target: UpgradeTarget,
): Promise<
  | { upgraded: true; response: IncomingMessage; socket: Duplex; head: Buffer }
  | { upgraded: false; response: IncomingMessage }
> {
  return new Promise((resolve, reject) => {
    const https = target.url.protocol === "https:";
    const options = {
      method: target.method,
      headers: target.headers,
      ...(https
        ? {
            cert: target.tls?.certPem,
            key: target.tls?.keyPem,
            ca: target.tls?.caPem,
            rejectUnauthorized: target.tls?.rejectUnauthorized ?? true,
            ALPNProtocols: ["http/1.1"],
          }
        : {}),
      agent: false as const,
    };
    const req: ClientRequest = (https ? httpsRequest : httpRequest)(target.url, options);
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer from ${target.url.host} in time`)),
      target.timeoutMs ?? 30_000,
    );
    req.once("upgrade", (response, socket, head) => {
      clearTimeout(timer);
      resolve({ upgraded: true, response, socket, head });
    });
    req.once("response", (response) => {
      clearTimeout(timer);
      resolve({ upgraded: false, response });
    });
    req.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
}

/** The raw head of a response, as received (status line and headers). */
export function responseHead(res: IncomingMessage, extra: string[] = []): string {
  const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ""}`];
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    const name = res.rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (res.statusCode !== 101 && (lower === "transfer-encoding" || lower === "connection")) {
      continue;
    }
    lines.push(`${name}: ${res.rawHeaders[i + 1]}`);
  }
  lines.push(...extra);
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/** Splices two connections: each one's bytes go to the other; either closing ends both. */
export function splice(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  const end = () => {
    a.destroy();
    b.destroy();
  };
  a.once("close", end);
  b.once("close", end);
  a.on("error", end);
  b.on("error", end);
}

/**
 * Proxies `client` (an upgrade request's socket, with `head` read past its headers) to the
 * target. Resolves once the connections are spliced or the backend's refusal was relayed.
 */
export async function proxyUpgrade(
  client: Duplex,
  head: Buffer,
  target: UpgradeTarget,
): Promise<{ status: number }> {
  const answer = await openUpgrade(target);
  if (!answer.upgraded) {
    await relayResponse(client, answer.response);
    return { status: answer.response.statusCode ?? 502 };
  }
  client.write(responseHead(answer.response));
  if (answer.head.length > 0) client.write(answer.head);
  if (head.length > 0) answer.socket.write(head);
  splice(client, answer.socket);
  return { status: 101 };
}

/** Writes a (non-101) response to a raw socket, then closes it; the body ends the connection. */
export async function relayResponse(client: Duplex, res: IncomingMessage): Promise<void> {
  client.write(responseHead(res, ["Connection: close"]));
  for await (const chunk of res) client.write(chunk as Buffer);
  client.end();
}
