/**
 * Names of the per-service and per-endpoint chains and sets, as upstream's nftables proxier
 * builds them: `<prefix><HASH8>-<namespace>/<service>/<protocol>/<port name>` (endpoint chains
 * add `__<ip>/<port>`). nft identifiers allow `[A-Za-z0-9_./-]`; namespaces, names and port
 * names use only `[a-z0-9-]`, so `/` separates the parts unambiguously. The base32 SHA-256
 * prefix keeps names unique when long ones are truncated and makes near-identical names easy to
 * tell apart.
 */
import { createHash } from "node:crypto";
import type { EndpointInfo, ServicePortInfo } from "./service-ports.ts";

/** The kernel's NFT_NAME_MAXLEN is 256 including the terminating NUL. */
const maxName = 255;
const base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32Prefix(bytes: Uint8Array, chars: number): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += base32Alphabet[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= chars) break;
    buffer &= (1 << bits) - 1;
  }
  return out;
}

/**
 * Names are recomputed on every sync for every chain; hashing dominated the render time, so
 * they are remembered (the cache is dropped whole when it grows past what a big cluster needs).
 */
const cache = new Map<string, string>();
const cacheLimit = 200_000;

function hashed(prefix: string, base: string, hashInput = base): string {
  const key = `${prefix}|${hashInput}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const hash = base32Prefix(createHash("sha256").update(hashInput).digest(), 8);
  let name = `${prefix}${hash}-${base}`;
  if (name.length > maxName) name = `${name.slice(0, maxName - 3)}...`;
  if (cache.size >= cacheLimit) cache.clear();
  cache.set(key, name);
  return name;
}

export const servicePortBase = (sp: ServicePortInfo) =>
  `${sp.namespace}/${sp.name}/${sp.protocol.toLowerCase()}/${sp.portName}`;

/** IPv6 colons are not allowed in identifiers; upstream turns them into dots. */
const endpointBase = (sp: ServicePortInfo, ep: EndpointInfo) =>
  `${servicePortBase(sp)}__${ep.ip.replaceAll(":", ".")}/${ep.port}`;

export const clusterChainName = (sp: ServicePortInfo) => hashed("service-", servicePortBase(sp));
export const localChainName = (sp: ServicePortInfo) => hashed("local-", servicePortBase(sp));
export const externalChainName = (sp: ServicePortInfo) => hashed("external-", servicePortBase(sp));
export const firewallChainName = (sp: ServicePortInfo) => hashed("firewall-", servicePortBase(sp));
export const endpointChainName = (sp: ServicePortInfo, ep: EndpointInfo) =>
  hashed("endpoint-", endpointBase(sp, ep));
/**
 * The affinity set's name also hashes the timeout: nft keeps an existing set's timeout when it
 * is declared again, so a changed timeout must make a new set.
 */
export const affinitySetName = (sp: ServicePortInfo, ep: EndpointInfo) =>
  hashed("affinity-", endpointBase(sp, ep), `${endpointBase(sp, ep)}#${sp.affinitySeconds ?? 0}`);
