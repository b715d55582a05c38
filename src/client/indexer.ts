/**
 * Secondary indexes over an informer's cache (client-go's `cache.Indexer`): an index function
 * maps an object to the values it is filed under (an owner's uid, a namespace, a node name), and
 * `byIndex` returns the objects filed under one value without scanning the cache. The informer
 * keeps every index current as objects are added, updated and deleted.
 */

/** client-go's `IndexFunc`: the values `obj` is filed under (none: not in this index). */
export type IndexFunc<T> = (obj: T) => readonly string[];

interface Index<T> {
  /** Method syntax, so `Informer<Pod>` stays assignable to `Informer<ObjectLike>`. */
  fn(obj: T): readonly string[];
  /** value → cache key → object. */
  readonly entries: Map<string, Map<string, T>>;
}

export class Indices<T> {
  readonly #indexes = new Map<string, Index<T>>();

  /**
   * Adds an index and files `existing` under it. Adding the same function under the same name
   * again is a no-op, so controllers sharing an informer can each ask for the indexes they use;
   * another function under a taken name is a programming error (client-go's indexer conflict).
   */
  add(name: string, fn: IndexFunc<T>, existing: Iterable<[string, T]>): void {
    const current = this.#indexes.get(name);
    if (current) {
      if (current.fn === fn) return;
      throw new Error(`indexer conflict: an index named ${JSON.stringify(name)} already exists`);
    }
    const index: Index<T> = { fn, entries: new Map() };
    this.#indexes.set(name, index);
    for (const [key, obj] of existing) file(index, key, fn(obj), obj);
  }

  has(name: string): boolean {
    return this.#indexes.has(name);
  }

  /** The objects filed under `value` in index `name`, in the order they were filed. */
  byIndex(name: string, value: string): T[] {
    const index = this.#indexes.get(name);
    if (!index) throw new Error(`index with name ${JSON.stringify(name)} does not exist`);
    const objs = index.entries.get(value);
    return objs ? [...objs.values()] : [];
  }

  /** Moves `key` from where `old` was filed (absent: nowhere) to where `obj` belongs. */
  update(key: string, old: T | undefined, obj: T): void {
    for (const index of this.#indexes.values()) {
      const before = old === undefined ? [] : index.fn(old);
      const after = index.fn(obj);
      for (const value of before) if (!after.includes(value)) unfile(index, key, value);
      file(index, key, after, obj);
    }
  }

  /** Removes `key`, filed as `old`, from every index. */
  delete(key: string, old: T): void {
    for (const index of this.#indexes.values()) {
      for (const value of index.fn(old)) unfile(index, key, value);
    }
  }
}

function file<T>(index: Index<T>, key: string, values: readonly string[], obj: T): void {
  for (const value of values) {
    let objs = index.entries.get(value);
    if (!objs) {
      objs = new Map();
      index.entries.set(value, objs);
    }
    objs.set(key, obj);
  }
}

function unfile<T>(index: Index<T>, key: string, value: string): void {
  const objs = index.entries.get(value);
  if (!objs) return;
  objs.delete(key);
  if (objs.size === 0) index.entries.delete(value);
}
