/**
 * An incremental update from the table last applied to the one wanted, as one `nft -f`
 * transaction (upstream's partial sync): only chains whose rules changed are flushed and
 * refilled, map and set elements are added and deleted one by one, stale chains and sets are
 * removed. Affinity sets that stay are never redeclared empty, so ClientIP stickiness survives
 * endpoint changes elsewhere. Order matters inside the batch: a chain must exist before a rule
 * or element points at it, and every reference to it must be gone before it is deleted.
 */
import {
  baseChainSpec,
  mapElement,
  mapSpec,
  type NftChain,
  type Ruleset,
  setSpec,
} from "./ruleset.ts";

const sameRules = (a: NftChain, b: NftChain) =>
  a.rules.length === b.rules.length && a.rules.every((r, i) => r === b.rules[i]);

const sameBase = (a: NftChain, b: NftChain) =>
  JSON.stringify(a.base ?? null) === JSON.stringify(b.base ?? null);

/**
 * The commands that turn `prev` into `next`; "" when nothing changed. Both must describe the
 * same family and table. A changed base chain or set declaration cannot be altered in place:
 * the caller gets `undefined` and should replace the table whole.
 */
export function transactionText(prev: Ruleset, next: Ruleset): string | undefined {
  const t = `${next.family} ${next.table}`;
  const head: string[] = [];
  const body: string[] = [];
  const tail: string[] = [];

  for (const set of next.sets.values()) {
    const old = prev.sets.get(set.name);
    if (!old) {
      head.push(`add set ${t} ${set.name} { ${setSpec(set)} }`);
      if (set.elements?.length) {
        body.push(`add element ${t} ${set.name} { ${set.elements.join(", ")} }`);
      }
      continue;
    }
    if (setSpec(old) !== setSpec(set)) return undefined;
    if (!set.elements) continue;
    const had = new Set(old.elements ?? []);
    const want = new Set(set.elements);
    const gone = [...had].filter((e) => !want.has(e));
    const added = set.elements.filter((e) => !had.has(e));
    if (gone.length) body.push(`delete element ${t} ${set.name} { ${gone.join(", ")} }`);
    if (added.length) body.push(`add element ${t} ${set.name} { ${added.join(", ")} }`);
  }

  for (const chain of next.chains.values()) {
    const old = prev.chains.get(chain.name);
    if (old && !sameBase(old, chain)) return undefined;
    if (!old) {
      head.push(
        chain.base
          ? `add chain ${t} ${chain.name} { ${baseChainSpec(chain.base)} }`
          : `add chain ${t} ${chain.name}`,
      );
    } else if (sameRules(old, chain)) continue;
    else body.push(`flush chain ${t} ${chain.name}`);
    for (const rule of chain.rules) body.push(`add rule ${t} ${chain.name} ${rule}`);
  }

  for (const map of next.maps.values()) {
    const old = prev.maps.get(map.name);
    if (!old) head.push(`add map ${t} ${map.name} { ${mapSpec(map)} }`);
    else if (mapSpec(old) !== mapSpec(map)) return undefined;
    const gone: string[] = [];
    const added: string[] = [];
    for (const [key, value] of old?.elements ?? []) {
      if (map.elements.get(key) !== value) gone.push(key);
    }
    for (const [key, value] of map.elements) {
      if (old?.elements.get(key) !== value) added.push(mapElement(key, value));
    }
    if (gone.length) body.push(`delete element ${t} ${map.name} { ${gone.join(", ")} }`);
    if (added.length) body.push(`add element ${t} ${map.name} { ${added.join(", ")} }`);
  }

  const staleChains = [...prev.chains.values()].filter((c) => !next.chains.has(c.name));
  if (staleChains.some((c) => c.base)) return undefined;
  // Flush them all first: stale chains may point at each other.
  for (const c of staleChains) tail.push(`flush chain ${t} ${c.name}`);
  for (const c of staleChains) tail.push(`delete chain ${t} ${c.name}`);
  for (const set of prev.sets.values()) {
    if (!next.sets.has(set.name)) tail.push(`delete set ${t} ${set.name}`);
  }
  for (const map of prev.maps.values()) {
    if (!next.maps.has(map.name)) tail.push(`delete map ${t} ${map.name}`);
  }

  if (head.length + body.length + tail.length === 0) return "";
  return [`add table ${t}`, ...head, ...body, ...tail, ""].join("\n");
}

/** Names of what the kernel's table holds now (from `nft -t list table`). */
export interface TableContents {
  readonly chains: readonly string[];
  readonly sets: readonly string[];
  readonly maps: readonly string[];
}

/** Parses `nft -t list table …` output; an absent table reads as empty. */
export function parseTableListing(text: string): TableContents {
  const pick = (kind: string) =>
    [...text.matchAll(new RegExp(`^\\s*${kind} (\\S+) \\{`, "gm"))].map((m) => m[1]!);
  return { chains: pick("chain"), sets: pick("set"), maps: pick("map") };
}

/**
 * A full resync that keeps the table (upstream's full sync): every chain, map and static set
 * is declared, flushed and refilled; dynamic (affinity) sets are only declared, so their
 * contents survive; whatever else `existing` lists is deleted. Fails (and the caller replaces
 * the table whole) if a base chain exists with another hook or priority.
 */
export function reassertText(next: Ruleset, existing: TableContents): string {
  const t = `${next.family} ${next.table}`;
  const out = [`add table ${t}`];
  const body: string[] = [];
  for (const set of next.sets.values()) {
    out.push(`add set ${t} ${set.name} { ${setSpec(set)} }`);
    if (!set.elements) continue;
    body.push(`flush set ${t} ${set.name}`);
    if (set.elements.length) {
      body.push(`add element ${t} ${set.name} { ${set.elements.join(", ")} }`);
    }
  }
  for (const chain of next.chains.values()) {
    out.push(
      chain.base
        ? `add chain ${t} ${chain.name} { ${baseChainSpec(chain.base)} }`
        : `add chain ${t} ${chain.name}`,
    );
    body.push(`flush chain ${t} ${chain.name}`);
    for (const rule of chain.rules) body.push(`add rule ${t} ${chain.name} ${rule}`);
  }
  for (const map of next.maps.values()) {
    out.push(`add map ${t} ${map.name} { ${mapSpec(map)} }`);
    body.push(`flush map ${t} ${map.name}`);
    if (map.elements.size) {
      const elements = [...map.elements].map(([k, v]) => mapElement(k, v));
      body.push(`add element ${t} ${map.name} { ${elements.join(", ")} }`);
    }
  }
  const staleChains = existing.chains.filter((c) => !next.chains.has(c));
  const tail = [
    ...staleChains.map((c) => `flush chain ${t} ${c}`),
    ...staleChains.map((c) => `delete chain ${t} ${c}`),
    ...existing.sets.filter((s) => !next.sets.has(s)).map((s) => `delete set ${t} ${s}`),
    ...existing.maps.filter((m) => !next.maps.has(m)).map((m) => `delete map ${t} ${m}`),
  ];
  return [...out, ...body, ...tail, ""].join("\n");
}
