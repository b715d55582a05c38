/**
 * Records core/v1 Events about objects, for `kubectl describe` and `kubectl events`. Repeats of
 * the same (object, reason, message) within ten minutes bump the count of one Event instead of
 * creating another, as upstream's recorder aggregates them.
 */
import { randomBytes } from "node:crypto";
import type { ObjectLike } from "../api/object.ts";
import { type Clock, realClock } from "../machinery/clock.ts";
import { type Logger, silentLogger } from "../machinery/log.ts";
import { resourcePath, resources } from "./resources.ts";
import type { RestClient } from "./rest-client.ts";

export type EventType = "Normal" | "Warning";

export interface EventRecorder {
  event(obj: ObjectLike, type: EventType, reason: string, message: string): void;
}

interface Recent {
  name: string;
  namespace: string;
  count: number;
  first: string;
  at: number;
}

export function createEventRecorder(options: {
  client: RestClient;
  component: string;
  host?: string;
  clock?: Clock;
  log?: Logger;
}): EventRecorder {
  const clock = options.clock ?? realClock;
  const log = options.log ?? silentLogger;
  const recent = new Map<string, Recent>();
  const time = () => new Date(clock.now()).toISOString().replace(/\.\d+Z$/, "Z");
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
      const key = `${meta.uid}/${type}/${reason}/${message}`;
      const now = clock.now();
      const previous = recent.get(key);
      const source = {
        component: options.component,
        ...(options.host ? { host: options.host } : {}),
      };
      let write: Promise<unknown>;
      if (previous && now - previous.at < 600_000) {
        previous.count++;
        previous.at = now;
        write = options.client.patch(
          resourcePath(resources.events, previous.namespace, previous.name),
          "merge",
          {
            count: previous.count,
            lastTimestamp: time(),
          },
        );
      } else {
        const name = `${meta.name}.${randomBytes(8).toString("hex")}`;
        recent.set(key, { name, namespace, count: 1, first: time(), at: now });
        write = options.client.create(resourcePath(resources.events, namespace), {
          apiVersion: "v1",
          kind: "Event",
          metadata: { name, namespace },
          involvedObject: involved,
          reason,
          message,
          type,
          source,
          reportingComponent: options.component,
          reportingInstance: options.host ?? "",
          firstTimestamp: time(),
          lastTimestamp: time(),
          count: 1,
        });
      }
      write.catch((err: unknown) => log.debug("event not recorded", { reason, err }));
      if (recent.size > 4096) {
        for (const [k, v] of recent) if (now - v.at > 600_000) recent.delete(k);
      }
    },
  };
}
