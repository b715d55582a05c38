/**
 * How `bosun cluster` commands talk to a cluster's supervisor: one JSON request per connection
 * on `<cluster dir>/supervisor.sock`, answered with one JSON line. Only the supervisor starts
 * and stops node processes; freezing and cables are kernel state the CLI changes itself.
 */
import { createConnection, createServer, type Server } from "node:net";
import type { NodeStatus } from "./node-supervisor.ts";

export type ControlRequest =
  | { readonly op: "start" | "stop"; readonly node: string }
  | { readonly op: "status" }
  | { readonly op: "shutdown" };

export type ControlResponse =
  | { readonly ok: true; readonly nodes?: readonly NodeStatus[] }
  | { readonly ok: false; readonly error: string };

export function sendControl(
  socket: string,
  request: ControlRequest,
  timeoutMs = 60_000,
): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    const conn = createConnection(socket);
    let text = "";
    conn.setTimeout(timeoutMs, () => conn.destroy(new Error("the cluster supervisor timed out")));
    conn.on("connect", () => conn.write(`${JSON.stringify(request)}\n`));
    conn.on("data", (d: Buffer) => (text += d.toString()));
    conn.on("end", () => {
      try {
        resolve(JSON.parse(text) as ControlResponse);
      } catch {
        reject(new Error(`the cluster supervisor answered ${JSON.stringify(text)}`));
      }
    });
    conn.on("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "ENOENT" || err.code === "ECONNREFUSED"
          ? new Error("the cluster's supervisor is not running", { cause: err })
          : err,
      ),
    );
  });
}

export function serveControl(
  socket: string,
  handle: (request: ControlRequest) => Promise<ControlResponse>,
): Server {
  const server = createServer((conn) => {
    let text = "";
    conn.on("data", (d: Buffer) => {
      text += d.toString();
      const nl = text.indexOf("\n");
      if (nl < 0) return;
      let request: ControlRequest;
      try {
        request = JSON.parse(text.slice(0, nl)) as ControlRequest;
      } catch {
        conn.end(`${JSON.stringify({ ok: false, error: "bad request" })}\n`);
        return;
      }
      handle(request).then(
        (response) => conn.end(`${JSON.stringify(response)}\n`),
        (err: unknown) =>
          conn.end(`${JSON.stringify({ ok: false, error: (err as Error).message })}\n`),
      );
    });
    conn.on("error", () => {});
  });
  server.listen(socket);
  return server;
}
