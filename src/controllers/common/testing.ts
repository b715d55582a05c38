/**
 * A harness for controller tests: an in-process API server, shared informers, an event
 * recorder and the controllers under test running against them. Also helpers to make pods
 * Running and Ready through `/status`, as a kubelet would.
 */
import { createEventRecorder } from "../../client/event-recorder.ts";
import { InformerFactory } from "../../client/informer-factory.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { startTestApi, type TestApi } from "../../client/testing/test-api.ts";
import { type Clock, realClock } from "../../machinery/clock.ts";
import { silentLogger } from "../../machinery/log.ts";
import { formatTime } from "../../machinery/time.ts";
import type { Controller, ControllerContext } from "../context.ts";
import { defaultControllerSettings } from "../context.ts";
import type { Pod } from "./objects.ts";

export interface ControllerHarness {
  readonly api: TestApi;
  readonly client: RestClient;
  readonly ctx: ControllerContext;
  stop(): Promise<void>;
}

export async function startControllers(options: {
  create: Array<(ctx: ControllerContext) => Controller>;
  clock?: Clock;
}): Promise<ControllerHarness> {
  const api = await startTestApi();
  const clock = options.clock ?? realClock;
  const informers = new InformerFactory(api.client, silentLogger);
  const ctx: ControllerContext = {
    client: api.client,
    informers,
    clock,
    log: silentLogger,
    recorder: createEventRecorder({ client: api.client, component: "test", clock }),
    settings: { ...defaultControllerSettings, caCertPem: api.caCertPem, caKeyPem: api.caKeyPem },
  };
  const controllers = options.create.map((create) => create(ctx));
  const abort = new AbortController();
  informers.start(abort.signal);
  const running = controllers.map((c) => c.run(abort.signal));
  return {
    api,
    client: api.client,
    ctx,
    async stop() {
      abort.abort();
      await Promise.allSettled(running);
      await api.stop();
    },
  };
}

/** Marks a pod Running and Ready (as of `readyAtMs`) through its status subresource. */
export async function markPodReady(
  client: RestClient,
  pod: Pod,
  readyAtMs = Date.now(),
): Promise<Pod> {
  const meta = pod.metadata ?? {};
  const path = resourcePath(resources.pods, meta.namespace ?? "", meta.name ?? "", "status");
  const time = formatTime(readyAtMs);
  return client.patch<Pod>(path, "merge", {
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: "True", lastTransitionTime: time }],
    },
  });
}

/** Pods in `namespace` whose labels include `labels`. */
export async function listPods(
  client: RestClient,
  namespace: string,
  labels: Record<string, string> = {},
): Promise<Pod[]> {
  const selector = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const list = await client.get<{ items: Pod[] }>(
    resourcePath(resources.pods, namespace),
    selector ? { labelSelector: selector } : undefined,
  );
  return list.items;
}

export const testPodSpec = {
  containers: [{ name: "app", image: "nginx:1.25" }],
};
