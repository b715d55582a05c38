/**
 * `node:http`'s values, without Node's fetch. Importing `node:http` as an ES module reads every
 * export, and three of them (`WebSocket`, `CloseEvent`, `MessageEvent`) are getters that load
 * undici: 6 MiB resident in every process, for classes Bosun never uses. Code takes node:http's
 * values from here (`process.getBuiltinModule` returns the module without reading its exports);
 * types may still come from "node:http" with `import type`. `src/cli/startup-weight.test.ts` keeps it so.
 */
import type * as Http from "node:http";

const http = process.getBuiltinModule("node:http");

export const { Agent, STATUS_CODES, ServerResponse, createServer, request } = http;
export type Agent = Http.Agent;
export type ServerResponse = Http.ServerResponse;
