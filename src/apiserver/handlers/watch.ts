/**
 * Watch over HTTP: a chunked stream of newline-delimited JSON events (one-row Tables when the
 * client asked for tables), optional bookmarks, `timeoutSeconds`, and a clean end on shutdown
 * or when the client goes away.
 */
import type { KubeObject } from "../../api/object.ts";
import { newBadRequest } from "../../machinery/status.ts";
import type { GenericRegistry } from "../registry/generic-registry.ts";
import { type WatchEvent, watchObjects } from "../registry/watch.ts";
import type { HttpContext } from "./context.ts";
import { selectorFilter } from "./selectors.ts";
import { toTable } from "./table.ts";

/** Upstream ends watches without a timeout after 30–60 minutes; so do we. */
function timeoutMs(query: URLSearchParams): number {
  const t = query.get("timeoutSeconds");
  if (t === null) return (1800 + Math.random() * 1800) * 1000;
  if (!/^\d+$/.test(t)) throw newBadRequest(`invalid timeoutSeconds: ${t}`);
  return Number(t) * 1000;
}

export async function serveWatch(ctx: HttpContext, registry: GenericRegistry): Promise<void> {
  const { res, query, parts } = ctx;
  const filter = selectorFilter(registry.definition, query);
  const name = ctx.info.name;
  const byName = name ? (obj: KubeObject) => obj.metadata?.name === name : undefined;
  const combined =
    filter && byName ? (o: KubeObject) => filter(o) && byName(o) : (filter ?? byName);
  const duration = timeoutMs(query);
  const bookmarks = query.get("allowWatchBookmarks") === "true";
  const abort = new AbortController();
  const stop = () => abort.abort();
  const timer = setTimeout(stop, duration);
  ctx.req.socket.once("close", stop);
  parts.shutdown.addEventListener("abort", stop, { once: true });
  const events = watchObjects(registry, ctx.info.namespace, {
    ...(combined ? { filter: combined } : {}),
    ...(query.has("resourceVersion") ? { resourceVersion: query.get("resourceVersion")! } : {}),
    signal: abort.signal,
  });
  res.writeHead(200, {
    "Content-Type": "application/json",
    "Transfer-Encoding": "chunked",
    "Cache-Control": "no-cache, private",
  });
  res.flushHeaders();
  let lastVersion = query.get("resourceVersion") ?? "";
  let first = true;
  const send = (ev: WatchEvent) => {
    let object: unknown = ev.object;
    if (
      ctx.negotiated.rendering === "table" &&
      (ev.type === "ADDED" || ev.type === "MODIFIED" || ev.type === "DELETED")
    ) {
      object = toTable(registry.definition, [ev.object as KubeObject], {
        include: ctx.negotiated.includeObject,
        now: parts.clock.now(),
        withColumns: first,
      });
      first = false;
    }
    res.write(`${JSON.stringify({ type: ev.type, object })}\n`);
  };
  const bookmarkTimer = bookmarks
    ? setInterval(() => {
        if (!lastVersion) return;
        const def = registry.definition;
        send({
          type: "BOOKMARK",
          object: {
            kind: def.kind,
            apiVersion: def.group ? `${def.group}/${def.version}` : def.version,
            metadata: { resourceVersion: lastVersion },
          },
        });
      }, parts.watchBookmarkMs)
    : undefined;
  try {
    for await (const ev of events) {
      if (ev.type !== "ERROR") {
        lastVersion = (ev.object as KubeObject).metadata?.resourceVersion ?? lastVersion;
      }
      send(ev);
      if (ev.type === "ERROR") break;
    }
  } catch (err) {
    parts.log.warn("watch ended with an error", { resource: registry.definition.plural, err });
  } finally {
    clearTimeout(timer);
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    ctx.req.socket.off("close", stop);
    parts.shutdown.removeEventListener("abort", stop);
    abort.abort();
    res.end();
  }
}
