/**
 * Field paths, as apimachinery's `field.Path` prints them in validation errors:
 * `spec.containers[0].name`, `metadata.labels[app]`.
 *
 * A path is an immutable chain from the root: `newPath("spec").child("containers").index(0)`.
 * Where upstream passes a nil path (the label selector parser does), callers pass `null`, which
 * prints as `<nil>` exactly as Go does.
 */
export class FieldPath {
  readonly #parent: FieldPath | null;
  /** The field name; empty for a subscript. */
  readonly #name: string;
  /** The subscript (index or key) when `#name` is empty. */
  readonly #subscript: string;

  private constructor(parent: FieldPath | null, name: string, subscript: string) {
    this.#parent = parent;
    this.#name = name;
    this.#subscript = subscript;
  }

  /** A path starting at `name`, optionally followed by more names. */
  static of(name: string, ...moreNames: string[]): FieldPath {
    let path = new FieldPath(null, name, "");
    for (const more of moreNames) path = path.child(more);
    return path;
  }

  /** The path to a named field below this one. */
  child(name: string, ...moreNames: string[]): FieldPath {
    let path = new FieldPath(this, name, "");
    for (const more of moreNames) path = path.child(more);
    return path;
  }

  /** The path to a list element: `containers[3]`. */
  index(i: number): FieldPath {
    return new FieldPath(this, "", String(i));
  }

  /** The path to a map entry: `labels[app]`. */
  key(k: string): FieldPath {
    return new FieldPath(this, "", k);
  }

  /** The first element of the path. */
  root(): FieldPath {
    let p: FieldPath = this;
    while (p.#parent !== null) p = p.#parent;
    return p;
  }

  toString(): string {
    const elems: FieldPath[] = [];
    for (let p: FieldPath | null = this; p !== null; p = p.#parent) elems.push(p);
    let out = "";
    for (let i = elems.length - 1; i >= 0; i--) {
      const p = elems[i]!;
      if (p.#name.length > 0) {
        if (p.#parent !== null) out += ".";
        out += p.#name;
      } else {
        out += `[${p.#subscript}]`;
      }
    }
    return out;
  }
}

/** `field.NewPath`: a path starting at `name`. */
export function newPath(name: string, ...moreNames: string[]): FieldPath {
  return FieldPath.of(name, ...moreNames);
}

/** How a possibly-nil path prints (Go prints a nil `*field.Path` as `<nil>`). */
export function pathString(path: FieldPath | null): string {
  return path === null ? "<nil>" : path.toString();
}

/** `path.child(name)`, where a nil path starts a new one (as Go's nil receiver does). */
export function childOf(path: FieldPath | null, name: string): FieldPath {
  return path === null ? newPath(name) : path.child(name);
}
