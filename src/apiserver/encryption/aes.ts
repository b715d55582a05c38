/**
 * The AES providers (upstream `storage/value/encrypt/aes`), on node:crypto.
 *
 * aesgcm: a random 12-byte nonce, then the ciphertext and its 16-byte tag. The Store key is the
 *   additional authenticated data, so a value moved to another key does not decrypt.
 * aescbc: a random 16-byte IV, then the PKCS#7-padded CBC ciphertext. Not authenticated: the key
 *   is not bound, and tampering shows only as bad padding or garbage.
 *
 * Both take the 16, 24 or 32-byte key upstream's validation accepts.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { ValueTransformer } from "./transformer.ts";

const gcmNonceSize = 12;
const gcmTagSize = 16;
const blockSize = 16;
const encoder = new TextEncoder();

const gcmAlgorithms = { 16: "aes-128-gcm", 24: "aes-192-gcm", 32: "aes-256-gcm" } as const;
const cbcAlgorithms = { 16: "aes-128-cbc", 24: "aes-192-cbc", 32: "aes-256-cbc" } as const;

function keySize(key: Uint8Array): 16 | 24 | 32 {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new Error(`crypto/aes: invalid key size ${key.length}`);
  }
  return key.length;
}

/** The parts joined into a plain Uint8Array (a Buffer's `slice` would share memory). */
function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const tooShort = () => new Error("the stored data was shorter than the required size");

export function aesGcmTransformer(key: Uint8Array): ValueTransformer {
  const alg = gcmAlgorithms[keySize(key)];
  return {
    toStorage(data, context) {
      const nonce = randomBytes(gcmNonceSize);
      const cipher = createCipheriv(alg, key, nonce, { authTagLength: gcmTagSize });
      cipher.setAAD(encoder.encode(context));
      const head = cipher.update(data);
      const tail = cipher.final();
      return join(nonce, head, tail, cipher.getAuthTag());
    },
    fromStorage(data, context) {
      if (data.length < gcmNonceSize) throw tooShort();
      if (data.length < gcmNonceSize + gcmTagSize) {
        throw new Error("cipher: message authentication failed");
      }
      const nonce = data.subarray(0, gcmNonceSize);
      const sealed = data.subarray(gcmNonceSize, data.length - gcmTagSize);
      const decipher = createDecipheriv(alg, key, nonce, { authTagLength: gcmTagSize });
      decipher.setAAD(encoder.encode(context));
      decipher.setAuthTag(data.subarray(data.length - gcmTagSize));
      try {
        const value = join(decipher.update(sealed), decipher.final());
        return { value, stale: false };
      } catch (err) {
        throw new Error("cipher: message authentication failed", { cause: err });
      }
    },
  };
}

export function aesCbcTransformer(key: Uint8Array): ValueTransformer {
  const alg = cbcAlgorithms[keySize(key)];
  return {
    toStorage(data) {
      const iv = randomBytes(blockSize);
      const padding = blockSize - (data.length % blockSize);
      const padded = new Uint8Array(data.length + padding);
      padded.set(data);
      padded.fill(padding, data.length);
      const cipher = createCipheriv(alg, key, iv).setAutoPadding(false);
      return join(iv, cipher.update(padded), cipher.final());
    },
    fromStorage(data) {
      if (data.length < blockSize) throw tooShort();
      const iv = data.subarray(0, blockSize);
      const body = data.subarray(blockSize);
      if (body.length % blockSize !== 0) {
        throw new Error("the stored data is not a multiple of the block size");
      }
      const decipher = createDecipheriv(alg, key, iv).setAutoPadding(false);
      const plain = join(decipher.update(body), decipher.final());
      const padding = plain.length > 0 ? plain[plain.length - 1]! : 0;
      if (padding === 0 || padding > plain.length || padding > blockSize) {
        throw new Error("invalid PKCS7 data (empty or not padded)");
      }
      for (let i = plain.length - padding; i < plain.length; i++) {
        if (plain[i] !== padding) throw new Error("invalid padding on input");
      }
      return { value: plain.subarray(0, plain.length - padding), stale: false };
    },
  };
}
