/**
 * The X.509 v3 extensions Bosun writes (basic constraints, key usage, extended key usage, subject
 * alternative names, key identifiers) and the readers for the ones it inspects.
 */
import { createHash } from "node:crypto";
import {
  type Asn1Node,
  children,
  expect,
  readBitString,
  readBoolean,
  readDer,
  readOid,
  sequenceOf,
} from "./asn1-reader.ts";
import { boolean, implicit, namedBits, octetString, oid, sequence, Tag } from "./asn1-writer.ts";
import { bytesToIP, ipToBytes } from "./ip.ts";
import { OID } from "./oids.ts";

export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  /** The DER inside extnValue's OCTET STRING. */
  readonly value: Buffer;
}

export interface SubjectAltNames {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly emailAddresses: readonly string[];
  readonly uris: readonly string[];
}

/** Bit positions of KeyUsage (RFC 5280 §4.2.1.3). */
export const KeyUsageBit = {
  digitalSignature: 0,
  contentCommitment: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

export function encodeExtension(ext: Extension): Buffer {
  return sequence(oid(ext.oid), ...(ext.critical ? [boolean(true)] : []), octetString(ext.value));
}

/** Reads a SEQUENCE OF Extension. */
export function readExtensions(node: Asn1Node): Extension[] {
  return sequenceOf(node, "Extensions").map((ext) => {
    const [id, second, third] = sequenceOf(ext, "Extension");
    const critical = third ? readBoolean(second) : false;
    const value = expect(third ?? second, Tag.OCTET_STRING, "extnValue").contents;
    return { oid: readOid(id), critical, value };
  });
}

export const basicConstraints = (isCA: boolean): Extension => ({
  oid: OID.basicConstraints,
  critical: true,
  value: isCA ? sequence(boolean(true)) : sequence(),
});

export const keyUsage = (bits: readonly number[]): Extension => ({
  oid: OID.keyUsage,
  critical: true,
  value: namedBits(bits),
});

export const extKeyUsage = (oids: readonly string[]): Extension => ({
  oid: OID.extKeyUsage,
  critical: false,
  value: sequence(...oids.map(oid)),
});

/** The SAN extension, critical when the subject is empty (RFC 5280 §4.2.1.6). */
export function subjectAltName(names: Partial<SubjectAltNames>, subjectEmpty: boolean): Extension {
  const ascii = (s: string) => {
    if (!/^[\x20-\x7e]*$/.test(s)) throw new RangeError(`SAN ${JSON.stringify(s)} is not ASCII`);
    return Buffer.from(s, "ascii");
  };
  const general = [
    ...(names.emailAddresses ?? []).map((e) => implicit(1, ascii(e))),
    ...(names.dnsNames ?? []).map((d) => implicit(2, ascii(d))),
    ...(names.uris ?? []).map((u) => implicit(6, ascii(u))),
    ...(names.ipAddresses ?? []).map((ip) => implicit(7, ipToBytes(ip))),
  ];
  return { oid: OID.subjectAltName, critical: subjectEmpty, value: sequence(...general) };
}

/** Reads a SAN extension value; name forms other than these four are skipped, as Go does. */
export function readSubjectAltNames(value: Buffer): SubjectAltNames {
  const names = {
    dnsNames: [] as string[],
    ipAddresses: [] as string[],
    emailAddresses: [] as string[],
    uris: [] as string[],
  };
  for (const general of children(readDer(value))) {
    const text = () => general.contents.toString("ascii");
    if (general.tag === 0x81) names.emailAddresses.push(text());
    else if (general.tag === 0x82) names.dnsNames.push(text());
    else if (general.tag === 0x86) names.uris.push(text());
    else if (general.tag === 0x87) names.ipAddresses.push(bytesToIP(general.contents));
  }
  return names;
}

/** The SubjectAltNames in an extension list (all empty if there is none). */
export function subjectAltNamesIn(extensions: readonly Extension[]): SubjectAltNames {
  const san = extensions.find((e) => e.oid === OID.subjectAltName);
  return san
    ? readSubjectAltNames(san.value)
    : { dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [] };
}

export const subjectKeyIdentifier = (id: Uint8Array): Extension => ({
  oid: OID.subjectKeyIdentifier,
  critical: false,
  value: octetString(id),
});

export const authorityKeyIdentifier = (id: Uint8Array): Extension => ({
  oid: OID.authorityKeyIdentifier,
  critical: false,
  value: sequence(implicit(0, id)),
});

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits of a SubjectPublicKeyInfo. */
export function keyIdentifier(spki: Uint8Array): Buffer {
  const [, subjectPublicKey] = sequenceOf(readDer(spki), "SubjectPublicKeyInfo");
  return createHash("sha1").update(readBitString(subjectPublicKey).bytes).digest();
}

/** Whether basicConstraints says CA:TRUE. */
export function isCAIn(extensions: readonly Extension[]): boolean {
  const bc = extensions.find((e) => e.oid === OID.basicConstraints);
  if (!bc) return false;
  const [first] = sequenceOf(readDer(bc.value), "BasicConstraints");
  return first?.tag === Tag.BOOLEAN && readBoolean(first);
}

/** The extended key usage OIDs, or [] when the extension is absent. */
export function extKeyUsagesIn(extensions: readonly Extension[]): string[] {
  const eku = extensions.find((e) => e.oid === OID.extKeyUsage);
  return eku ? sequenceOf(readDer(eku.value), "ExtKeyUsage").map((n) => readOid(n)) : [];
}
