/**
 * One informer per resource, shared by every controller of a process (client-go's
 * SharedInformerFactory): ask for the informers you need, then `start` them all.
 *
 * Cached objects leave out metadata.managedFields, as the informers of upstream's
 * kube-controller-manager and kube-scheduler do (a transform that trims them): no controller
 * reads them, and they are a large share of every pod. An update sent from a cached object
 * keeps the live object's managed fields (the API server starts from those when a request
 * carries none).
 */
import type { ObjectLike } from "../api/object.ts";
import type { Logger } from "../machinery/log.ts";
import { Informer } from "./informer.ts";
import type { GroupVersionResource } from "./resources.ts";
import type { RestClient } from "./rest-client.ts";
import { StringPool } from "./string-pool.ts";

/** Strings shared by every informer of the process (see string-pool.ts). */
const pool = new StringPool();

/**
 * The object without metadata.managedFields (client-go's informers.WithTransform(trim)), its
 * strings interned. Copied, not deleted from: an object that loses a property in the middle
 * becomes a slow dictionary in V8 (and 350 bytes bigger, for a pod's metadata).
 */
export function stripManagedFields<T extends ObjectLike>(obj: T): T {
  const metadata = obj.metadata;
  if (metadata?.managedFields === undefined) return pool.internAll(obj);
  const { managedFields: _, ...rest } = metadata;
  return pool.internAll({ ...obj, metadata: rest });
}

/**
 * Only apiVersion, kind and metadata (without managedFields): what upstream's metadata-only
 * informers (PartialObjectMetadata) hold, e.g. for the garbage collector.
 */
export function keepMetadataOnly<T extends ObjectLike>(obj: T): T {
  const { apiVersion, kind } = obj as { apiVersion?: string; kind?: string };
  const { managedFields: _, ...metadata } = obj.metadata ?? {};
  return pool.internAll({
    ...(apiVersion !== undefined ? { apiVersion } : {}),
    ...(kind !== undefined ? { kind } : {}),
    metadata,
  }) as T;
}

export interface InformerFactoryOptions {
  /** Keep metadata.managedFields in cached objects (default: dropped). */
  readonly keepManagedFields?: boolean;
}

export class InformerFactory {
  readonly #client: RestClient;
  readonly #log: Logger | undefined;
  readonly #informers = new Map<string, Informer>();
  readonly #transform: (<T extends ObjectLike>(obj: T) => T) | undefined;
  #started: AbortSignal | undefined;

  constructor(client: RestClient, log?: Logger, options: InformerFactoryOptions = {}) {
    this.#client = client;
    this.#log = log;
    this.#transform = options.keepManagedFields ? undefined : stripManagedFields;
  }

  informer<T extends ObjectLike = ObjectLike>(resource: GroupVersionResource): Informer<T> {
    const key = `${resource.group}/${resource.version}/${resource.resource}`;
    let informer = this.#informers.get(key);
    if (!informer) {
      informer = new Informer({
        client: this.#client,
        resource,
        ...(this.#log ? { log: this.#log } : {}),
        ...(this.#transform ? { transform: this.#transform } : {}),
      });
      this.#informers.set(key, informer);
      if (this.#started) void informer.run(this.#started);
    }
    return informer as unknown as Informer<T>;
  }

  /** The informer of `resource` if a component has asked for it, without creating one. */
  existing<T extends ObjectLike = ObjectLike>(
    resource: GroupVersionResource,
  ): Informer<T> | undefined {
    const key = `${resource.group}/${resource.version}/${resource.resource}`;
    return this.#informers.get(key) as unknown as Informer<T> | undefined;
  }

  /**
   * Starts every informer asked for so far (and later ones as they are asked for); a factory
   * started already stays on its first signal (several components may share one factory).
   */
  start(signal: AbortSignal): void {
    if (this.#started) return;
    this.#started = signal;
    for (const informer of this.#informers.values()) void informer.run(signal);
  }

  /** Resolves when every informer has loaded its first list. */
  async synced(): Promise<void> {
    await Promise.all([...this.#informers.values()].map((i) => i.synced()));
  }
}
