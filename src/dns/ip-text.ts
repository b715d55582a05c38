/**
 * IP addresses as DNS carries them: 4 or 16 bytes in A/AAAA records, and the reverse names of
 * PTR queries (`4.3.2.1.in-addr.arpa`, nibbles under `ip6.arpa`).
 */
import { isIPv4, isIPv6 } from "node:net";

/** The 4 bytes of a dotted IPv4 address (the caller has checked it with `isIPv4`). */
export function ipv4Bytes(ip: string): number[] {
  return ip.split(".").map(Number);
}

/** The 16 bytes of an IPv6 address (with `::` and an embedded IPv4 tail allowed). */
export function ipv6Bytes(ip: string): number[] {
  let text = ip;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".", lastColon)) {
    tail.push(...ipv4Bytes(text.slice(lastColon + 1)));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = text.split("::") as [string, string | undefined];
  const groups = (s: string | undefined) =>
    s ? s.split(":").map((g) => Number.parseInt(g, 16)) : [];
  const hi = groups(head);
  const lo = groups(rest);
  const all =
    rest === undefined
      ? hi
      : [...hi, ...new Array<number>(8 - hi.length - lo.length).fill(0), ...lo];
  const out: number[] = [];
  for (const g of all) out.push(g >> 8, g & 0xff);
  if (tail.length === 4) out.splice(12, 4, ...tail);
  return out;
}

/** Canonical (RFC 5952) text of 16 IPv6 bytes. */
export function ipv6Text(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

/** The address a reverse name stands for, or undefined for a name that is not a full one. */
export function addressFromReverse(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith(".in-addr.arpa")) {
    const parts = lower.slice(0, -".in-addr.arpa".length).split(".");
    if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)) {
      return undefined;
    }
    return parts.reverse().map(Number).join(".");
  }
  if (lower.endsWith(".ip6.arpa")) {
    const nibbles = lower.slice(0, -".ip6.arpa".length).split(".");
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
    const hex = nibbles.reverse().join("");
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 16; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    return ipv6Text(bytes);
  }
  return undefined;
}

/** The reverse (PTR) name of an address. */
export function reverseName(ip: string): string {
  if (isIPv4(ip)) return `${ipv4Bytes(ip).reverse().join(".")}.in-addr.arpa`;
  const nibbles: string[] = [];
  for (const b of ipv6Bytes(ip)) nibbles.push((b >> 4).toString(16), (b & 15).toString(16));
  return `${nibbles.reverse().join(".")}.ip6.arpa`;
}

/** The canonical text of an address, so that map keys compare equal. */
export function canonicalIP(ip: string): string {
  if (isIPv4(ip)) return ip;
  if (isIPv6(ip)) return ipv6Text(Uint8Array.from(ipv6Bytes(ip)));
  return ip;
}

export function isReverseName(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    lower === "in-addr.arpa" ||
    lower === "ip6.arpa" ||
    lower.endsWith(".in-addr.arpa") ||
    lower.endsWith(".ip6.arpa")
  );
}
