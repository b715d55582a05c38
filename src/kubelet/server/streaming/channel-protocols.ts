/**
 * The WebSocket subprotocols of Kubernetes streams and which one a request gets. Exec and attach
 * multiplex channels in binary messages (byte 0 = channel: 0 stdin, 1 stdout, 2 stderr, 3 status,
 * 4 resize; v5 adds 255 = close a channel, `ff 00` ending stdin). Port-forward either tunnels a
 * SPDY/3.1 byte stream (`SPDY/3.1+portforward.k8s.io`, kubectl ≥ 1.31) or uses channels per port
 * (`v4.channel.k8s.io`, client libraries).
 */
import type { IncomingMessage } from "node:http";

export const V5 = "v5.channel.k8s.io";
export const V4 = "v4.channel.k8s.io";
export const SPDY_TUNNEL = "SPDY/3.1+portforward.k8s.io";
export const PORT_FORWARD = "portforward.k8s.io";

export const Channel = {
  Stdin: 0,
  Stdout: 1,
  Stderr: 2,
  Status: 3,
  Resize: 4,
  Close: 255,
} as const;

export type UpgradeKind =
  /** A WebSocket this kubelet serves itself, translating to SPDY towards the runtime. */
  | { readonly kind: "websocket"; readonly protocol: typeof V5 | typeof V4 }
  /** A WebSocket carrying SPDY (port-forward), relayed to the runtime as a SPDY connection. */
  | { readonly kind: "spdy-tunnel" }
  /** Anything the runtime's streaming server speaks itself (SPDY, older channel protocols). */
  | { readonly kind: "passthrough" }
  | { readonly kind: "none" };

export function offeredProtocols(req: IncomingMessage): string[] {
  return String(req.headers["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}

export function isWebSocket(req: IncomingMessage): boolean {
  return String(req.headers.upgrade ?? "").toLowerCase() === "websocket";
}

/** How to serve an upgrade to exec/attach (`remote`) or port-forward (`portforward`). */
export function upgradeKind(req: IncomingMessage, what: "remote" | "portforward"): UpgradeKind {
  if (!req.headers.upgrade) return { kind: "none" };
  if (!isWebSocket(req)) return { kind: "passthrough" };
  const offered = offeredProtocols(req);
  if (what === "portforward") {
    return offered.includes(SPDY_TUNNEL) ? { kind: "spdy-tunnel" } : { kind: "passthrough" };
  }
  if (offered.includes(V5)) return { kind: "websocket", protocol: V5 };
  if (offered.includes(V4)) return { kind: "websocket", protocol: V4 };
  return { kind: "passthrough" };
}
