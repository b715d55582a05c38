/** A plain-text HTTP error on a raw socket (an upgrade request refused before switching). */

import type { Duplex } from "node:stream";
import { STATUS_CODES } from "../../../machinery/node-http.ts";

export function writeHttpError(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  const body = Buffer.from(message);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  );
}
