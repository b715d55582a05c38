/** Private keys: generation, PEM encoding (PKCS#8 / SPKI) and loading any PEM form Go writes. */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";

export type KeyAlgorithm = "ecdsa-p256" | "ecdsa-p384" | "rsa-2048" | "rsa-4096" | "ed25519";

/** Generates a private key; ECDSA P-256 unless told otherwise (what Kubernetes components use). */
export function generatePrivateKey(algorithm: KeyAlgorithm = "ecdsa-p256"): KeyObject {
  switch (algorithm) {
    case "ecdsa-p256":
      return generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
    case "ecdsa-p384":
      return generateKeyPairSync("ec", { namedCurve: "secp384r1" }).privateKey;
    case "rsa-2048":
      return generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    case "rsa-4096":
      return generateKeyPairSync("rsa", { modulusLength: 4096 }).privateKey;
    case "ed25519":
      return generateKeyPairSync("ed25519").privateKey;
  }
}

/** PKCS#8 `PRIVATE KEY` PEM (Go's tls.X509KeyPair and kubectl accept it for every key type). */
export const privateKeyToPEM = (key: KeyObject): string =>
  key.export({ type: "pkcs8", format: "pem" }).toString();

/** SPKI `PUBLIC KEY` PEM of a public key, or of the public half of a private key. */
export const publicKeyToPEM = (key: KeyObject): string =>
  publicKeyOf(key).export({ type: "spki", format: "pem" }).toString();

/** The DER SubjectPublicKeyInfo of a public key, or of the public half of a private key. */
export const publicKeyToDER = (key: KeyObject): Buffer =>
  publicKeyOf(key).export({ type: "spki", format: "der" });

export const publicKeyOf = (key: KeyObject): KeyObject =>
  key.type === "private" ? createPublicKey(key) : key;

/** Loads a private key from PEM: PKCS#8, PKCS#1 `RSA PRIVATE KEY` or SEC1 `EC PRIVATE KEY`. */
export const loadPrivateKey = (pem: string): KeyObject => createPrivateKey(pem);

/** Loads a public key from `PUBLIC KEY` PEM (or derives it from a certificate or private key). */
export const loadPublicKey = (pem: string): KeyObject => createPublicKey(pem);
