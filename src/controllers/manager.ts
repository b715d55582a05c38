/**
 * The controller manager: under a leader-election Lease (`kube-system/kube-controller-manager`),
 * starts the shared informers and runs every enabled controller; stops them when leadership is
 * lost, so with several masters exactly one controller manager acts.
 */
import { createEventRecorder } from "../client/event-recorder.ts";
import { withHandlerScope } from "../client/informer.ts";
import { InformerFactory } from "../client/informer-factory.ts";
import { type LeaderElectionTimings, runLeaderElection } from "../client/leader-election.ts";
import type { RestClient } from "../client/rest-client.ts";
import { type Clock, realClock } from "../machinery/clock.ts";
import type { Logger } from "../machinery/log.ts";
import type { ControllerFactory, ControllerSettings } from "./context.ts";

export interface ControllerManagerOptions {
  readonly client: RestClient;
  readonly controllers: readonly ControllerFactory[];
  readonly settings: ControllerSettings;
  readonly log: Logger;
  readonly clock?: Clock;
  readonly identity?: string;
  readonly leaderElection?: LeaderElectionTimings;
  /**
   * Informers shared with other components of the process (started by the caller); without
   * them each term as leader has its own, stopped when the term ends.
   */
  readonly informers?: InformerFactory;
}

/** The event source upstream's controller of that name records under (`deployment-controller`). */
export function eventSource(factory: ControllerFactory): string {
  if (factory.eventSource) return factory.eventSource;
  return factory.name.endsWith("-controller") ? factory.name : `${factory.name}-controller`;
}

export async function runControllerManager(options: ControllerManagerOptions, signal: AbortSignal) {
  const { client, log } = options;
  const clock = options.clock ?? realClock;
  await runLeaderElection(
    {
      client,
      name: "kube-controller-manager",
      ...(options.identity ? { identity: options.identity } : {}),
      ...options.leaderElection,
      clock,
      log,
      onStartedLeading: async (leading) => {
        const informers = options.informers ?? new InformerFactory(client, log);
        // Handlers added for this term leave shared informers when it ends.
        const running = withHandlerScope(leading, () =>
          options.controllers.map((factory) => {
            const controller = factory.create({
              client,
              informers,
              clock,
              log: log.with({ controller: factory.name }),
              recorder: createEventRecorder({
                client,
                component: eventSource(factory),
                clock,
                log,
              }),
              settings: options.settings,
            });
            return controller;
          }),
        );
        // A shared factory runs already (start is then a no-op).
        informers.start(leading);
        await informers.synced();
        log.info("controllers starting", { count: running.length });
        await Promise.all(
          running.map((c) =>
            c
              .run(leading)
              .catch((err) => log.error("controller stopped", { controller: c.name, err })),
          ),
        );
      },
    },
    signal,
  );
}
