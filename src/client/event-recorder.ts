/**
 * Records core/v1 Events about objects, for `kubectl describe` and `kubectl events`, the way
 * client-go's recorder does: the correlator (event-correlator.ts) aggregates similar events,
 * bumps the count of repeats and drops an object's event spam; the writes then go to the API one
 * at a time from a queue of at most 1,000 (further events are dropped, as upstream's broadcaster
 * drops them when its channel is full), so a burst of events never competes with the work that
 * caused it. A write that reached no server is tried again later.
 */
import type { ObjectLike } from "../api/object.ts";
import { type Clock, realClock } from "../machinery/clock.ts";
import { type Logger, silentLogger } from "../machinery/log.ts";
import { isStatusError } from "../machinery/status.ts";
import { formatTime } from "../machinery/time.ts";
import { EventCorrelator } from "./event-correlator.ts";
import { resourcePath, resources } from "./resources.ts";
import type { RestClient } from "./rest-client.ts";

export type EventType = "Normal" | "Warning";

export interface EventRecorder {
  event(obj: ObjectLike, type: EventType, reason: string, message: string): void;
}

let lastNanos = 0n;
/**
 * Upstream names events `<object>.<hex nanoseconds>`; the clock has milliseconds, so names are
 * kept unique across every recorder of this process by counting on from the last one.
 */
function uniqueNanos(clock: Clock): bigint {
  let nanos = BigInt(clock.now()) * 1_000_000n;
  if (nanos <= lastNanos) nanos = lastNanos + 1n;
  lastNanos = nanos;
  return nanos;
}

/** Upstream's `maxQueuedEvents`. */
export const maxQueuedEvents = 1000;

/** Upstream's `maxTriesPerEvent` and `sleepDuration`. */
export const maxWriteTries = 12;
export const writeRetryMs = 10_000;

export function createEventRecorder(options: {
  client: RestClient;
  component: string;
  host?: string;
  clock?: Clock;
  log?: Logger;
}): EventRecorder {
  const clock = options.clock ?? realClock;
  const log = options.log ?? silentLogger;
  const correlator = new EventCorrelator();
  const queue: Array<() => Promise<unknown>> = [];
  let writing = false;
  const time = () => formatTime(clock.now());
  const source = {
    component: options.component,
    ...(options.host ? { host: options.host } : {}),
  };
  const eventName = (object: string) => `${object}.${uniqueNanos(clock).toString(16)}`;
  const drain = async () => {
    writing = true;
    while (queue.length > 0) {
      const write = queue.shift()!;
      for (let tries = 1; ; tries++) {
        try {
          await write();
          break;
        } catch (err) {
          // As client-go's recordToSink: an answer of the server is final; a write that did not
          // get one (no connection, a timeout) is tried again, 12 times at most, 10 s apart.
          if (isStatusError(err) || tries >= maxWriteTries) {
            log.debug("event not recorded", { err });
            break;
          }
          await new Promise<void>((resolve) => clock.after(writeRetryMs, resolve));
        }
      }
    }
    writing = false;
  };
  const enqueue = (write: () => Promise<unknown>) => {
    if (queue.length >= maxQueuedEvents) {
      log.debug("event queue full; event dropped");
      return;
    }
    queue.push(write);
    if (!writing) void drain();
  };
  return {
    event(obj, type, reason, message) {
      const meta = obj.metadata ?? {};
      const namespace = meta.namespace || "default";
      const involved = {
        kind: obj.kind,
        apiVersion: obj.apiVersion,
        name: meta.name,
        namespace: meta.namespace,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      };
      const objectKey = [
        options.component,
        options.host ?? "",
        obj.kind,
        meta.namespace,
        meta.name,
        meta.uid,
        obj.apiVersion,
      ].join("/");
      const c = correlator.correlate({ namespace, objectKey, type, reason, message }, clock.now());
      if (c.action === "skip") return;
      const now = time();
      const create = (name: string, first: string, count: number) =>
        options.client.create(
          resourcePath(resources.events, namespace),
          {
            apiVersion: "v1",
            kind: "Event",
            metadata: { name, namespace },
            involvedObject: involved,
            reason,
            message: c.message,
            type,
            source,
            reportingComponent: options.component,
            reportingInstance: options.host ?? "",
            firstTimestamp: first,
            lastTimestamp: now,
            count,
          },
          undefined,
          // Nothing reads the written event back.
          { discardResponse: true },
        );
      if (c.action === "create") {
        const name = eventName(meta.name ?? "");
        correlator.created(c.key, name, now);
        enqueue(() => create(name, now, 1));
        return;
      }
      enqueue(() =>
        options.client
          .patch(
            resourcePath(resources.events, namespace, c.name),
            "merge",
            { count: c.count, lastTimestamp: now, message: c.message },
            undefined,
            { discardResponse: true },
          )
          .catch((err: unknown) => {
            if (!isStatusError(err, "NotFound")) throw err;
            // Expired (events live an hour): start it again under a new name.
            const name = eventName(meta.name ?? "");
            correlator.created(c.key, name, now);
            return create(name, now, 1);
          }),
      );
    },
  };
}
