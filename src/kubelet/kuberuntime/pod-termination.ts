/**
 * Stopping a pod's containers (upstream `killContainersWithSyncResult` / `killContainer`): each
 * running container in parallel gets its preStop hook, then the stop signal, then SIGKILL when
 * the rest of the grace period has passed (CRI StopContainer's timeout). Upstream gives every
 * container at least 2 seconds.
 */
import type { Container as ContainerSpec } from "../../api/generated/types.ts";
import type { Clock } from "../../machinery/clock.ts";
import type { Container, RuntimeService } from "../cri/types.ts";
import type { Pod } from "../pod-source.ts";
import { runLifecycleHandler } from "./handlers.ts";
import type { PodEvent } from "./image-manager.ts";
import { containerNameLabel, gracePeriodAnnotation } from "./labels.ts";

export const minimumGracePeriodSeconds = 2;

/** The grace period to use: the explicit one, the pod's, the one recorded on the containers, 30. */
export function gracePeriodFor(
  pod: Pod,
  containers: readonly Container[],
  explicit?: number,
): number {
  const recorded = containers.map((c) => c.annotations[gracePeriodAnnotation]).find(Boolean);
  const seconds =
    explicit ?? pod.spec?.terminationGracePeriodSeconds ?? (recorded ? Number(recorded) : 30);
  return Math.max(minimumGracePeriodSeconds, seconds);
}

export interface KillOptions {
  readonly runtime: RuntimeService;
  readonly clock: Clock;
  readonly pod: Pod;
  readonly podIP: string;
  readonly containers: readonly Container[];
  readonly gracePeriodSeconds: number;
  readonly event: PodEvent;
  readonly reason?: string;
}

/** Stops every running container; resolves when all have stopped. */
export async function killContainers(o: KillOptions): Promise<void> {
  const specs = [...(o.pod.spec?.initContainers ?? []), ...(o.pod.spec?.containers ?? [])];
  const running = o.containers.filter(
    (c) => c.state === "CONTAINER_RUNNING" || c.state === "CONTAINER_CREATED",
  );
  await Promise.all(
    running.map((c) =>
      killContainer(
        o,
        c,
        specs.find((s) => s.name === c.labels[containerNameLabel]),
      ),
    ),
  );
}

export async function killContainer(
  o: KillOptions,
  c: Container,
  spec: ContainerSpec | undefined,
): Promise<void> {
  const name = c.labels[containerNameLabel] ?? c.metadata.name;
  const started = o.clock.now();
  o.event("Normal", "Killing", o.reason ?? `Stopping container ${name}`);
  const preStop = spec?.lifecycle?.preStop;
  if (preStop && c.state === "CONTAINER_RUNNING") {
    const verdict = await runLifecycleHandler(
      {
        runtime: o.runtime,
        containerId: c.id,
        container: spec,
        podIP: o.podIP,
        timeoutSeconds: o.gracePeriodSeconds,
        clock: o.clock,
      },
      preStop,
    );
    if (!verdict.ok) {
      o.event("Warning", "FailedPreStopHook", `PreStopHook failed: ${verdict.message}`);
    }
  }
  const spent = Math.floor((o.clock.now() - started) / 1000);
  const remaining = Math.max(minimumGracePeriodSeconds, o.gracePeriodSeconds - spent);
  await o.runtime.stopContainer(c.id, remaining).catch((err: unknown) => {
    if ((err as { code?: string }).code !== "NotFound") throw err;
  });
}
