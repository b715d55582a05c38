/**
 * `CidrSet` (upstream `nodeipam/ipam/cidrset`): hands out the subnets of one cluster CIDR, each
 * of a fixed prefix length, as a bitmap. Allocation continues after the last one handed out
 * (wrapping around), so a released subnet is not immediately reused.
 */
import { parseCIDRSloppy } from "../../machinery/ip.ts";

export class CIDRRangeNoCIDRsRemainingError extends Error {
  override readonly name = "CIDRRangeNoCIDRsRemainingError";
  constructor() {
    super(
      "CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range",
    );
  }
}

function toBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function formatIP(v: bigint, bits: number): string {
  if (bits === 32) {
    return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join(".");
  }
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((v >> s) & 0xffffn).toString(16));
  // The shortest form: the longest run of zero groups (two or more) becomes "::".
  let best = [-1, 0];
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > best[1]! && j - i > 1) best = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (best[0]! < 0) return groups.join(":");
  const head = groups.slice(0, best[0]).join(":");
  const tail = groups.slice(best[0]! + best[1]!).join(":");
  return `${head}::${tail}`;
}

export class CidrSet {
  readonly clusterCIDR: string;
  readonly #base: bigint;
  readonly #bits: number;
  readonly #clusterPrefix: number;
  readonly #subnetPrefix: number;
  readonly #max: number;
  readonly #used: Uint8Array;
  #allocated = 0;
  #next = 0;

  constructor(clusterCIDR: string, subnetMaskSize: number) {
    const parsed = parseCIDRSloppy(clusterCIDR);
    if (!parsed) throw new Error(`invalid CIDR address: ${clusterCIDR}`);
    const { ip, prefixLength, bits } = parsed;
    if (subnetMaskSize < prefixLength || subnetMaskSize > bits) {
      throw new Error(
        `invalid mask size ${subnetMaskSize} for cluster CIDR ${clusterCIDR}: must be between ${prefixLength} and ${bits}`,
      );
    }
    if (subnetMaskSize - prefixLength > 24) {
      throw new Error("CIDRSet subnet mask size is too big compared to cluster CIDR");
    }
    const hostBits = BigInt(bits - prefixLength);
    this.#base = (toBigInt(ip) >> hostBits) << hostBits;
    this.#bits = bits;
    this.#clusterPrefix = prefixLength;
    this.#subnetPrefix = subnetMaskSize;
    this.#max = 2 ** (subnetMaskSize - prefixLength);
    this.#used = new Uint8Array(this.#max);
    this.clusterCIDR = `${formatIP(this.#base, bits)}/${prefixLength}`;
  }

  get allocatedCount(): number {
    return this.#allocated;
  }

  #subnet(index: number): string {
    const shift = BigInt(this.#bits - this.#subnetPrefix);
    return `${formatIP(this.#base + (BigInt(index) << shift), this.#bits)}/${this.#subnetPrefix}`;
  }

  /** The next free subnet; throws `CIDRRangeNoCIDRsRemainingError` when none is left. */
  allocateNext(): string {
    for (let i = 0; i < this.#max; i++) {
      const candidate = (this.#next + i) % this.#max;
      if (this.#used[candidate]) continue;
      this.#used[candidate] = 1;
      this.#allocated++;
      this.#next = (candidate + 1) % this.#max;
      return this.#subnet(candidate);
    }
    throw new CIDRRangeNoCIDRsRemainingError();
  }

  /** Subnet indexes a CIDR covers, or undefined when it lies outside the cluster CIDR. */
  #range(cidr: string): [number, number] | undefined {
    const parsed = parseCIDRSloppy(cidr);
    if (!parsed || parsed.bits !== this.#bits || parsed.prefixLength < this.#clusterPrefix) return;
    const hostBits = BigInt(this.#bits - this.#clusterPrefix);
    const addr = toBigInt(parsed.ip);
    if (addr >> hostBits !== this.#base >> hostBits) return;
    const shift = BigInt(this.#bits - this.#subnetPrefix);
    const first = Number((addr - this.#base) >> shift);
    const span =
      parsed.prefixLength >= this.#subnetPrefix
        ? 1
        : 2 ** (this.#subnetPrefix - parsed.prefixLength);
    const start = Math.floor(first / span) * span;
    return [start, Math.min(this.#max, start + span)];
  }

  /** Marks a CIDR (of any size within the cluster CIDR) used; false when it is outside. */
  occupy(cidr: string): boolean {
    const range = this.#range(cidr);
    if (!range) return false;
    for (let i = range[0]; i < range[1]; i++) {
      if (!this.#used[i]) this.#allocated++;
      this.#used[i] = 1;
    }
    return true;
  }

  release(cidr: string): boolean {
    const range = this.#range(cidr);
    if (!range) return false;
    for (let i = range[0]; i < range[1]; i++) {
      if (this.#used[i]) this.#allocated--;
      this.#used[i] = 0;
    }
    return true;
  }

  /** True when the CIDR is inside the cluster CIDR and every subnet it covers is used. */
  isOccupied(cidr: string): boolean {
    const range = this.#range(cidr);
    if (!range) return false;
    for (let i = range[0]; i < range[1]; i++) if (!this.#used[i]) return false;
    return true;
  }
}
