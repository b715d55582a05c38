/**
 * `/exec`, `/attach` and `/portForward` (upstream `getExec`, `getAttach`, `getPortForward` and
 * `proxyStream`): find the pod and its running container or ready sandbox, ask CRI for a
 * streaming URL, then serve the client's upgrade — passed through to the runtime's streaming
 * server when it speaks the client's protocol (SPDY/3.1, older WebSocket channel protocols),
 * translated when it does not (WebSocket v5/v4 exec and attach → SPDY; the WebSocket-tunnelled
 * SPDY of port-forward → SPDY).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "../../machinery/log.ts";
import { forwardedHeaders, proxyUpgrade } from "../../machinery/upgrade-proxy.ts";
import { isCriError } from "../cri/errors.ts";
import type { Pod } from "../pod-source.ts";
import type { KubeletHost, StreamRequest } from "./host.ts";
import { upgradeKind } from "./streaming/channel-protocols.ts";
import { writeHttpError } from "./streaming/http-error.ts";

export interface StreamCall {
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  readonly head: Buffer;
  readonly query: URLSearchParams;
  readonly host: KubeletHost;
  readonly log: Logger;
}

/** Upstream `remotecommandserver.NewOptions`: the streams asked for ("1" means yes). */
export function streamRequest(query: URLSearchParams): StreamRequest | { error: string } {
  const tty = query.get("tty") === "1";
  const stdin = query.get("input") === "1";
  const stdout = query.get("output") === "1";
  // A TTY merges stderr into stdout.
  const stderr = query.get("error") === "1" && !tty;
  if (!stdin && !stdout && !stderr) {
    return { error: "you must specify at least 1 of stdin, stdout, stderr" };
  }
  return { stdin, stdout, stderr, tty };
}

/**
 * Attach joins a process whose terminal was chosen when it started: the TTY comes from the
 * container's spec, whatever the request says (upstream `GetAttach`; `kubectl attach` without
 * -t asks for stdout and stderr without one), and a TTY has no stderr. Asked for a TTY
 * container's stderr, containerd waits on a stream that never closes, and the attach outlives
 * the container.
 */
export function attachRequest(o: StreamRequest, pod: Pod, container: string): StreamRequest {
  const spec = [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []),
    ...(pod.spec?.ephemeralContainers ?? []),
  ].find((c) => c.name === container);
  const tty = spec?.tty === true;
  return { ...o, tty, stderr: o.stderr && !tty };
}

/** CRI failures as upstream's `streaming.WriteError` answers them (NotFound 404, else 500). */
function criFailure(socket: Duplex, err: unknown): void {
  writeHttpError(socket, isCriError(err, "NotFound") ? 404 : 500, (err as Error).message);
}

async function serve(
  c: StreamCall,
  url: string,
  what: "remote" | "portforward",
  o?: StreamRequest,
) {
  const kind = upgradeKind(c.req, what);
  // The WebSocket paths (and the `ws` library, ~2 MiB resident) load on first use: most nodes
  // never serve one.
  if (kind.kind === "websocket" && o) {
    const { serveWebSocketExec } = await import("./streaming/websocket-exec.ts");
    await serveWebSocketExec({ ...c, url, protocol: kind.protocol, options: o });
  } else if (kind.kind === "spdy-tunnel") {
    const { serveSpdyTunnel } = await import("./streaming/spdy-tunnel.ts");
    await serveSpdyTunnel({ ...c, url });
  } else {
    await proxyUpgrade(c.socket, c.head, {
      url: new URL(url),
      method: c.req.method ?? "POST",
      headers: forwardedHeaders(c.req, ["authorization"]),
    });
  }
}

export async function serveExecOrAttach(
  c: StreamCall,
  what: "exec" | "attach",
  target: { namespace: string; pod: string; uid?: string; container: string },
): Promise<void> {
  if (upgradeKind(c.req, "remote").kind === "none") {
    return writeHttpError(c.socket, 500, "Upgrade request required");
  }
  const o = streamRequest(c.query);
  if ("error" in o) return writeHttpError(c.socket, 400, o.error);
  const pod = c.host.getPod(target.namespace, target.pod);
  if (!pod || (target.uid && pod.metadata?.uid !== target.uid)) {
    return writeHttpError(c.socket, 404, "pod does not exist");
  }
  const options = what === "attach" ? attachRequest(o, pod, target.container) : o;
  let url: string;
  try {
    const id = await c.host.containers.runningContainer(pod, target.container);
    if (!id) return writeHttpError(c.socket, 500, `container not found ("${target.container}")`);
    url =
      what === "exec"
        ? await c.host.containers.exec(id, c.query.getAll("command"), options)
        : await c.host.containers.attach(id, options);
  } catch (err) {
    return criFailure(c.socket, err);
  }
  await serve(c, url, "remote", options);
}

export async function servePortForward(
  c: StreamCall,
  target: { namespace: string; pod: string; uid?: string },
): Promise<void> {
  const kind = upgradeKind(c.req, "portforward");
  if (kind.kind === "none") return writeHttpError(c.socket, 500, "Upgrade request required");
  const pod = c.host.getPod(target.namespace, target.pod);
  if (!pod) return writeHttpError(c.socket, 404, "pod does not exist");
  if (target.uid && pod.metadata?.uid !== target.uid) {
    return writeHttpError(c.socket, 404, "pod not found");
  }
  // Ports matter to the channel protocol only (SPDY names them per stream): `port=80,8080`.
  const ports: number[] = [];
  for (const p of c.query.getAll("port").flatMap((v) => v.split(","))) {
    const n = Number(p.trim());
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      return writeHttpError(c.socket, 400, `invalid port "${p}"`);
    }
    ports.push(n);
  }
  let url: string;
  try {
    const sandbox = await c.host.containers.readySandbox(pod);
    if (!sandbox) {
      return writeHttpError(c.socket, 500, `pod not found ("${target.pod}_${target.namespace}")`);
    }
    url = await c.host.containers.portForward(sandbox, ports);
  } catch (err) {
    return criFailure(c.socket, err);
  }
  await serve(c, url, "portforward");
}
