/**
 * Watch over HTTP: a chunked stream of newline-delimited JSON events (one-row Tables when the
 * client asked for tables), optional bookmarks, `timeoutSeconds`, and a clean end on shutdown
 * or when the client goes away. Served from the resource's watch cache when it covers the
 * requested revision (each event serialized once for every watcher), else from the Store.
 */
import type { KubeObject } from "../../api/object.ts";
import { onAbort } from "../../machinery/abort.ts";
import { newBadRequest, newTooOldResourceVersion } from "../../machinery/status.ts";
import { type CachedObject, parseCached, type WatchCache } from "../cache/watch-cache.ts";
import type { GenericRegistry } from "../registry/generic-registry.ts";
import { parseResourceVersion } from "../registry/list.ts";
import { watchObjects } from "../registry/watch.ts";
import type { HttpContext } from "./context.ts";
import { compileSelection, type Matcher, selectionOf } from "./selectors.ts";
import { toTable } from "./table.ts";

const eventEnd = Buffer.from("}\n");
/** `{"type":"MODIFIED","object":` and the like, by event type. */
const eventHeads = new Map<string, Buffer>();
const eventHead = (type: string): Buffer => {
  let head = eventHeads.get(type);
  if (!head) {
    head = Buffer.from(`{"type":"${type}","object":`);
    eventHeads.set(type, head);
  }
  return head;
};

/** One event on the wire: the object pre-serialized (from the cache) or as a value. */
interface WireEvent {
  readonly type: string;
  /** The object as the watch cache holds it (JSON in UTF-8), when it comes from there. */
  readonly cached?: CachedObject;
  readonly object?: unknown;
  readonly revision?: string;
}

/** Upstream ends watches without a timeout after 30–60 minutes; so do we. */
function timeoutMs(query: URLSearchParams): number {
  const t = query.get("timeoutSeconds");
  if (t === null) return (1800 + Math.random() * 1800) * 1000;
  if (!/^\d+$/.test(t)) throw newBadRequest(`invalid timeoutSeconds: ${t}`);
  return Number(t) * 1000;
}

async function* fromCache(
  cache: WatchCache,
  namespace: string,
  after: number,
  selection: { matches: Matcher | undefined; exactFields: Record<string, string> | undefined },
  signal: AbortSignal,
): AsyncGenerator<WireEvent[]> {
  const { matches, exactFields } = selection;
  const watcher = cache.watch(namespace, after, {
    ...(matches ? { matches } : {}),
    ...(exactFields ? { exactFields } : {}),
  });
  if (!watcher) return;
  onAbort(signal, () => watcher.end());
  for await (const batch of watcher.batches()) {
    const out: WireEvent[] = [];
    for (const ev of batch) {
      if (ev.type === "EXPIRED") {
        const status = newTooOldResourceVersion(after, ev.object.revision).status;
        out.push({ type: "ERROR", object: status });
        yield out;
        return;
      }
      out.push({ type: ev.type, cached: ev.object, revision: String(ev.object.revision) });
    }
    yield out;
  }
}

async function* fromStore(
  registry: GenericRegistry,
  namespace: string,
  resourceVersion: string | null,
  matches: Matcher | undefined,
  signal: AbortSignal,
): AsyncGenerator<WireEvent[]> {
  const def = registry.definition;
  const filter = matches && ((obj: KubeObject) => matches(selectionOf(def, obj)));
  const events = watchObjects(registry, namespace, {
    ...(filter ? { filter } : {}),
    ...(resourceVersion !== null ? { resourceVersion } : {}),
    signal,
  });
  for await (const ev of events) {
    const rv =
      ev.type === "ERROR" ? undefined : (ev.object as KubeObject).metadata?.resourceVersion;
    yield [{ type: ev.type, object: ev.object, ...(rv ? { revision: rv } : {}) }];
  }
}

export async function serveWatch(ctx: HttpContext, registry: GenericRegistry): Promise<void> {
  const { res, query, parts } = ctx;
  const { matches: selectors, exactFields } = compileSelection(registry.definition, query);
  const name = ctx.info.name;
  const matches: Matcher | undefined = name
    ? (s) => s.fields["metadata.name"] === name && (!selectors || selectors(s))
    : selectors;
  const duration = timeoutMs(query);
  const rv = query.get("resourceVersion");
  const after = parseResourceVersion(rv ?? "");
  const abort = new AbortController();
  const stop = () => abort.abort();
  const timer = setTimeout(stop, duration);
  ctx.req.socket.once("close", stop);
  onAbort(parts.shutdown, stop);
  const cache = parts.caches.get(registry);
  const source =
    cache?.ready && cache.covers(after)
      ? fromCache(cache, ctx.info.namespace, after, { matches, exactFields }, abort.signal)
      : fromStore(registry, ctx.info.namespace, rv, matches, abort.signal);

  res.writeHead(200, {
    "Content-Type": "application/json",
    "Transfer-Encoding": "chunked",
    "Cache-Control": "no-cache, private",
  });
  res.flushHeaders();
  const def = registry.definition;
  let lastVersion = rv ?? "";
  let first = true;
  /** One event as it goes on the wire (a Table row when the client asked for tables). */
  const encode = (ev: WireEvent): Uint8Array[] => {
    if (ctx.negotiated.rendering === "table" && ev.type !== "ERROR" && ev.type !== "BOOKMARK") {
      const obj = (ev.object ?? parseCached(ev.cached!)) as KubeObject;
      const table = toTable(def, [obj], {
        include: ctx.negotiated.includeObject,
        now: parts.clock.now(),
        withColumns: first,
      });
      first = false;
      return [Buffer.from(`${JSON.stringify({ type: ev.type, object: table })}\n`)];
    }
    if (!ev.cached) {
      return [Buffer.from(`{"type":"${ev.type}","object":${JSON.stringify(ev.object)}}\n`)];
    }
    // The cached object's bytes as they are, between the event's head and end.
    return [eventHead(ev.type), ev.cached.bytes, eventEnd];
  };
  /** Events in one chunk (the events of one Store commit, say): one write, each copied once. */
  const send = (events: readonly WireEvent[]) => {
    res.write(Buffer.concat(events.flatMap(encode)));
  };
  const bookmarkTimer =
    query.get("allowWatchBookmarks") === "true"
      ? setInterval(() => {
          if (!lastVersion || lastVersion === "0") return;
          send([
            {
              type: "BOOKMARK",
              object: {
                kind: def.kind,
                apiVersion: def.group ? `${def.group}/${def.version}` : def.version,
                metadata: { resourceVersion: lastVersion },
              },
            },
          ]);
        }, parts.watchBookmarkMs)
      : undefined;
  try {
    for await (const batch of source) {
      for (const ev of batch) if (ev.revision) lastVersion = ev.revision;
      send(batch);
      if (batch.at(-1)?.type === "ERROR" || abort.signal.aborted) break;
    }
  } catch (err) {
    parts.log.warn("watch ended with an error", { resource: def.plural, err });
  } finally {
    clearTimeout(timer);
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    ctx.req.socket.off("close", stop);
    parts.shutdown.removeEventListener("abort", stop);
    abort.abort();
    res.end();
  }
}
