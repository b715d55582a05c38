/**
 * Sets of field paths, as structured-merge-diff's `fieldpath.Set`: the fields one manager owns.
 * A set is a tree; a path is in the set when its last element is a member of the node its
 * prefix leads to. Children that would be empty are never kept.
 *
 * `toFieldsV1` / `FieldSet.fromFieldsV1` convert to and from the `fieldsV1` JSON of
 * `metadata.managedFields`, key for key as upstream writes it: elements sorted, `{}` for a
 * member without children, and `".": {}` first inside a member that also has children.
 */
import { isJsonObject, type JsonObject } from "../patch/json-value.ts";
import { compareElements, elementText, type Path, type PathElement, parseElement } from "./path.ts";

interface Child {
  readonly element: PathElement;
  readonly set: FieldSet;
}

export class FieldSet {
  readonly #members = new Map<string, PathElement>();
  readonly #children = new Map<string, Child>();
  /** `toFieldsV1()`, kept until the set changes (managers' sets are encoded on every write). */
  #fieldsV1: JsonObject | undefined;
  /** A set shared between callers (`freeze`): adding to it is a bug. */
  #frozen = false;

  static of(...paths: Path[]): FieldSet {
    const set = new FieldSet();
    for (const path of paths) set.insert(path);
    return set;
  }

  /**
   * Adds a path (the empty path, the root, cannot be a member and is ignored). Only sets being
   * built are added to: the set operations share unchanged children between their answers.
   */
  insert(path: Path): this {
    const last = path.at(-1);
    if (last === undefined) return this;
    let set: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) set = set.openChild(elementText(path[i]!), path[i]!);
    set.addMember(elementText(last), last);
    return this;
  }

  /**
   * For builders that walk a value top-down: the set below `pe` (`text` is its `elementText`),
   * created when missing. The caller adds to it at once, so no child stays empty.
   */
  openChild(text: string, pe: PathElement): FieldSet {
    this.#assertOpen();
    this.#fieldsV1 = undefined;
    let child = this.#children.get(text);
    if (!child) {
      child = { element: pe, set: new FieldSet() };
      this.#children.set(text, child);
    }
    return child.set;
  }

  /** Adds `pe` (`text` is its `elementText`) as a member: `insert([pe])` without the lookups. */
  addMember(text: string, pe: PathElement): void {
    this.#assertOpen();
    this.#fieldsV1 = undefined;
    this.#members.set(text, pe);
  }

  /** Adds every path of `set` below `pe`. */
  insertChild(pe: PathElement, set: FieldSet): this {
    const text = elementText(pe);
    this.#assertOpen();
    this.#fieldsV1 = undefined;
    const mine = this.#children.get(text)?.set;
    this.#adopt(text, pe, mine ? mine.union(set) : set.clone());
    return this;
  }

  /** Marks this set, and everything below it, as shared: it can no longer be added to. */
  freeze(): this {
    this.#frozen = true;
    for (const { set } of this.#children.values()) set.freeze();
    return this;
  }

  #assertOpen(): void {
    if (this.#frozen) throw new Error("a shared field set cannot be changed");
  }

  has(path: Path): boolean {
    const [first, ...rest] = path;
    if (first === undefined) return false;
    if (rest.length === 0) return this.hasMember(first);
    return this.child(first)?.has(rest) ?? false;
  }

  hasMember(pe: PathElement): boolean {
    return this.#members.has(elementText(pe));
  }

  /** The paths below `pe` (upstream's `WithPrefix`), undefined when there are none. */
  child(pe: PathElement): FieldSet | undefined {
    return this.#children.get(elementText(pe))?.set;
  }

  get empty(): boolean {
    return this.#members.size === 0 && this.#children.size === 0;
  }

  /** Members in upstream's order. */
  members(): PathElement[] {
    return [...this.#members.values()].sort(compareElements);
  }

  /** Children in upstream's order. */
  children(): Array<readonly [PathElement, FieldSet]> {
    return [...this.#children.values()]
      .sort((a, b) => compareElements(a.element, b.element))
      .map((c) => [c.element, c.set] as const);
  }

  union(other: FieldSet): FieldSet {
    return FieldSet.#combine(
      this,
      other,
      (a, b) => a || b,
      (a, b) => (a && b ? a.union(b) : (a ?? b)?.clone()),
    );
  }

  intersection(other: FieldSet): FieldSet {
    return FieldSet.#combine(
      this,
      other,
      (a, b) => a && b,
      (a, b) => a && b && a.intersection(b),
    );
  }

  /**
   * This set without `other`'s paths. When nothing is taken away the answer is this set itself,
   * and unchanged children are shared (sets are not changed once built, see `insert`): taking
   * a write's fields from every other manager leaves most sets as they were.
   */
  difference(other: FieldSet): FieldSet {
    if (other.empty || this.empty) return this;
    const out = new FieldSet();
    let changed = false;
    for (const [text, pe] of this.#members) {
      if (other.#members.has(text)) changed = true;
      else out.#members.set(text, pe);
    }
    for (const [text, child] of this.#children) {
      const theirs = other.#children.get(text)?.set;
      const set = theirs ? child.set.difference(theirs) : child.set;
      if (set === child.set) out.#children.set(text, child);
      else {
        changed = true;
        out.#adopt(text, child.element, set);
      }
    }
    return changed ? out : this;
  }

  /** Paths in this set that are neither in `other` nor below one of `other`'s members. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [text, pe] of this.#members)
      if (!other.#members.has(text)) out.#members.set(text, pe);
    for (const [text, { element, set }] of this.#children) {
      if (other.#members.has(text)) continue;
      const theirs = other.#children.get(text)?.set;
      out.#adopt(text, element, theirs ? set.recursiveDifference(theirs) : set.clone());
    }
    return out;
  }

  /** Every path, members before children at each level, as upstream's `Iterate` visits them. */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = this.members().map((pe) => [...prefix, pe]);
    for (const [pe, set] of this.children()) out.push(...set.paths([...prefix, pe]));
    return out;
  }

  /** A copy sharing nothing with this set. */
  clone(): FieldSet {
    const out = new FieldSet();
    for (const [text, pe] of this.#members) out.#members.set(text, pe);
    for (const [text, { element, set }] of this.#children) out.#adopt(text, element, set.clone());
    return out;
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).empty && other.difference(this).empty;
  }

  /** The `fieldsV1` JSON; the same object each time until the set changes (do not modify it). */
  toFieldsV1(): JsonObject {
    if (this.#fieldsV1) return this.#fieldsV1;
    const out: JsonObject = {};
    const elements = new Map<string, PathElement>(this.#members);
    for (const [text, { element }] of this.#children) elements.set(text, element);
    const sorted = [...elements].sort((a, b) => compareElements(a[1], b[1]));
    for (const [text] of sorted) {
      const child = this.#children.get(text);
      const body: JsonObject = child && this.#members.has(text) ? { ".": {} } : {};
      out[text] = child ? Object.assign(body, child.set.toFieldsV1()) : body;
    }
    this.#fieldsV1 = out;
    return out;
  }

  /** Reads `fieldsV1`; throws an Error naming the bad element on malformed input. */
  static fromFieldsV1(json: unknown): FieldSet {
    if (!isJsonObject(json)) throw new Error("fieldsV1 must be a JSON object");
    return FieldSet.#read(json).set;
  }

  #adopt(text: string, element: PathElement, set: FieldSet | undefined): void {
    if (set && !set.empty) this.#children.set(text, { element, set });
  }

  static #combine(
    a: FieldSet,
    b: FieldSet,
    member: (x: boolean, y: boolean) => boolean,
    child: (x: FieldSet | undefined, y: FieldSet | undefined) => FieldSet | undefined,
  ): FieldSet {
    const out = new FieldSet();
    for (const [text, pe] of [...a.#members, ...b.#members]) {
      if (member(a.#members.has(text), b.#members.has(text))) out.#members.set(text, pe);
    }
    for (const [text, { element }] of [...a.#children, ...b.#children]) {
      if (out.#children.has(text)) continue;
      out.#adopt(text, element, child(a.#children.get(text)?.set, b.#children.get(text)?.set));
    }
    return out;
  }

  /** A node of `fieldsV1`: `{}` and `{".": {}, …}` make the node a member of its parent. */
  static #read(json: JsonObject): { member: boolean; set: FieldSet } {
    const set = new FieldSet();
    let member = false;
    let sawChild = false;
    for (const [text, value] of Object.entries(json)) {
      if (text === ".") {
        member = true;
        continue;
      }
      sawChild = true;
      const pe = parseElement(text);
      if (!isJsonObject(value)) throw new Error(`expected an object at ${JSON.stringify(text)}`);
      const sub = FieldSet.#read(value);
      const key = elementText(pe);
      if (sub.member) set.#members.set(key, pe);
      set.#adopt(key, pe, sub.set);
    }
    return { member: member || !sawChild, set };
  }
}
