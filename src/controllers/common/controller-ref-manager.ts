/**
 * Adoption and release (upstream `ControllerRefManager.ClaimObject`): a controller claims the
 * objects its selector matches. It keeps what it already owns and still matches, releases what
 * it owns but no longer matches (unless it is being deleted), and adopts matching orphans that
 * are not being deleted, after re-reading itself from the API to be sure it is not being deleted
 * (`RecheckDeletionTimestamp`). Adopt and release are strategic merge patches of
 * `metadata.ownerReferences` that carry the object's uid, so they fail on a recreated object.
 */
import type { KubeObject } from "../../api/object.ts";
import { type GroupVersionResource, resourcePath } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { Selector } from "../../machinery/labels.ts";
import { isStatusError } from "../../machinery/status.ts";
import { type ControllerKind, getControllerOf, newControllerRef } from "./controller-ref.ts";

export interface ClaimOptions<T extends KubeObject> {
  readonly client: RestClient;
  /** The controller claiming, as read from its informer. */
  readonly owner: KubeObject;
  readonly ownerKind: ControllerKind;
  readonly ownerResource: GroupVersionResource;
  readonly selector: Selector;
  /** The resource of the objects claimed (pods, replicasets). */
  readonly resource: GroupVersionResource;
  /** Extra conditions an object must meet to be claimed (upstream's ClaimPods filters). */
  readonly filter?: (obj: T) => boolean;
}

/** Returns the objects the owner now controls; throws (after trying all) if any patch failed. */
export async function claimObjects<T extends KubeObject>(
  objs: readonly T[],
  options: ClaimOptions<T>,
): Promise<T[]> {
  const { owner, selector, filter } = options;
  const ownerUid = owner.metadata?.uid;
  const ownerDeleting = Boolean(owner.metadata?.deletionTimestamp);
  const canAdopt = once(() => recheckOwner(options));
  const match = (obj: T) => selector.matches(obj.metadata?.labels ?? {}) && (filter?.(obj) ?? true);
  const claimed: T[] = [];
  const errors: unknown[] = [];
  const work: Promise<void>[] = [];
  for (const obj of objs) {
    const ref = getControllerOf(obj);
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      if (match(obj)) claimed.push(obj);
      else if (!ownerDeleting) {
        work.push(
          ignoreGone(release(obj, options)).catch((err: unknown) => {
            errors.push(err);
          }),
        );
      }
      continue;
    }
    if (ownerDeleting || !match(obj) || obj.metadata?.deletionTimestamp) continue;
    if ((owner.metadata?.namespace ?? "") !== (obj.metadata?.namespace ?? "")) continue;
    work.push(
      adopt(obj, options, canAdopt)
        .then(() => {
          claimed.push(obj);
        })
        .catch((err: unknown) => {
          if (!isStatusError(err, "NotFound")) errors.push(err);
        }),
    );
  }
  await Promise.all(work);
  if (errors.length > 0) {
    throw new AggregateError(errors, errors.map((e) => (e as Error).message).join("; "));
  }
  return claimed;
}

async function adopt<T extends KubeObject>(
  obj: T,
  options: ClaimOptions<T>,
  canAdopt: () => Promise<void>,
): Promise<void> {
  const meta = obj.metadata ?? {};
  try {
    await canAdopt();
  } catch (err) {
    const what = `${meta.namespace}/${meta.name} (${meta.uid})`;
    throw new Error(`can't adopt ${kindOf(options.resource)} ${what}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const ownerRef = newControllerRef(options.owner, options.ownerKind);
  await options.client.patch(
    resourcePath(options.resource, meta.namespace ?? "", meta.name ?? ""),
    "strategic",
    { metadata: { ownerReferences: [ownerRef], uid: meta.uid } },
  );
}

async function release<T extends KubeObject>(obj: T, options: ClaimOptions<T>): Promise<void> {
  const meta = obj.metadata ?? {};
  await options.client.patch(
    resourcePath(options.resource, meta.namespace ?? "", meta.name ?? ""),
    "strategic",
    {
      metadata: {
        ownerReferences: [{ $patch: "delete", uid: options.owner.metadata?.uid }],
        uid: meta.uid,
      },
    },
  );
}

/** Released objects that are gone, or were recreated (uid mismatch → Invalid), need nothing. */
async function ignoreGone(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (isStatusError(err, "NotFound") || isStatusError(err, "Invalid")) return;
    throw err;
  }
}

/** `RecheckDeletionTimestamp` over a fresh GET of the owner, checking it is the same object. */
async function recheckOwner<T extends KubeObject>(options: ClaimOptions<T>): Promise<void> {
  const meta = options.owner.metadata ?? {};
  const path = resourcePath(options.ownerResource, meta.namespace ?? "", meta.name ?? "");
  let fresh: KubeObject;
  try {
    fresh = await options.client.get<KubeObject>(path);
  } catch (err) {
    throw new Error(`can't recheck DeletionTimestamp: ${(err as Error).message}`, { cause: err });
  }
  const kind = options.ownerKind.kind;
  if (fresh.metadata?.uid !== meta.uid) {
    throw new Error(
      `can't recheck DeletionTimestamp: original ${kind} ${meta.namespace}/${meta.name} is gone: got uid ${fresh.metadata?.uid}, wanted ${meta.uid}`,
    );
  }
  if (fresh.metadata?.deletionTimestamp) {
    throw new Error(
      `${meta.namespace}/${meta.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`,
    );
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => {
    result ??= fn();
    return result;
  };
}

const kinds: Record<string, string> = { pods: "Pod", replicasets: "ReplicaSet" };

function kindOf(resource: GroupVersionResource): string {
  return kinds[resource.resource] ?? resource.resource;
}
