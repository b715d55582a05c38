/**
 * For controller tests (Job, CronJob, TTL, garbage collector): a real API server in process,
 * shared informers, an event recorder and the given controllers running on a FakeClock, as the
 * controller manager would run them.
 */
import type { KubeObject } from "../../api/object.ts";
import { createEventRecorder } from "../../client/event-recorder.ts";
import { InformerFactory } from "../../client/informer-factory.ts";
import { type GroupVersionResource, resourcePath } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { startTestApi, type TestApi } from "../../client/testing/test-api.ts";
import { FakeClock } from "../../machinery/clock.ts";
import { createLogger, silentLogger } from "../../machinery/log.ts";
import { isStatusError } from "../../machinery/status.ts";
import { type ControllerFactory, defaultControllerSettings } from "../context.ts";

export interface Harness {
  readonly api: TestApi;
  readonly client: RestClient;
  readonly clock: FakeClock;
  stop(): Promise<void>;
}

/** Starts the controllers; the clock starts at the real time unless given. */
export async function startControllers(
  factories: readonly ControllerFactory[],
  options: { clock?: FakeClock } = {},
): Promise<Harness> {
  const api = await startTestApi();
  const clock = options.clock ?? new FakeClock(Date.now());
  const abort = new AbortController();
  const informers = new InformerFactory(api.client, silentLogger);
  const recorder = createEventRecorder({
    client: api.client,
    component: "controller-manager",
    clock,
  });
  const log = process.env.BOSUN_TEST_LOG ? createLogger("controllers") : silentLogger;
  const ctx = {
    client: api.client,
    informers,
    clock,
    log,
    recorder,
    settings: { ...defaultControllerSettings, caCertPem: api.caCertPem, caKeyPem: api.caKeyPem },
  };
  const controllers = factories.map((f) => f.create(ctx));
  informers.start(abort.signal);
  await informers.synced();
  const running = controllers.map((c) => c.run(abort.signal));
  return {
    api,
    client: api.client,
    clock,
    async stop() {
      abort.abort();
      await Promise.allSettled(running);
      await api.stop();
    },
  };
}

/** The object, or undefined when it does not exist. */
export async function getOrUndefined<T extends KubeObject>(
  client: RestClient,
  gvr: GroupVersionResource,
  namespace: string,
  name: string,
): Promise<T | undefined> {
  try {
    return await client.get<T>(resourcePath(gvr, namespace, name));
  } catch (err) {
    if (isStatusError(err, "NotFound")) return undefined;
    throw err;
  }
}

export async function listItems<T extends KubeObject>(
  client: RestClient,
  gvr: GroupVersionResource,
  namespace: string,
  labelSelector?: string,
): Promise<T[]> {
  const list = await client.get<{ items: T[] }>(
    resourcePath(gvr, namespace),
    labelSelector ? { labelSelector } : undefined,
  );
  return list.items;
}
