/**
 * A Bloom filter of the names the database has rows for. Deciding a create needs the key's newest
 * row, and a new key (every pod, every event) has none: without the filter each such create asks
 * SQLite and finds nothing. "No" from the filter is certain; "maybe" is checked against SQLite as
 * before. Names are only ever added (compaction may remove a name's last rows; the filter then
 * says "maybe" for nothing, which costs one query), so it never has to agree with deletions.
 */

/** Bits per name the filter is sized for when it is built; four probes give ~1% false "maybe". */
const bitsPerName = 16;
const probes = 4;
/** 512 KiB: about 260,000 names at ~1%; more names only make "maybe" likelier. */
const minBits = 1 << 22;

export class KeyFilter {
  readonly #words: Uint32Array;
  readonly #mask: number;

  constructor(expectedNames: number) {
    let bits = minBits;
    while (bits < expectedNames * bitsPerName && bits < 1 << 30) bits *= 2;
    this.#words = new Uint32Array(bits >>> 5);
    this.#mask = bits - 1;
  }

  add(name: string): void {
    const [h1, h2] = hashes(name);
    for (let i = 0; i < probes; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.#mask;
      this.#words[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  /** False when the name was never added. */
  mightHave(name: string): boolean {
    const [h1, h2] = hashes(name);
    for (let i = 0; i < probes; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.#mask;
      if ((this.#words[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** FNV-1a and a multiply-xorshift hash of the name (double hashing makes the probes from them). */
function hashes(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  // An odd step reaches every bit of a power-of-two table.
  return [a >>> 0, (b | 1) >>> 0];
}
