/**
 * Small helpers over plain JSON values (what `JSON.parse` returns), shared by the three patchers.
 *
 * Object keys are read and written as own properties only, so a key such as `__proto__` in a
 * request body is an ordinary field and never reaches `Object.prototype`.
 */

export type JsonObject = { [key: string]: unknown };

/** A JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function hasOwn(object: JsonObject, key: string): boolean {
  return Object.hasOwn(object, key);
}

/** The own property `key`, or undefined when there is none. */
export function getOwn(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

export function setOwn(object: JsonObject, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(object, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else {
    object[key] = value;
  }
}

export function deleteOwn(object: JsonObject, key: string): void {
  delete object[key];
}

/** A deep copy that shares no objects or arrays with `value`. */
export function deepCopy<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const copy = new Array(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = deepCopy(value[i]);
    return copy as T;
  }
  const copy: JsonObject = {};
  // for…in: JSON values have no inherited enumerable keys, and it allocates no key array.
  for (const k in value) setOwn(copy, k, deepCopy((value as JsonObject)[k]));
  return copy as T;
}

/** Structural equality of JSON values; object key order does not matter, array order does. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true; // shared parts (an update's untouched spec) end the walk at once
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as JsonObject;
  const y = b as JsonObject;
  let keys = 0;
  for (const k in x) {
    if (!Object.hasOwn(y, k) || !deepEqual(x[k], y[k])) return false;
    keys++;
  }
  for (const _ in y) keys--;
  return keys === 0;
}

/** A short JSON rendering of a value for error messages. */
export function describe(value: unknown, max = 200): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
