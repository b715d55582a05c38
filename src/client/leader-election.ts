/**
 * Leader election on a coordination.k8s.io Lease (client-go's leaderelection): one holder at a
 * time renews the lease; others take it over when they have seen no renewal for its duration,
 * timed on their own clocks. The leader's work runs with a signal that aborts when leadership is
 * lost: at once when another holds the lease, or when it could not renew for its renew deadline.
 */
import { randomUUID } from "node:crypto";
import type { Lease } from "../api/generated/types.ts";
import { type Clock, realClock } from "../machinery/clock.ts";
import { type Logger, silentLogger } from "../machinery/log.ts";
import { isStatusError } from "../machinery/status.ts";
import { resourcePath, resources } from "./resources.ts";
import type { RestClient } from "./rest-client.ts";

/** Upstream's --leader-elect-lease-duration and --leader-elect-retry-period (15 s, 2 s). */
export interface LeaderElectionTimings {
  readonly leaseDurationSeconds?: number;
  readonly retryPeriodMs?: number;
}

export interface LeaderElectionOptions {
  readonly client: RestClient;
  readonly name: string;
  readonly namespace?: string;
  readonly identity?: string;
  readonly leaseDurationSeconds?: number;
  readonly retryPeriodMs?: number;
  readonly clock?: Clock;
  readonly log?: Logger;
  /** The leader's work; its signal aborts when leadership is lost or the election ends. */
  readonly onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
}

const microTime = (ms: number) => new Date(ms).toISOString().replace("Z", "000Z");

export async function runLeaderElection(
  options: LeaderElectionOptions,
  signal: AbortSignal,
): Promise<void> {
  const clock = options.clock ?? realClock;
  const log = (options.log ?? silentLogger).with({ lease: options.name });
  const ns = options.namespace ?? "kube-system";
  const identity = options.identity ?? `${options.name}-${randomUUID().slice(0, 8)}`;
  const duration = options.leaseDurationSeconds ?? 15;
  const retry = options.retryPeriodMs ?? 2000;
  const path = resourcePath(resources.leases, ns, options.name);
  let leading: AbortController | undefined;
  // As client-go: another holder's lease is judged by when this candidate saw it change, on its
  // own clock, never by the renewTime written with another machine's clock (a master whose
  // clock runs ahead would otherwise take a live lease, one that runs behind keep a dead one).
  let observed: { version: string; at: number } | undefined;
  let lastRenewed = 0;
  // Upstream's --leader-elect-renew-deadline (10 s of a 15 s lease): how long a leader that
  // cannot reach the API keeps leading before it stops.
  const renewDeadlineMs = (duration * 1000 * 2) / 3;

  const tryAcquireOrRenew = async (): Promise<boolean> => {
    let lease: Lease | undefined;
    try {
      lease = await options.client.get<Lease>(path);
    } catch (err) {
      if (!isStatusError(err, "NotFound")) throw err;
    }
    const now = clock.now();
    const spec = lease?.spec ?? {};
    const holder = spec.holderIdentity;
    const version = lease?.metadata?.resourceVersion ?? "";
    if (observed?.version !== version) observed = { version, at: now };
    const expired = now - observed.at >= (spec.leaseDurationSeconds ?? duration) * 1000;
    if (lease && holder && holder !== identity && !expired) return false;
    const transitions = (spec.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
    const desired = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { ...(lease?.metadata ?? {}), name: options.name, namespace: ns },
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds: duration,
        acquireTime: holder === identity && spec.acquireTime ? spec.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: lease ? transitions : 0,
      },
    };
    try {
      const written = lease
        ? await options.client.update<Lease>(path, desired)
        : await options.client.create<Lease>(resourcePath(resources.leases, ns), desired);
      observed = { version: written.metadata?.resourceVersion ?? "", at: now };
      lastRenewed = now;
      return true;
    } catch (err) {
      if (isStatusError(err, "Conflict") || isStatusError(err, "AlreadyExists")) return false;
      throw err;
    }
  };

  while (!signal.aborted) {
    let held = false;
    try {
      held = await tryAcquireOrRenew();
    } catch (err) {
      log.warn("lease renewal failed", { err });
      // The API did not answer: a leader keeps leading until its renew deadline passes (another
      // candidate waits a whole lease duration from the last renewal it saw).
      held = leading !== undefined && clock.now() - lastRenewed < renewDeadlineMs;
    }
    if (held && !leading) {
      leading = new AbortController();
      log.info("became leader", { identity });
      const leaderSignal = leading.signal;
      void Promise.resolve(options.onStartedLeading(leaderSignal)).catch((err) =>
        log.error("leader work failed", { err }),
      );
    } else if (!held && leading) {
      log.warn("lost leadership", { identity });
      leading.abort();
      leading = undefined;
    }
    await new Promise<void>((resolve) => {
      const t = clock.after(retry, resolve);
      signal.addEventListener(
        "abort",
        () => {
          t.cancel();
          resolve();
        },
        { once: true },
      );
    });
  }
  leading?.abort();
}
