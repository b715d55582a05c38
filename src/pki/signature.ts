/**
 * Signature algorithms: which one a key signs with, their AlgorithmIdentifier encoding, and
 * verification of a signature found in a certificate or request.
 */
import { type KeyObject, sign, verify } from "node:crypto";
import { type Asn1Node, readOid, sequenceOf } from "./asn1-reader.ts";
import { nullValue, oid, sequence } from "./asn1-writer.ts";

export interface SignatureAlgorithm {
  readonly oid: string;
  readonly name: string;
  /** The digest for node:crypto, or null when the scheme fixes it (Ed25519). */
  readonly hash: string | null;
  /** RSA identifiers carry an explicit NULL parameter; ECDSA and Ed25519 carry none. */
  readonly nullParams: boolean;
}

const algorithms: readonly SignatureAlgorithm[] = [
  { oid: "1.2.840.10045.4.3.2", name: "ecdsa-with-SHA256", hash: "sha256", nullParams: false },
  { oid: "1.2.840.10045.4.3.3", name: "ecdsa-with-SHA384", hash: "sha384", nullParams: false },
  { oid: "1.2.840.10045.4.3.4", name: "ecdsa-with-SHA512", hash: "sha512", nullParams: false },
  {
    oid: "1.2.840.113549.1.1.11",
    name: "sha256WithRSAEncryption",
    hash: "sha256",
    nullParams: true,
  },
  {
    oid: "1.2.840.113549.1.1.12",
    name: "sha384WithRSAEncryption",
    hash: "sha384",
    nullParams: true,
  },
  {
    oid: "1.2.840.113549.1.1.13",
    name: "sha512WithRSAEncryption",
    hash: "sha512",
    nullParams: true,
  },
  { oid: "1.3.101.112", name: "Ed25519", hash: null, nullParams: false },
];

const byName = (name: string) => algorithms.find((a) => a.name === name)!;

/** The algorithm a key signs with: ECDSA with the curve's digest, SHA-256 RSA, or Ed25519. */
export function signatureAlgorithmFor(key: KeyObject): SignatureAlgorithm {
  switch (key.asymmetricKeyType) {
    case "ec": {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === "prime256v1") return byName("ecdsa-with-SHA256");
      if (curve === "secp384r1") return byName("ecdsa-with-SHA384");
      if (curve === "secp521r1") return byName("ecdsa-with-SHA512");
      throw new Error(`unsupported EC curve ${curve}`);
    }
    case "rsa":
      return byName("sha256WithRSAEncryption");
    case "ed25519":
      return byName("Ed25519");
    default:
      throw new Error(`unsupported key type ${key.asymmetricKeyType}`);
  }
}

export const algorithmIdentifier = (alg: SignatureAlgorithm): Buffer =>
  alg.nullParams ? sequence(oid(alg.oid), nullValue()) : sequence(oid(alg.oid));

/** Signs `data` with `key` under the key's algorithm (ECDSA signatures are DER, as X.509 wants). */
export function signWith(key: KeyObject, data: Uint8Array): Buffer {
  return sign(signatureAlgorithmFor(key).hash, data, { key, dsaEncoding: "der" });
}

/** Reads an AlgorithmIdentifier; throws for an algorithm this module does not verify. */
export function readSignatureAlgorithm(node: Asn1Node | undefined): SignatureAlgorithm {
  const id = readOid(sequenceOf(node, "AlgorithmIdentifier")[0]);
  const alg = algorithms.find((a) => a.oid === id);
  if (!alg) throw new Error(`unsupported signature algorithm ${id}`);
  return alg;
}

/** Whether `signature` over `data` verifies with `publicKey` under `alg`; never throws. */
export function verifySignature(
  alg: SignatureAlgorithm,
  publicKey: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    return verify(alg.hash, data, { key: publicKey, dsaEncoding: "der" }, signature);
  } catch {
    return false;
  }
}
