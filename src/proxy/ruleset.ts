/**
 * The proxy's nftables table as data: chains (with their rules as nft text), named sets and
 * verdict maps. `buildRuleset` produces one from cluster state; `rulesetText` prints it as a
 * self-contained `nft -f` file that replaces the table atomically; `transaction.ts` turns two of
 * them into an incremental update. Everything here is pure.
 */

export type IPFamily = "ip" | "ip6";

export type ChainType = "nat" | "filter";
export type ChainHook = "prerouting" | "input" | "forward" | "output" | "postrouting";

export interface BaseChainSpec {
  readonly type: ChainType;
  readonly hook: ChainHook;
  /** Numeric: nft 1.0.6 rejects `dstnat` on an ip-family output nat chain. */
  readonly priority: number;
}

export interface NftChain {
  readonly name: string;
  /** Set for the chains hooked into netfilter; regular chains are only jumped to. */
  readonly base?: BaseChainSpec;
  readonly rules: string[];
}

export interface NftSet {
  readonly name: string;
  readonly type: string;
  readonly flags?: readonly string[];
  readonly timeoutSeconds?: number;
  readonly comment?: string;
  /**
   * Static elements the proxy owns; absent for dynamic sets the packet path fills (affinity),
   * whose contents must survive updates.
   */
  readonly elements?: string[];
}

export interface NftMap {
  readonly name: string;
  /** `key-type : value-type`, e.g. `ipv4_addr . inet_proto . inet_service : verdict`. */
  readonly type: string;
  readonly comment?: string;
  /** Key text → value text (`goto chain`, `drop`). */
  readonly elements: Map<string, string>;
}

export interface Ruleset {
  readonly family: IPFamily;
  readonly table: string;
  readonly chains: Map<string, NftChain>;
  readonly sets: Map<string, NftSet>;
  readonly maps: Map<string, NftMap>;
}

export function emptyRuleset(family: IPFamily, table: string): Ruleset {
  return { family, table, chains: new Map(), sets: new Map(), maps: new Map() };
}

const quote = (s: string) => JSON.stringify(s);

/** `type …; flags …; timeout …; comment …;` — the body of a set declaration, one line. */
export function setSpec(set: NftSet): string {
  const parts = [`type ${set.type};`];
  if (set.flags?.length) parts.push(`flags ${set.flags.join(",")};`);
  if (set.timeoutSeconds !== undefined) parts.push(`timeout ${set.timeoutSeconds}s;`);
  if (set.comment) parts.push(`comment ${quote(set.comment)};`);
  return parts.join(" ");
}

export function mapSpec(map: NftMap): string {
  const parts = [`type ${map.type};`];
  if (map.comment) parts.push(`comment ${quote(map.comment)};`);
  return parts.join(" ");
}

export function baseChainSpec(base: BaseChainSpec): string {
  return `type ${base.type} hook ${base.hook} priority ${base.priority}; policy accept;`;
}

export const mapElement = (key: string, value: string) => `${key} : ${value}`;

const sortedMapElements = (map: NftMap) =>
  [...map.elements].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * The whole table as one `nft -f` file: `table` + `delete table` + the definition, so that one
 * transaction replaces whatever was there (creating the table first makes the delete safe).
 * Output is deterministic: sets, maps, base chains, then the other chains by name.
 */
export function rulesetText(rs: Ruleset): string {
  const t = `${rs.family} ${rs.table}`;
  const out = [`table ${t}`, `delete table ${t}`, `table ${t} {`];
  for (const set of [...rs.sets.values()].sort(byName)) {
    out.push(`  set ${set.name} {`, `    ${setSpec(set)}`);
    if (set.elements?.length) out.push(`    elements = { ${[...set.elements].sort().join(", ")} }`);
    out.push("  }");
  }
  for (const map of [...rs.maps.values()].sort(byName)) {
    out.push(`  map ${map.name} {`, `    ${mapSpec(map)}`);
    const elements = sortedMapElements(map);
    if (elements.length) {
      out.push("    elements = {");
      elements.forEach(([k, v], i) => {
        out.push(`      ${mapElement(k, v)}${i < elements.length - 1 ? "," : ""}`);
      });
      out.push("    }");
    }
    out.push("  }");
  }
  const chains = [...rs.chains.values()];
  const ordered = [...chains.filter((c) => c.base), ...chains.filter((c) => !c.base).sort(byName)];
  for (const chain of ordered) {
    out.push(`  chain ${chain.name} {`);
    if (chain.base) out.push(`    ${baseChainSpec(chain.base)}`);
    for (const rule of chain.rules) out.push(`    ${rule}`);
    out.push("  }");
  }
  out.push("}", "");
  return out.join("\n");
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Counts for logs and the benchmark. */
export function rulesetStats(rs: Ruleset): { chains: number; rules: number; elements: number } {
  let rules = 0;
  for (const c of rs.chains.values()) rules += c.rules.length;
  let elements = 0;
  for (const m of rs.maps.values()) elements += m.elements.size;
  for (const s of rs.sets.values()) elements += s.elements?.length ?? 0;
  return { chains: rs.chains.size, rules, elements };
}
