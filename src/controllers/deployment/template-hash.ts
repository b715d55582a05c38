/**
 * The `pod-template-hash` of a Deployment's template (upstream `controller.ComputeHash`):
 * FNV-32a over the template, plus the collision count when set, printed as a decimal number
 * and re-encoded with `rand.SafeEncodeString` so that it has no vowels and cannot spell words.
 * Upstream hashes Go's printed struct; Bosun hashes canonical JSON (sorted keys, empty values
 * dropped), so the same template gives a stable hash here, though not the same string as
 * upstream's.
 */
import { isDeepStrictEqual } from "node:util";
import type { PodTemplateSpec } from "../../api/generated/types.ts";

export const defaultDeploymentUniqueLabelKey = "pod-template-hash";

const alphanums = "bcdfghjklmnpqrstvwxz2456789";

export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  const text = JSON.stringify(canonical(template) ?? {});
  let hash = fnv32a(0x811c9dc5, Buffer.from(text, "utf8"));
  if (collisionCount !== undefined) {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(collisionCount >>> 0, 0);
    hash = fnv32a(hash, bytes);
  }
  return safeEncodeString(String(hash));
}

/** `rand.SafeEncodeString`. */
export function safeEncodeString(s: string): string {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) out += alphanums[byte % alphanums.length];
  return out;
}

function fnv32a(seed: number, data: Uint8Array): number {
  let hash = seed;
  for (const byte of data) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * `EqualIgnoreHash`: templates equal once the pod-template-hash label is dropped from both,
 * comparing semantically (absent, null, empty lists and empty maps alike).
 */
export function equalIgnoreHash(
  a: PodTemplateSpec | undefined,
  b: PodTemplateSpec | undefined,
): boolean {
  return isDeepStrictEqual(canonical(withoutHash(a)), canonical(withoutHash(b)));
}

function withoutHash(t: PodTemplateSpec | undefined): PodTemplateSpec {
  const copy = structuredClone(t ?? {});
  if (copy.metadata?.labels) delete copy.metadata.labels[defaultDeploymentUniqueLabelKey];
  return copy;
}

/** Sorted keys, without undefined/null values, empty arrays or empty objects. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return items.length > 0 ? items : undefined;
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonical((value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return value ?? undefined;
}
