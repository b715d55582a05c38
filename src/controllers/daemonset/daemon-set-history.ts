/**
 * A DaemonSet's ControllerRevisions (upstream `constructHistory`, `snapshot`, `dedupCurHistories`,
 * `cleanupHistory`): the revision whose stored template equals the DaemonSet's is current (its
 * number raised to the top if it was an older one — a rollback), otherwise a new one named
 * `<ds>-<hash>` is made; old revisions no pod uses go beyond `revisionHistoryLimit`.
 */
import type { ControllerRevision, DaemonSet, Pod } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { selectorFromLabelSelector } from "../../machinery/labels.ts";
import { isStatusError } from "../../machinery/status.ts";
import { canonicalJson } from "../history/canonical-json.ts";
import {
  newControllerRef,
  sortControllerRevisions,
  templatePatch,
} from "../history/controller-revision.ts";
import { computeTemplateHash } from "../history/hash.ts";
import {
  adoptControllerRevision,
  deleteControllerRevision,
  updateRevisionNumber,
} from "../history/revision-client.ts";
import { daemonSetKind, daemonSetUniqueLabel } from "./daemon-set-util.ts";

const revisionPath = (ns: string, name = "") =>
  resourcePath(resources.controllerrevisions, ns, name);

/** `Match`: the revision stores exactly this DaemonSet's template. */
export const matchesTemplate = (ds: DaemonSet, rev: ControllerRevision): boolean =>
  canonicalJson(templatePatch(ds)) === canonicalJson(rev.data ?? null);

export interface DaemonSetHistory {
  readonly cur: ControllerRevision;
  readonly old: ControllerRevision[];
}

/** The revisions the DaemonSet controls, adopting matching orphans. */
async function controlledHistories(
  client: RestClient,
  ds: DaemonSet,
  all: readonly ControllerRevision[],
): Promise<ControllerRevision[]> {
  const selector = selectorFromLabelSelector(ds.spec?.selector);
  const owned: ControllerRevision[] = [];
  for (const rev of all) {
    const ref = rev.metadata?.ownerReferences?.find((r) => r.controller === true);
    if (ref) {
      if (ref.uid === ds.metadata?.uid) owned.push(rev);
    } else if (!ds.metadata?.deletionTimestamp && selector.matches(rev.metadata?.labels ?? {})) {
      owned.push(
        await adoptControllerRevision({
          client,
          parent: ds,
          parentKind: daemonSetKind,
          revision: rev,
        }),
      );
    }
  }
  return owned;
}

/** `constructHistory`. */
export async function constructHistory(
  client: RestClient,
  ds: DaemonSet,
  all: readonly ControllerRevision[],
): Promise<DaemonSetHistory> {
  const current: ControllerRevision[] = [];
  const old: ControllerRevision[] = [];
  for (const rev of await controlledHistories(client, ds, all)) {
    (matchesTemplate(ds, rev) ? current : old).push(rev);
  }
  const next = old.reduce((max, r) => Math.max(max, r.revision), 0) + 1;
  if (current.length === 0) return { cur: await snapshot(client, ds, next), old };
  current.sort((a, b) => b.revision - a.revision);
  const keep = current[0]!;
  for (const dup of current.slice(1)) await deleteControllerRevision(client, dup);
  const cur = keep.revision < next ? await updateRevisionNumber(client, keep, next) : keep;
  return { cur, old };
}

/** `snapshot`: a new revision; a name taken by other data bumps `status.collisionCount`. */
async function snapshot(client: RestClient, ds: DaemonSet, revision: number) {
  const meta = ds.metadata ?? {};
  const hash = computeTemplateHash(ds.spec?.template, ds.status?.collisionCount);
  const name = `${meta.name}-${hash}`;
  const history: ControllerRevision = {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      name,
      namespace: meta.namespace ?? "",
      labels: { ...(ds.spec?.template.metadata?.labels ?? {}), [daemonSetUniqueLabel]: hash },
      ...(meta.annotations ? { annotations: meta.annotations } : {}),
      ownerReferences: [newControllerRef(ds, daemonSetKind)],
    },
    data: templatePatch(ds),
    revision,
  };
  try {
    return await client.create<ControllerRevision>(revisionPath(meta.namespace ?? ""), history);
  } catch (err) {
    if (!isStatusError(err, "AlreadyExists")) throw err;
    const existing = await client.get<ControllerRevision>(revisionPath(meta.namespace ?? "", name));
    if (matchesTemplate(ds, existing)) return existing;
    const dsPath = resourcePath(resources.daemonsets, meta.namespace, meta.name);
    const fresh = await client.get<DaemonSet>(dsPath);
    if ((fresh.status?.collisionCount ?? -1) !== (ds.status?.collisionCount ?? -1)) {
      throw new Error(`found a stale collision count of DaemonSet "${meta.name}"; will retry`);
    }
    const status = fresh.status ?? {
      currentNumberScheduled: 0,
      desiredNumberScheduled: 0,
      numberMisscheduled: 0,
      numberReady: 0,
    };
    status.collisionCount = (status.collisionCount ?? 0) + 1;
    await client.update(`${dsPath}/status`, { ...fresh, status });
    throw err;
  }
}

/** `cleanupHistory`: deletes the oldest old revisions no pod uses, beyond the limit. */
export async function cleanupHistory(options: {
  client: RestClient;
  ds: DaemonSet;
  old: readonly ControllerRevision[];
  pods: readonly Pod[];
}): Promise<void> {
  const liveHashes = new Set<string>();
  for (const pod of options.pods) {
    const hash = pod.metadata?.labels?.[daemonSetUniqueLabel];
    if (hash) liveHashes.add(hash);
  }
  // Upstream counts every old revision against the limit, then spares the live ones.
  let toKill = options.old.length - (options.ds.spec?.revisionHistoryLimit ?? 10);
  const doomed: ControllerRevision[] = [];
  for (const rev of sortControllerRevisions([...options.old])) {
    if (toKill <= 0) break;
    if (liveHashes.has(rev.metadata?.labels?.[daemonSetUniqueLabel] ?? "")) continue;
    doomed.push(rev);
    toKill--;
  }
  for (const rev of doomed) await deleteControllerRevision(options.client, rev);
}
