import { invalidArgument } from "./errors.ts";

/**
 * The smallest key greater than every key starting with `prefix` ("" when there is none, meaning
 * "to the end"). Incrementing the last code point keeps UTF-8 byte order, which etcd and SQLite use.
 */
export function prefixEnd(prefix: string): string {
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join("") + String.fromCodePoint(next);
    }
  }
  return "";
}

/**
 * Orders keys by code point, which is the UTF-8 byte order of etcd and SQLite's BINARY collation.
 * (Plain `<` compares UTF-16 code units and differs only above U+FFFF.)
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const surrogate = (c: number) => c >= 0xd800 && c <= 0xdfff;
      if (surrogate(x) !== surrogate(y)) return surrogate(x) ? 1 : -1;
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : 1;
}

/** True when `key` is inside the range a prefix denotes. */
export function hasPrefix(key: string, prefix: string): boolean {
  return key.startsWith(prefix);
}

interface ContinueToken {
  v: "meta.k8s.io/v1";
  rv: number;
  start: string;
}

/**
 * Continue tokens have Kubernetes' shape: base64 of `{"v":"meta.k8s.io/v1","rv":N,"start":K}`,
 * where K is the next key relative to the listed prefix. The API server passes them through.
 */
export function encodeContinue(revision: number, nextKey: string, prefix: string): string {
  const token: ContinueToken = {
    v: "meta.k8s.io/v1",
    rv: revision,
    start: nextKey.slice(prefix.length),
  };
  return Buffer.from(JSON.stringify(token)).toString("base64");
}

export function decodeContinue(token: string, prefix: string): { revision: number; start: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
  } catch {
    throw invalidArgument("continue key is not valid: malformed token");
  }
  const t = parsed as Partial<ContinueToken> | null;
  if (
    t === null ||
    typeof t !== "object" ||
    t.v !== "meta.k8s.io/v1" ||
    typeof t.rv !== "number" ||
    !Number.isSafeInteger(t.rv) ||
    t.rv <= 0 ||
    typeof t.start !== "string"
  ) {
    throw invalidArgument("continue key is not valid: unrecognized token");
  }
  if (t.start.startsWith("/") || t.start.includes("/../")) {
    throw invalidArgument("continue key is not valid: bad start key");
  }
  return { revision: t.rv, start: prefix + t.start };
}

/** The key right after `key` in byte order, to resume a listing after it. */
export function keyAfter(key: string): string {
  return `${key}\u0000`;
}
