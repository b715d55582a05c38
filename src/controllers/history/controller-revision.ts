/**
 * ControllerRevision helpers shared by the StatefulSet and DaemonSet controllers (upstream
 * `pkg/controller/history`): the template patch a revision stores, its hash and name
 * (`<owner>-<hash>`), revision numbers, equality, and which revisions the history limit lets go.
 */
import type {
  ControllerRevision,
  ObjectMeta,
  OwnerReference,
  PodTemplateSpec,
} from "../../api/generated/types.ts";
import { clone } from "../../api/object.ts";
import { compareStrings } from "../../machinery/apply/go-json.ts";
import { canonicalJson } from "./canonical-json.ts";
import { fnv32, safeEncodeString } from "./hash.ts";

/** `apps.ControllerRevisionHashLabelKey` (also `DefaultDaemonSetUniqueLabelKey`). */
export const controllerRevisionHashLabel = "controller-revision-hash";

/** What a revision's owner must offer: its metadata and a pod template. */
export interface RevisionOwner {
  metadata?: ObjectMeta;
  spec?: { template: PodTemplateSpec };
}

/**
 * `getPatch`: `{"spec":{"template":{...,"$patch":"replace"}}}`, the strategic merge patch that
 * restores the owner's template, with keys sorted as Go writes them.
 */
export function templatePatch(owner: RevisionOwner): Record<string, unknown> {
  const template = clone((owner.spec?.template ?? {}) as Record<string, unknown>);
  template.$patch = "replace";
  return JSON.parse(canonicalJson({ spec: { template } })) as Record<string, unknown>;
}

/** `ApplyRevision`: the owner with its template replaced by the one the revision stored. */
export function applyRevision<T extends RevisionOwner>(owner: T, revision: ControllerRevision): T {
  const restored = clone(owner);
  const data = revision.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const template = clone(data?.spec?.template ?? {});
  delete template.$patch;
  if (restored.spec) restored.spec.template = template as PodTemplateSpec;
  return restored;
}

/** `HashControllerRevision`: FNV-32 of the data bytes, then the probe (collision count). */
export function hashControllerRevision(revision: ControllerRevision, probe?: number): string {
  let h = fnv32(Buffer.from(revision.data === undefined ? "" : canonicalJson(revision.data)));
  if (probe !== undefined) h = fnv32(Buffer.from(String(probe)), h);
  return safeEncodeString(String(h));
}

/** `ControllerRevisionName`: the prefix cut to 223 characters, a dash, the hash. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/** `metav1.NewControllerRef`. */
export function newControllerRef(
  owner: { metadata?: ObjectMeta },
  gvk: { apiVersion: string; kind: string },
): OwnerReference {
  return {
    apiVersion: gvk.apiVersion,
    kind: gvk.kind,
    name: owner.metadata?.name ?? "",
    uid: owner.metadata?.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * `NewControllerRevision`: labelled with the template labels and the hash, owned by `parent`,
 * named `<parent>-<hash>`.
 */
export function newControllerRevision(options: {
  parent: RevisionOwner;
  parentKind: { apiVersion: string; kind: string };
  templateLabels: Record<string, string> | undefined;
  data: Record<string, unknown>;
  revision: number;
  collisionCount?: number;
}): ControllerRevision {
  const cr: ControllerRevision = {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      namespace: options.parent.metadata?.namespace ?? "",
      labels: { ...(options.templateLabels ?? {}) },
      ownerReferences: [newControllerRef(options.parent, options.parentKind)],
    },
    data: options.data,
    revision: options.revision,
  };
  const hash = hashControllerRevision(cr, options.collisionCount);
  const meta = cr.metadata!;
  meta.name = controllerRevisionName(options.parent.metadata?.name ?? "", hash);
  meta.labels![controllerRevisionHashLabel] = hash;
  return cr;
}

/** `EqualRevision`: the same stored data (key order aside). */
export function equalRevision(
  a: ControllerRevision | undefined,
  b: ControllerRevision | undefined,
): boolean {
  if (a === undefined || b === undefined) return a === b;
  return canonicalJson(a.data ?? null) === canonicalJson(b.data ?? null);
}

export function findEqualRevisions(
  revisions: readonly ControllerRevision[],
  needle: ControllerRevision,
): ControllerRevision[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** `SortControllerRevisions`: by revision number, then creation time, then name. */
export function sortControllerRevisions(revisions: ControllerRevision[]): ControllerRevision[] {
  return revisions.sort(
    (a, b) =>
      a.revision - b.revision ||
      compareStrings(a.metadata?.creationTimestamp ?? "", b.metadata?.creationTimestamp ?? "") ||
      compareStrings(a.metadata?.name ?? "", b.metadata?.name ?? ""),
  );
}

/** One more than the highest revision number (1 for no history). */
export function nextRevision(revisions: readonly ControllerRevision[]): number {
  return revisions.reduce((max, r) => Math.max(max, r.revision), 0) + 1;
}

/**
 * The revisions to delete so at most `limit` non-live ones remain: the oldest non-live ones
 * first. `live` holds names or hashes that must be kept (current, update, in use by pods).
 */
export function revisionsOverLimit(options: {
  revisions: readonly ControllerRevision[];
  isLive: (revision: ControllerRevision) => boolean;
  limit: number;
}): ControllerRevision[] {
  const history = sortControllerRevisions(options.revisions.filter((r) => !options.isLive(r)));
  const excess = history.length - Math.max(0, options.limit);
  return excess > 0 ? history.slice(0, excess) : [];
}
