/**
 * The owner/dependent graph (upstream `graph.go`): one node per uid, observed through an
 * informer or "virtual" — known only because a dependent names it as owner, until an informer
 * or a lookup settles whether it exists.
 */
import type { OwnerReference } from "../../api/generated/types.ts";
import { parseApiVersion } from "../../api/object.ts";

/** Where an object lives: enough to GET it, and the uid that says it is still the same one. */
export interface Identity {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

export class GraphNode {
  identity: Identity;
  readonly dependents = new Set<GraphNode>();
  owners: OwnerReference[] = [];
  /** The object has a deletionTimestamp. */
  beingDeleted = false;
  /** Being deleted with the foregroundDeletion finalizer: dependents go first. */
  deletingDependents = false;
  /** Not (yet) seen by an informer. */
  virtual: boolean;

  constructor(identity: Identity, virtual: boolean) {
    this.identity = identity;
    this.virtual = virtual;
  }

  /** Dependents whose reference to this node has blockOwnerDeletion. */
  blockingDependents(): GraphNode[] {
    return [...this.dependents].filter((d) =>
      d.owners.some((o) => o.uid === this.identity.uid && o.blockOwnerDeletion === true),
    );
  }
}

/** Same object coordinates, ignoring the version (one object is served in several). */
export function sameCoordinates(a: Identity, b: Identity): boolean {
  return (
    a.uid === b.uid &&
    a.kind === b.kind &&
    a.name === b.name &&
    a.namespace === b.namespace &&
    parseApiVersion(a.apiVersion).group === parseApiVersion(b.apiVersion).group
  );
}

/** The owner a reference names, in the dependent's namespace (settled by REST mapping later). */
export function ownerIdentity(ref: OwnerReference, dependentNamespace: string): Identity {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    name: ref.name,
    uid: ref.uid,
    namespace: dependentNamespace,
  };
}

export function identityKey(id: Identity): string {
  return `${parseApiVersion(id.apiVersion).group}|${id.kind}|${id.namespace}|${id.name}|${id.uid}`;
}

/** Owners known to be gone, by full coordinates (a bounded set, like upstream's LRU). */
export class AbsentOwnerCache {
  readonly #keys = new Set<string>();
  readonly #capacity: number;

  constructor(capacity = 500) {
    this.#capacity = capacity;
  }

  add(id: Identity): void {
    const key = identityKey(id);
    this.#keys.delete(key);
    this.#keys.add(key);
    if (this.#keys.size > this.#capacity) {
      const oldest = this.#keys.values().next().value;
      if (oldest !== undefined) this.#keys.delete(oldest);
    }
  }

  has(id: Identity): boolean {
    return this.#keys.has(identityKey(id));
  }
}
