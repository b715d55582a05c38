/**
 * The hashes upstream puts in revision names and `controller-revision-hash` labels: a 32-bit FNV
 * sum printed in decimal, then "safe-encoded" (`rand.SafeEncodeString`) so it has no vowels and
 * cannot spell words or look like a number.
 */
import { canonicalJson } from "./canonical-json.ts";

const fnvOffset = 0x811c9dc5;
const fnvPrime = 0x01000193;

/** FNV-1 (multiply, then xor), as Go's `fnv.New32`. */
export function fnv32(bytes: Uint8Array, seed = fnvOffset): number {
  let h = seed >>> 0;
  for (const b of bytes) h = (Math.imul(h, fnvPrime) ^ b) >>> 0;
  return h;
}

/** FNV-1a (xor, then multiply), as Go's `fnv.New32a`. */
export function fnv32a(bytes: Uint8Array, seed = fnvOffset): number {
  let h = seed >>> 0;
  for (const b of bytes) h = Math.imul(h ^ b, fnvPrime) >>> 0;
  return h;
}

const alphanums = "bcdfghjklmnpqrstvwxz2456789";

/** `rand.SafeEncodeString`: each byte mapped onto consonants and digits. */
export function safeEncodeString(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) out += alphanums[b % alphanums.length];
  return out;
}

/**
 * `controller.ComputeHash`: the hash of a pod template plus the collision count (8 bytes, little
 * endian). Upstream hashes Go's struct dump of the template; Bosun hashes its canonical JSON.
 */
export function computeTemplateHash(template: unknown, collisionCount?: number): string {
  let h = fnv32a(Buffer.from(canonicalJson(template ?? {}), "utf8"));
  if (collisionCount !== undefined) {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(collisionCount >>> 0, 0);
    h = fnv32a(bytes, h);
  }
  return safeEncodeString(String(h));
}
