/**
 * A StatefulSet's revision history (upstream `getStatefulSetRevisions`, `truncateHistory`,
 * `adoptOrphanRevisions`): the update revision is the current template's; an equal older one is
 * renumbered instead of duplicated (a rollback); the current revision is the one named in
 * `status.currentRevision`, or the update revision for a new set.
 */
import type { ControllerRevision, Pod, StatefulSet } from "../../api/generated/types.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { selectorFromLabelSelector } from "../../machinery/labels.ts";
import {
  equalRevision,
  findEqualRevisions,
  newControllerRevision,
  nextRevision,
  revisionsOverLimit,
  sortControllerRevisions,
  templatePatch,
} from "../history/controller-revision.ts";
import {
  adoptControllerRevision,
  createControllerRevision,
  deleteControllerRevision,
  updateRevisionNumber,
} from "../history/revision-client.ts";
import { getPodRevision, statefulSetKind } from "./stateful-set-utils.ts";

export interface StatefulSetRevisions {
  readonly current: ControllerRevision;
  readonly update: ControllerRevision;
  readonly collisionCount: number;
}

/** `newRevision`: the set's template as a revision, labelled like its pods. */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number) {
  const cr = newControllerRevision({
    parent: set,
    parentKind: statefulSetKind,
    templateLabels: set.spec?.template.metadata?.labels,
    data: templatePatch(set),
    revision,
    collisionCount,
  });
  if (set.metadata?.annotations) {
    cr.metadata!.annotations = { ...set.metadata.annotations };
  }
  return cr;
}

/** The revisions the set controls, adopting orphans its selector matches. */
export async function listRevisions(options: {
  client: RestClient;
  set: StatefulSet;
  all: readonly ControllerRevision[];
}): Promise<ControllerRevision[]> {
  const { set } = options;
  const uid = set.metadata?.uid;
  const selector = selectorFromLabelSelector(set.spec?.selector);
  const owned: ControllerRevision[] = [];
  for (const rev of options.all) {
    const ref = rev.metadata?.ownerReferences?.find((r) => r.controller === true);
    if (ref) {
      if (ref.uid === uid) owned.push(rev);
      continue;
    }
    if (set.metadata?.deletionTimestamp || !selector.matches(rev.metadata?.labels ?? {})) continue;
    owned.push(
      await adoptControllerRevision({
        client: options.client,
        parent: set,
        parentKind: statefulSetKind,
        revision: rev,
      }),
    );
  }
  return sortControllerRevisions(owned);
}

/** `getStatefulSetRevisions`. */
export async function getStatefulSetRevisions(options: {
  client: RestClient;
  set: StatefulSet;
  revisions: ControllerRevision[];
}): Promise<StatefulSetRevisions> {
  const { client, set, revisions } = options;
  let collisionCount = set.status?.collisionCount ?? 0;
  let update = newRevision(set, nextRevision(revisions), collisionCount);
  const equal = findEqualRevisions(revisions, update);
  const last = revisions[revisions.length - 1];
  const lastEqual = equal[equal.length - 1];
  if (lastEqual && equalRevision(last, lastEqual)) {
    update = last!;
  } else if (lastEqual) {
    update = await updateRevisionNumber(client, lastEqual, update.revision);
  } else {
    const created = await createControllerRevision({
      client,
      parent: set,
      revision: update,
      collisionCount,
    });
    update = created.revision;
    collisionCount = created.collisionCount;
  }
  const current = revisions.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount };
}

/** `truncateHistory`: deletes the oldest revisions no pod uses beyond `revisionHistoryLimit`. */
export async function truncateHistory(options: {
  client: RestClient;
  set: StatefulSet;
  pods: readonly Pod[];
  revisions: readonly ControllerRevision[];
  current: ControllerRevision;
  update: ControllerRevision;
}): Promise<void> {
  const live = new Set([options.current.metadata?.name, options.update.metadata?.name]);
  for (const pod of options.pods) live.add(getPodRevision(pod));
  const doomed = revisionsOverLimit({
    revisions: options.revisions,
    isLive: (r) => live.has(r.metadata?.name),
    limit: options.set.spec?.revisionHistoryLimit ?? 10,
  });
  for (const rev of doomed) await deleteControllerRevision(options.client, rev);
}
