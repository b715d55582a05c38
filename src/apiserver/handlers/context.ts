/** What every handler gets: the exchange, the caller, and the server's shared parts. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Clock } from "../../machinery/clock.ts";
import type { Logger } from "../../machinery/log.ts";
import type { UserInfo } from "../authn/user.ts";
import type { WatchCache } from "../cache/watch-cache.ts";
import type { Catalog } from "../catalog.ts";
import type { Negotiated } from "../http/negotiate.ts";
import type { GenericRegistry } from "../registry/generic-registry.ts";
import type { RequestInfo } from "../request-info.ts";

export interface ServerParts {
  readonly catalog: Catalog;
  /** Watch caches by registry; a registry without one is served from the Store. */
  readonly caches: ReadonlyMap<GenericRegistry, WatchCache>;
  readonly clock: Clock;
  readonly log: Logger;
  /** Signals every long-running request (watches, streams) to end, on shutdown. */
  readonly shutdown: AbortSignal;
  readonly watchBookmarkMs: number;
}

export interface HttpContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly query: URLSearchParams;
  readonly info: RequestInfo;
  readonly user: UserInfo;
  readonly negotiated: Negotiated;
  readonly parts: ServerParts;
  /**
   * Set for upgrade requests (WebSocket, SPDY): the raw connection and the bytes read past the
   * headers. `res` writes to the same connection, for answers that refuse the upgrade.
   */
  readonly upgrade?: { readonly socket: Duplex; readonly head: Buffer };
}
