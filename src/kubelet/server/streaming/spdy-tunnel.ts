/**
 * Port-forward for kubectl ≥ 1.31: a WebSocket (`SPDY/3.1+portforward.k8s.io`) whose binary
 * messages carry a SPDY/3.1 byte stream cut at arbitrary points. The kubelet opens a SPDY
 * connection to the runtime's port-forward URL and relays bytes both ways, as upstream's API
 * server tunnels them to kubelets (`streamtunnel.go`): the SPDY conversation itself (one data and
 * one error stream per local connection, pings) is between kubectl and the runtime.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { Logger } from "../../../machinery/log.ts";
import { PORT_FORWARD, SPDY_TUNNEL } from "./channel-protocols.ts";
import { writeHttpError } from "./http-error.ts";
import { StreamUpgradeError, upgradeToSpdy } from "./spdy-upgrade.ts";

/**
 * `SPDY/3.1+portforward.k8s.io` is not an RFC 6455 token (it has "/"), which `ws` refuses to
 * parse; the offer is renamed to this alias before the handshake and answered with the real name.
 */
const TUNNEL_ALIAS = "bosun-spdy-portforward-tunnel";

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  maxPayload: 64 << 20,
  handleProtocols: (offered) => (offered.has(TUNNEL_ALIAS) ? SPDY_TUNNEL : false),
});

export async function serveSpdyTunnel(args: {
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  readonly head: Buffer;
  readonly url: string;
  readonly log: Logger;
}): Promise<void> {
  const { req, socket, head, log } = args;
  let runtime: { socket: Duplex; head: Buffer };
  try {
    runtime = await upgradeToSpdy(args.url, PORT_FORWARD);
  } catch (err) {
    const status = err instanceof StreamUpgradeError ? err.status : 500;
    writeHttpError(socket, status, err instanceof StreamUpgradeError ? err.body : String(err));
    return;
  }
  const rt = runtime.socket;
  req.headers["sec-websocket-protocol"] = TUNNEL_ALIAS;
  wss.handleUpgrade(req, socket, head, (ws) => {
    if (runtime.head.length > 0) ws.send(runtime.head);
    rt.on("data", (chunk: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(chunk);
    });
    ws.on("message", (data: Buffer) => {
      if (!rt.destroyed) rt.write(data);
    });
    const end = () => {
      rt.destroy();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000);
    };
    ws.on("close", end);
    ws.on("error", (err) => log.debug("port-forward tunnel error", { err }));
    rt.on("close", end);
    rt.on("error", end);
  });
  socket.once("close", () => rt.destroy());
}
