/**
 * IP and CIDR parsing with the "sloppy" rules Kubernetes validates API fields with
 * (`netutils.ParseIPSloppy`, `ParseCIDRSloppy`): Go's pre-1.17 parser, which accepts IPv4 octets
 * with leading zeros (read as decimal) and IPv4-mapped IPv6 addresses, and rejects zones.
 *
 * Results are raw bytes: 4 for an IPv4 address, 16 for IPv6. Arithmetic on addresses belongs to
 * the components that need it (service CIDR allocation, the proxy).
 */

/** Go's `big`: the cut-off its decimal and hex scanners give up at. */
const big = 0xffffff;

/** Reads leading decimal digits: [value, characters consumed], or null when there are none. */
function dtoi(s: string): [number, number] | null {
  let n = 0;
  let i = 0;
  for (; i < s.length && s[i]! >= "0" && s[i]! <= "9"; i++) {
    n = n * 10 + (s.charCodeAt(i) - 48);
    if (n >= big) return null;
  }
  return i === 0 ? null : [n, i];
}

/** Reads leading hex digits: [value, characters consumed], or null when there are none. */
function xtoi(s: string): [number, number] | null {
  let n = 0;
  let i = 0;
  for (; i < s.length; i++) {
    const d = Number.parseInt(s[i]!, 16);
    if (Number.isNaN(d)) break;
    n = n * 16 + d;
    if (n >= big) return null;
  }
  return i === 0 ? null : [n, i];
}

function parseIPv4(s: string): Uint8Array | null {
  const out = new Uint8Array(4);
  let rest = s;
  for (let i = 0; i < 4; i++) {
    if (rest.length === 0) return null;
    if (i > 0) {
      if (rest[0] !== ".") return null;
      rest = rest.slice(1);
    }
    const read = dtoi(rest);
    if (read === null || read[0] > 0xff) return null;
    out[i] = read[0];
    rest = rest.slice(read[1]);
  }
  return rest.length === 0 ? out : null;
}

function parseIPv6(s: string): Uint8Array | null {
  const ip = new Uint8Array(16);
  let ellipsis = -1;
  let rest = s;
  if (rest.startsWith("::")) {
    ellipsis = 0;
    rest = rest.slice(2);
    if (rest.length === 0) return ip;
  }
  let i = 0;
  while (i < 16) {
    const read = xtoi(rest);
    if (read === null || read[0] > 0xffff) return null;
    const [n, c] = read;
    if (c < rest.length && rest[c] === ".") {
      // A trailing IPv4 address fills the last four bytes.
      if ((ellipsis < 0 && i !== 12) || i + 4 > 16) return null;
      const v4 = parseIPv4(rest);
      if (v4 === null) return null;
      ip.set(v4, i);
      rest = "";
      i += 4;
      break;
    }
    ip[i] = n >> 8;
    ip[i + 1] = n & 0xff;
    i += 2;
    rest = rest.slice(c);
    if (rest.length === 0) break;
    if (rest[0] !== ":" || rest.length === 1) return null;
    rest = rest.slice(1);
    if (rest[0] === ":") {
      if (ellipsis >= 0) return null;
      ellipsis = i;
      rest = rest.slice(1);
      if (rest.length === 0) break;
    }
  }
  if (rest.length !== 0) return null;
  if (i < 16) {
    if (ellipsis < 0) return null;
    const shift = 16 - i;
    ip.copyWithin(ellipsis + shift, ellipsis, i);
    ip.fill(0, ellipsis, ellipsis + shift);
  } else if (ellipsis >= 0) {
    return null; // "::" must stand for at least one group of zeros
  }
  return ip;
}

/** `ParseIPSloppy`: 4 bytes for IPv4, 16 for IPv6, null when `s` is not an address. */
export function parseIPSloppy(s: string): Uint8Array | null {
  for (const ch of s) {
    if (ch === ".") return parseIPv4(s);
    if (ch === ":") return parseIPv6(s);
  }
  return null;
}

export interface ParsedCIDR {
  /** The address as written (before masking): 4 or 16 bytes. */
  readonly ip: Uint8Array;
  readonly prefixLength: number;
  /** 32 or 128. */
  readonly bits: number;
}

/** `ParseCIDRSloppy`: `10.0.0.0/8`, `2001:db8::/64`; null when `s` is not a CIDR. */
export function parseCIDRSloppy(s: string): ParsedCIDR | null {
  const slash = s.indexOf("/");
  if (slash < 0) return null;
  const addr = s.slice(0, slash);
  const mask = s.slice(slash + 1);
  let ip = parseIPv4(addr);
  let bits = 32;
  if (ip === null) {
    ip = parseIPv6(addr);
    bits = 128;
  }
  const read = dtoi(mask);
  if (ip === null || read === null || read[1] !== mask.length || read[0] > bits) return null;
  return { ip, prefixLength: read[0], bits };
}

/** Whether `ip` (4 or 16 bytes) is inside the CIDR (`net.Contains`); other families never are. */
export function cidrContains(cidr: ParsedCIDR, ip: Uint8Array): boolean {
  if (cidr.ip.length !== ip.length) return false;
  for (let bit = 0; bit < cidr.prefixLength; bit++) {
    const mask = 0x80 >> (bit % 8);
    const byte = bit >> 3;
    if ((cidr.ip[byte]! & mask) !== (ip[byte]! & mask)) return false;
  }
  return true;
}
