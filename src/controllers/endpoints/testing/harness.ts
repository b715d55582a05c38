/**
 * Runs controllers against an in-process API server the way the controller manager does
 * (shared informers started after the controllers asked for them, then `run`), with an
 * injected clock. For the tests of the controllers in this part of the tree.
 */
import { createEventRecorder } from "../../../client/event-recorder.ts";
import { InformerFactory } from "../../../client/informer-factory.ts";
import { startTestApi, type TestApi } from "../../../client/testing/test-api.ts";
import { type Clock, FakeClock } from "../../../machinery/clock.ts";
import { silentLogger } from "../../../machinery/log.ts";
import {
  type ControllerContext,
  type ControllerFactory,
  type ControllerSettings,
  defaultControllerSettings,
} from "../../context.ts";

export interface Harness {
  readonly api: TestApi;
  readonly clock: FakeClock;
  readonly ctx: ControllerContext;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  readonly settings?: Partial<ControllerSettings>;
  readonly clock?: FakeClock;
  /** Runs against the API before the controllers start (objects they find at start-up). */
  readonly setup?: (api: TestApi) => Promise<void>;
}

/** Starts a test API server and the given controllers; `stop` tears both down. */
export async function startControllers(
  factories: readonly ControllerFactory[],
  options: HarnessOptions = {},
): Promise<Harness> {
  const api = await startTestApi();
  await options.setup?.(api);
  const clock = options.clock ?? new FakeClock();
  const ctx = makeContext(api, clock, options.settings);
  const abort = new AbortController();
  const controllers = factories.map((f) => f.create(ctx));
  ctx.informers.start(abort.signal);
  await ctx.informers.synced();
  const running = controllers.map((c) => c.run(abort.signal));
  return {
    api,
    clock,
    ctx,
    async stop() {
      abort.abort();
      await Promise.allSettled(running);
      await api.stop();
    },
  };
}

export function makeContext(
  api: TestApi,
  clock: Clock,
  settings: Partial<ControllerSettings> = {},
): ControllerContext {
  return {
    client: api.client,
    informers: new InformerFactory(api.client, silentLogger),
    clock,
    log: silentLogger,
    recorder: createEventRecorder({
      client: api.client,
      component: "controller-manager",
      clock,
      log: silentLogger,
    }),
    settings: {
      ...defaultControllerSettings,
      caCertPem: api.caCertPem,
      caKeyPem: api.caKeyPem,
      ...settings,
    },
  };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
