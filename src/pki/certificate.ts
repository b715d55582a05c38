/**
 * X.509 v3 certificates: a self-signed CA, certificates it issues for servers and clients (with a
 * new key, or for the public key of a CSR), and a reader for what Bosun checks in one.
 */
import { type KeyObject, randomBytes, X509Certificate } from "node:crypto";
import { type Asn1Node, readDer, readInteger, readTime, sequenceOf } from "./asn1-reader.ts";
import { bitString, explicit, integer, sequence, time, unsignedInteger } from "./asn1-writer.ts";
import {
  type DistinguishedName,
  decodeName,
  encodeName,
  type ParsedName,
} from "./distinguished-name.ts";
import {
  authorityKeyIdentifier,
  basicConstraints,
  type Extension,
  encodeExtension,
  extKeyUsage,
  extKeyUsagesIn,
  isCAIn,
  KeyUsageBit,
  keyIdentifier,
  keyUsage,
  readExtensions,
  type SubjectAltNames,
  subjectAltName,
  subjectAltNamesIn,
  subjectKeyIdentifier,
} from "./extensions.ts";
import {
  generatePrivateKey,
  type KeyAlgorithm,
  privateKeyToPEM,
  publicKeyOf,
  publicKeyToDER,
} from "./keys.ts";
import { OID } from "./oids.ts";
import { toPEM } from "./pem.ts";
import { algorithmIdentifier, signatureAlgorithmFor, signWith } from "./signature.ts";

export interface SignedCertificate {
  readonly certPem: string;
  readonly certificate: X509Certificate;
}

export interface CertificateAndKey extends SignedCertificate {
  readonly keyPem: string;
  readonly privateKey: KeyObject;
}

/** A CA is a certificate and its key; the same CA signs serving and client certificates. */
export type CertificateAuthority = CertificateAndKey;

export type CertificateUsage = "server" | "client";

/** Certificates start 5 minutes in the past, as the Kubernetes CSR signer backdates them. */
const BACKDATE_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface CreateCAOptions extends DistinguishedName {
  /** Default 3650 (ten years). */
  readonly validityDays?: number;
  /** A key to use; otherwise a new one of `keyAlgorithm` (default ECDSA P-256). */
  readonly privateKey?: KeyObject;
  readonly keyAlgorithm?: KeyAlgorithm;
  readonly now?: Date;
}

export function createCA(opts: CreateCAOptions): CertificateAuthority {
  const privateKey = opts.privateKey ?? generatePrivateKey(opts.keyAlgorithm);
  const spki = publicKeyToDER(privateKey);
  const now = (opts.now ?? new Date()).getTime();
  const { certPem, certificate } = signTBS(privateKey, {
    issuer: encodeName(opts),
    subject: encodeName(opts),
    spki,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + (opts.validityDays ?? 3650) * DAY_MS),
    extensions: [
      keyUsage([
        KeyUsageBit.digitalSignature,
        KeyUsageBit.keyEncipherment,
        KeyUsageBit.keyCertSign,
      ]),
      basicConstraints(true),
      subjectKeyIdentifier(keyIdentifier(spki)),
    ],
  });
  return { certPem, certificate, privateKey, keyPem: privateKeyToPEM(privateKey) };
}

export interface SignCertificateOptions extends DistinguishedName, Partial<SubjectAltNames> {
  readonly ca: Pick<CertificateAuthority, "certificate" | "privateKey">;
  /** The subject's public key (from a CSR, or the public half of a private key). */
  readonly publicKey: KeyObject;
  readonly usages: readonly CertificateUsage[];
  /** Default 365; never beyond the CA's own expiry. Fractions of a day are allowed. */
  readonly validityDays?: number;
  readonly now?: Date;
}

/** Signs a leaf certificate for `publicKey` with the CA. */
export function signCertificate(opts: SignCertificateOptions): SignedCertificate {
  const ca = readTBS(opts.ca.certificate.raw);
  const spki = publicKeyToDER(opts.publicKey);
  const now = (opts.now ?? new Date()).getTime();
  const notAfter = Math.min(now + (opts.validityDays ?? 365) * DAY_MS, ca.notAfter.getTime());
  const hasSANs = [opts.dnsNames, opts.ipAddresses, opts.emailAddresses, opts.uris].some(
    (l) => l?.length,
  );
  const subjectEmpty =
    !opts.commonName && !opts.organizations?.length && !opts.organizationalUnits?.length;
  const usageOIDs = { server: OID.serverAuth, client: OID.clientAuth } as const;
  const caKeyId = ca.extensions.find((e) => e.oid === OID.subjectKeyIdentifier);
  const extensions: Extension[] = [
    keyUsage([KeyUsageBit.digitalSignature, KeyUsageBit.keyEncipherment]),
    ...(opts.usages.length ? [extKeyUsage(opts.usages.map((u) => usageOIDs[u]))] : []),
    basicConstraints(false),
    subjectKeyIdentifier(keyIdentifier(spki)),
    authorityKeyIdentifier(caKeyId ? readDer(caKeyId.value).contents : keyIdentifier(ca.spki.der)),
    ...(hasSANs ? [subjectAltName(opts, subjectEmpty)] : []),
  ];
  return signTBS(opts.ca.privateKey, {
    issuer: ca.subject.der,
    subject: encodeName(opts),
    spki,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(notAfter),
    extensions,
  });
}

export interface IssueCertificateOptions extends Omit<SignCertificateOptions, "publicKey"> {
  readonly privateKey?: KeyObject;
  readonly keyAlgorithm?: KeyAlgorithm;
}

/** Creates a key (unless given one) and a certificate for it signed by the CA. */
export function issueCertificate(opts: IssueCertificateOptions): CertificateAndKey {
  const privateKey = opts.privateKey ?? generatePrivateKey(opts.keyAlgorithm);
  const signed = signCertificate({ ...opts, publicKey: publicKeyOf(privateKey) });
  return { ...signed, privateKey, keyPem: privateKeyToPEM(privateKey) };
}

interface TBSParts {
  readonly issuer: Buffer;
  readonly subject: Buffer;
  readonly spki: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: readonly Extension[];
}

function signTBS(key: KeyObject, parts: TBSParts): SignedCertificate {
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  serial[0]! |= 0x01; // positive, 16 bytes, never zero
  const algorithm = algorithmIdentifier(signatureAlgorithmFor(key));
  const tbs = sequence(
    explicit(0, integer(2)),
    unsignedInteger(serial),
    algorithm,
    parts.issuer,
    sequence(time(parts.notBefore), time(parts.notAfter)),
    parts.subject,
    parts.spki,
    explicit(3, sequence(...parts.extensions.map(encodeExtension))),
  );
  const der = sequence(tbs, algorithm, bitString(signWith(key, tbs)));
  return { certPem: toPEM("CERTIFICATE", der), certificate: new X509Certificate(der) };
}

interface TBSNodes {
  readonly serialNumber: bigint;
  readonly issuer: Asn1Node;
  readonly subject: Asn1Node;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly spki: Asn1Node;
  readonly extensions: Extension[];
}

function readTBS(der: Uint8Array): TBSNodes {
  const [tbsNode] = sequenceOf(readDer(der), "Certificate");
  const fields = sequenceOf(tbsNode, "TBSCertificate");
  if (fields[0]?.tag === 0xa0) fields.shift(); // version
  const [serial, , issuer, validity, subject, spki, ...rest] = fields;
  const [notBefore, notAfter] = sequenceOf(validity, "Validity");
  const extensionsNode = rest.find((n) => n.tag === 0xa3);
  const extensions = extensionsNode ? readExtensions(readDer(extensionsNode.contents)) : [];
  if (!issuer || !subject || !spki) throw new Error("truncated TBSCertificate");
  return {
    serialNumber: readInteger(serial),
    issuer,
    subject,
    notBefore: readTime(notBefore),
    notAfter: readTime(notAfter),
    spki,
    extensions,
  };
}

/** What Bosun reads from a certificate: names, validity, CA flag, usages, SANs. */
export interface CertificateInfo extends SubjectAltNames {
  readonly subject: ParsedName;
  readonly issuer: ParsedName;
  readonly serialNumber: bigint;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCA: boolean;
  readonly usages: CertificateUsage[];
  readonly extensions: Extension[];
}

export function inspectCertificate(certificate: X509Certificate | string): CertificateInfo {
  const cert = typeof certificate === "string" ? new X509Certificate(certificate) : certificate;
  const tbs = readTBS(cert.raw);
  const ekus = extKeyUsagesIn(tbs.extensions);
  return {
    subject: decodeName(tbs.subject),
    issuer: decodeName(tbs.issuer),
    serialNumber: tbs.serialNumber,
    notBefore: tbs.notBefore,
    notAfter: tbs.notAfter,
    isCA: isCAIn(tbs.extensions),
    usages: (["server", "client"] as const).filter((u) =>
      ekus.includes(u === "server" ? OID.serverAuth : OID.clientAuth),
    ),
    extensions: tbs.extensions,
    ...subjectAltNamesIn(tbs.extensions),
  };
}
