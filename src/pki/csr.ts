/**
 * PKCS#10 certificate signing requests (RFC 2986): created by the kubelet side, parsed and
 * verified by the certificates API and its signers.
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import {
  Asn1Error,
  children,
  readBitString,
  readDer,
  readInteger,
  readOid,
  sequenceOf,
} from "./asn1-reader.ts";
import { bitString, implicit, integer, oid, sequence, setOf } from "./asn1-writer.ts";
import {
  type DistinguishedName,
  decodeName,
  encodeName,
  type ParsedName,
} from "./distinguished-name.ts";
import {
  type Extension,
  encodeExtension,
  readExtensions,
  type SubjectAltNames,
  subjectAltName,
  subjectAltNamesIn,
} from "./extensions.ts";
import { publicKeyToDER } from "./keys.ts";
import { OID } from "./oids.ts";
import { fromPEM, toPEM } from "./pem.ts";
import {
  algorithmIdentifier,
  readSignatureAlgorithm,
  signatureAlgorithmFor,
  signWith,
  verifySignature,
} from "./signature.ts";

export interface CreateCSROptions extends DistinguishedName, Partial<SubjectAltNames> {
  readonly privateKey: KeyObject;
}

/** A `CERTIFICATE REQUEST` PEM for the key's public half, signed with the key. */
export function createCSR(opts: CreateCSROptions): string {
  const hasSANs = [opts.dnsNames, opts.ipAddresses, opts.emailAddresses, opts.uris].some(
    (l) => l?.length,
  );
  const attributes = hasSANs
    ? [
        sequence(
          oid(OID.extensionRequest),
          setOf(sequence(encodeExtension(subjectAltName(opts, !opts.commonName)))),
        ),
      ]
    : [];
  const info = sequence(
    integer(0),
    encodeName(opts),
    publicKeyToDER(opts.privateKey),
    implicit(0, Buffer.concat(attributes), true),
  );
  const algorithm = algorithmIdentifier(signatureAlgorithmFor(opts.privateKey));
  const der = sequence(info, algorithm, bitString(signWith(opts.privateKey, info)));
  return toPEM("CERTIFICATE REQUEST", der);
}

/** Why a request was rejected: malformed, or its self-signature does not verify. */
export class CSRError extends Error {
  override readonly name = "CSRError";
}

export interface CertificateRequest extends SubjectAltNames {
  readonly der: Buffer;
  readonly subject: ParsedName;
  readonly publicKey: KeyObject;
  /** The signature algorithm's name, e.g. `ecdsa-with-SHA256`. */
  readonly signatureAlgorithm: string;
  /** The extensions the request asks for (from its extensionRequest attribute). */
  readonly extensions: Extension[];
}

/** Parses a PEM (or DER) request and verifies its self-signature; throws CSRError if either fails. */
export function parseCSR(input: string | Uint8Array): CertificateRequest {
  let der: Buffer;
  try {
    der =
      typeof input === "string"
        ? fromPEM(input, "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST")
        : Buffer.from(input);
    return readCSR(der);
  } catch (err) {
    if (err instanceof CSRError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new CSRError(`invalid certificate request: ${message}`, { cause: err });
  }
}

function readCSR(der: Buffer): CertificateRequest {
  const [info, algorithmNode, signatureNode] = sequenceOf(readDer(der), "CertificationRequest");
  const [version, subject, spki, attributes] = sequenceOf(info, "CertificationRequestInfo");
  if (readInteger(version) !== 0n) throw new Asn1Error("unsupported version");
  if (!spki || attributes?.tag !== 0xa0) throw new Asn1Error("missing public key or attributes");
  const publicKey = createPublicKey({ key: spki.der, format: "der", type: "spki" });
  const algorithm = readSignatureAlgorithm(algorithmNode);
  const signature = readBitString(signatureNode);
  if (!info || signature.unusedBits !== 0) throw new Asn1Error("bad signature");
  if (!verifySignature(algorithm, publicKey, info.der, signature.bytes)) {
    throw new CSRError("certificate request signature does not verify");
  }
  const extensions: Extension[] = [];
  for (const attribute of children(attributes)) {
    const [type, values] = sequenceOf(attribute, "Attribute");
    if (readOid(type) !== OID.extensionRequest || !values) continue;
    for (const value of children(values)) extensions.push(...readExtensions(value));
  }
  return {
    der,
    subject: decodeName(subject),
    publicKey,
    signatureAlgorithm: algorithm.name,
    extensions,
    ...subjectAltNamesIn(extensions),
  };
}
