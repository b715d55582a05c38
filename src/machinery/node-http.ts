/**
 * `node:http`'s values, without Node's fetch. Importing `node:http` as an ES module reads every
 * export, and three of them (`WebSocket`, `CloseEvent`, `MessageEvent`) are getters that load
 * undici: 6 MiB resident in every process, for classes Bosun never uses. Code takes node:http's
 * values from here (`process.getBuiltinModule` returns the module without reading its exports);
 * types may still come from "node:http" with `import type`. `src/cli/startup-weight.test.ts` keeps it so.
 */
import type * as Http from "node:http";
import type { Duplex } from "node:stream";

const http = process.getBuiltinModule("node:http");

export const { Agent, STATUS_CODES, ServerResponse, createServer, request } = http;
export type Agent = Http.Agent;
export type ServerResponse = Http.ServerResponse;

/**
 * Hands a server's upgrade requests (exec, attach, port-forward, proxy) to `handle` with a
 * response object on the raw connection, for answers that refuse the upgrade; the connections are
 * kept in `upgraded` while open, so that a stopping server can close them.
 */
export function acceptUpgrades(
  server: Http.Server,
  upgraded: Set<Duplex>,
  handle: (req: Http.IncomingMessage, res: ServerResponse, socket: Duplex, head: Buffer) => void,
): void {
  server.on("upgrade", (req: Http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const res = new ServerResponse(req);
    res.assignSocket(socket as never);
    res.shouldKeepAlive = false;
    res.once("finish", () => socket.end());
    upgraded.add(socket);
    socket.once("close", () => upgraded.delete(socket));
    handle(req, res, socket, head);
  });
}
