/**
 * What admission plugins may read of cluster state: a synchronous view of the watch caches.
 * Plugins never write and never reach the Store; the API server supplies the implementation.
 * `StaticReader` is the in-memory fake the plugin tests (and anyone else) can use.
 */
import type { KubeObject } from "../../../api/object.ts";

export interface AdmissionReader {
  /** One object; `namespace` is "" for cluster-scoped resources. Undefined when absent. */
  get(group: string, resource: string, namespace: string, name: string): KubeObject | undefined;
  /** Every object of a resource in a namespace ("" for cluster-scoped: all of them). */
  list(group: string, resource: string, namespace: string): KubeObject[];
}

/** A reader over a fixed set of objects, keyed by group and resource. */
export class StaticReader implements AdmissionReader {
  readonly #objects = new Map<string, KubeObject[]>();

  /** Adds objects of one resource; their metadata.namespace places them. */
  add(group: string, resource: string, ...objects: KubeObject[]): this {
    const key = `${group}/${resource}`;
    this.#objects.set(key, [...(this.#objects.get(key) ?? []), ...objects]);
    return this;
  }

  get(group: string, resource: string, namespace: string, name: string): KubeObject | undefined {
    return this.list(group, resource, namespace).find((o) => o.metadata?.name === name);
  }

  list(group: string, resource: string, namespace: string): KubeObject[] {
    const all = this.#objects.get(`${group}/${resource}`) ?? [];
    if (namespace === "") return [...all];
    return all.filter((o) => (o.metadata?.namespace ?? "") === namespace);
  }
}

/**
 * Typed reads. The caches hold objects their strategies validated, so reading them as their
 * generated type is sound; the one cast lives here.
 */
export function getAs<T>(
  reader: AdmissionReader,
  ...key: [string, string, string, string]
): T | undefined {
  return reader.get(...key) as T | undefined;
}

export function listAs<T>(reader: AdmissionReader, ...key: [string, string, string]): T[] {
  return reader.list(...key) as unknown as T[];
}
