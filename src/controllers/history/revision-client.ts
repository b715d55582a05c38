/**
 * Writing ControllerRevisions through the API (upstream `history.realHistory`): create with hash
 * collision handling, renumber (for rollbacks), delete, and adopt or release by controller ref.
 */
import type { ControllerRevision, ObjectMeta } from "../../api/generated/types.ts";
import { clone } from "../../api/object.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { isStatusError } from "../../machinery/status.ts";
import { canonicalJson } from "./canonical-json.ts";
import {
  controllerRevisionHashLabel,
  controllerRevisionName,
  hashControllerRevision,
  newControllerRef,
} from "./controller-revision.ts";

const path = (namespace: string, name = "") =>
  resourcePath(resources.controllerrevisions, namespace, name);

/** The result of a create: the stored revision and the collision count it took to store it. */
export interface CreatedRevision {
  readonly revision: ControllerRevision;
  readonly collisionCount: number;
}

/**
 * `CreateControllerRevision`: tries `<parent>-<hash>`; when that name holds different data,
 * bumps the collision count and tries the next hash. An equal revision already stored is reused.
 */
export async function createControllerRevision(options: {
  client: RestClient;
  parent: { metadata?: ObjectMeta };
  revision: ControllerRevision;
  collisionCount: number;
}): Promise<CreatedRevision> {
  const { client, parent } = options;
  const namespace = parent.metadata?.namespace ?? "";
  let collisionCount = options.collisionCount;
  for (let attempt = 0; attempt < 100; attempt++) {
    const candidate = clone(options.revision);
    const hash = hashControllerRevision(options.revision, collisionCount);
    candidate.metadata ??= {};
    const meta = candidate.metadata;
    meta.name = controllerRevisionName(parent.metadata?.name ?? "", hash);
    meta.namespace = namespace;
    meta.labels = { ...(meta.labels ?? {}), [controllerRevisionHashLabel]: hash };
    try {
      const created = await client.create<ControllerRevision>(path(namespace), candidate);
      return { revision: created, collisionCount };
    } catch (err) {
      if (!isStatusError(err, "AlreadyExists")) throw err;
      const existing = await client.get<ControllerRevision>(path(namespace, meta.name));
      if (canonicalJson(existing.data ?? null) === canonicalJson(candidate.data ?? null)) {
        return { revision: existing, collisionCount };
      }
      collisionCount++;
    }
  }
  throw new Error(`too many hash collisions creating a revision of ${parent.metadata?.name}`);
}

/** `UpdateControllerRevision`: gives an existing revision a new number (rolling back to it). */
export async function updateRevisionNumber(
  client: RestClient,
  revision: ControllerRevision,
  newRevision: number,
): Promise<ControllerRevision> {
  if (revision.revision === newRevision) return revision;
  const meta = revision.metadata ?? {};
  return client.patch<ControllerRevision>(path(meta.namespace ?? "", meta.name ?? ""), "merge", {
    revision: newRevision,
  });
}

/** `DeleteControllerRevision`; already gone counts as done. */
export async function deleteControllerRevision(
  client: RestClient,
  revision: ControllerRevision,
): Promise<void> {
  const meta = revision.metadata ?? {};
  try {
    await client.delete(path(meta.namespace ?? "", meta.name ?? ""));
  } catch (err) {
    if (!isStatusError(err, "NotFound")) throw err;
  }
}

/**
 * `AdoptControllerRevision`: makes `parent` the controller of an orphaned revision, with the
 * owner's uid as a precondition so a recreated owner does not adopt its predecessor's history.
 */
export async function adoptControllerRevision(options: {
  client: RestClient;
  parent: { metadata?: ObjectMeta };
  parentKind: { apiVersion: string; kind: string };
  revision: ControllerRevision;
}): Promise<ControllerRevision> {
  const meta = options.revision.metadata ?? {};
  const ref = newControllerRef(options.parent, options.parentKind);
  return options.client.patch<ControllerRevision>(
    path(meta.namespace ?? "", meta.name ?? ""),
    "merge",
    {
      metadata: {
        ownerReferences: [...(meta.ownerReferences ?? []), ref],
        uid: meta.uid,
      },
    },
  );
}
