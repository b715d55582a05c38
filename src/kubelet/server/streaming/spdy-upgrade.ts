/**
 * Opens a SPDY/3.1 connection to a runtime streaming URL (containerd's `/exec/<token>`,
 * `/attach/<token>`, `/portforward/<token>`): the HTTP upgrade with the stream protocol, then the
 * socket and whatever bytes came with the 101.
 */
import type { Duplex } from "node:stream";
import { openUpgrade } from "../../../machinery/upgrade-proxy.ts";

export class StreamUpgradeError extends Error {
  readonly status: number;
  readonly body: string;
  constructor(status: number, body: string) {
    super(`the runtime refused the stream (${status}): ${body.trim()}`);
    this.status = status;
    this.body = body;
  }
}

export async function upgradeToSpdy(
  url: string,
  protocol: string,
): Promise<{ socket: Duplex; head: Buffer }> {
  const answer = await openUpgrade({
    url: new URL(url),
    method: "POST",
    headers: {
      connection: "Upgrade",
      upgrade: "SPDY/3.1",
      "x-stream-protocol-version": protocol,
    },
  });
  if (!answer.upgraded) {
    let body = "";
    for await (const chunk of answer.response) body += String(chunk);
    throw new StreamUpgradeError(answer.response.statusCode ?? 500, body);
  }
  return { socket: answer.socket, head: answer.head };
}
