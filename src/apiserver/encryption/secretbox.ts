/**
 * The secretbox provider: NaCl's `crypto_secretbox` (XSalsa20 stream cipher, Poly1305 MAC), as
 * upstream writes it with golang.org/x/crypto/nacl/secretbox: a random 24-byte nonce, then the
 * 16-byte tag, then the ciphertext. node:crypto has neither Salsa20 nor a standalone Poly1305, so
 * both are here; `secretbox.test.ts` checks them against NaCl's published output.
 *
 * Like upstream, the Store key is not authenticated. The MAC is compared in constant time; the
 * Poly1305 arithmetic uses BigInt and is not constant-time, which matters little for data at
 * rest (an attacker would need to time the server's reads of values they planted).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { ValueTransformer } from "./transformer.ts";

export const secretboxNonceSize = 24;
export const secretboxOverhead = 16;

const rotl = (v: number, n: number) => (v << n) | (v >>> (32 - n));

/** The 20 Salsa20 rounds over `x`, in place. */
function rounds(x: Uint32Array): void {
  const qr = (a: number, b: number, c: number, d: number) => {
    x[b] = x[b]! ^ rotl((x[a]! + x[d]!) | 0, 7);
    x[c] = x[c]! ^ rotl((x[b]! + x[a]!) | 0, 9);
    x[d] = x[d]! ^ rotl((x[c]! + x[b]!) | 0, 13);
    x[a] = x[a]! ^ rotl((x[d]! + x[c]!) | 0, 18);
  };
  for (let i = 0; i < 10; i++) {
    qr(0, 4, 8, 12);
    qr(5, 9, 13, 1);
    qr(10, 14, 2, 6);
    qr(15, 3, 7, 11);
    qr(0, 1, 2, 3);
    qr(5, 6, 7, 4);
    qr(10, 11, 8, 9);
    qr(15, 12, 13, 14);
  }
}

/** The initial state: constants, the 32-byte key, and 16 bytes of nonce/counter input. */
function initialState(key: Uint8Array, input: Uint8Array): Uint32Array {
  const k = new DataView(key.buffer, key.byteOffset, 32);
  const n = new DataView(input.buffer, input.byteOffset, 16);
  const s = new Uint32Array(16);
  // "expand 32-byte k"
  s[0] = 0x61707865;
  s[5] = 0x3320646e;
  s[10] = 0x79622d32;
  s[15] = 0x6b206574;
  for (let i = 0; i < 4; i++) {
    s[1 + i] = k.getUint32(4 * i, true);
    s[11 + i] = k.getUint32(16 + 4 * i, true);
    s[6 + i] = n.getUint32(4 * i, true);
  }
  return s;
}

/** HSalsa20: derives XSalsa20's subkey from the key and the nonce's first 16 bytes. */
function hsalsa20(key: Uint8Array, nonce16: Uint8Array): Uint8Array {
  const x = initialState(key, nonce16);
  rounds(x);
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  for (const [i, w] of [0, 5, 10, 15, 6, 7, 8, 9].entries()) view.setUint32(4 * i, x[w]!, true);
  return out;
}

/** `length` bytes of the XSalsa20 keystream for `key` and the 24-byte `nonce`. */
function xsalsa20Stream(key: Uint8Array, nonce: Uint8Array, length: number): Uint8Array {
  const subkey = hsalsa20(key, nonce.subarray(0, 16));
  const input = new Uint8Array(16);
  input.set(nonce.subarray(16, 24));
  const inputView = new DataView(input.buffer);
  const out = new Uint8Array(Math.ceil(length / 64) * 64);
  const outView = new DataView(out.buffer);
  for (let block = 0; block * 64 < length; block++) {
    inputView.setUint32(8, block >>> 0, true);
    inputView.setUint32(12, Math.floor(block / 2 ** 32), true);
    const state = initialState(subkey, input);
    const x = state.slice();
    rounds(x);
    for (let i = 0; i < 16; i++)
      outView.setUint32(block * 64 + 4 * i, (x[i]! + state[i]!) >>> 0, true);
  }
  return out.subarray(0, length);
}

const p1305 = (1n << 130n) - 5n;

function leBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/** Poly1305 one-time authenticator of `message` under the 32-byte one-time key. */
export function poly1305(message: Uint8Array, oneTimeKey: Uint8Array): Uint8Array {
  const r = leBigInt(oneTimeKey.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const s = leBigInt(oneTimeKey.subarray(16, 32));
  let acc = 0n;
  for (let i = 0; i < message.length; i += 16) {
    const chunk = message.subarray(i, i + 16);
    acc = ((acc + leBigInt(chunk) + (1n << BigInt(8 * chunk.length))) * r) % p1305;
  }
  let tag = (acc + s) & ((1n << 128n) - 1n);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++, tag >>= 8n) out[i] = Number(tag & 0xffn);
  return out;
}

/** `crypto_secretbox`: the tag followed by the ciphertext. */
export function secretboxSeal(message: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  const stream = xsalsa20Stream(key, nonce, 32 + message.length);
  const out = new Uint8Array(secretboxOverhead + message.length);
  const ciphertext = out.subarray(secretboxOverhead);
  for (let i = 0; i < message.length; i++) ciphertext[i] = message[i]! ^ stream[32 + i]!;
  out.set(poly1305(ciphertext, stream.subarray(0, 32)));
  return out;
}

/** `crypto_secretbox_open`: the message, or undefined when the box does not authenticate. */
export function secretboxOpen(
  box: Uint8Array,
  nonce: Uint8Array,
  key: Uint8Array,
): Uint8Array | undefined {
  if (box.length < secretboxOverhead) return undefined;
  const ciphertext = box.subarray(secretboxOverhead);
  const stream = xsalsa20Stream(key, nonce, 32 + ciphertext.length);
  const tag = poly1305(ciphertext, stream.subarray(0, 32));
  if (!timingSafeEqual(tag, box.subarray(0, secretboxOverhead))) return undefined;
  const message = new Uint8Array(ciphertext.length);
  for (let i = 0; i < ciphertext.length; i++) message[i] = ciphertext[i]! ^ stream[32 + i]!;
  return message;
}

export function secretboxTransformer(key: Uint8Array): ValueTransformer {
  if (key.length !== 32) {
    throw new Error(`expected key size 32 for secretbox provider, got ${key.length}`);
  }
  return {
    toStorage(data) {
      const nonce = randomBytes(secretboxNonceSize);
      const box = secretboxSeal(data, nonce, key);
      const out = new Uint8Array(secretboxNonceSize + box.length);
      out.set(nonce);
      out.set(box, secretboxNonceSize);
      return out;
    },
    fromStorage(data) {
      if (data.length < secretboxNonceSize + secretboxOverhead) {
        throw new Error("the stored data was shorter than the required size");
      }
      const value = secretboxOpen(
        data.subarray(secretboxNonceSize),
        data.subarray(0, secretboxNonceSize),
        key,
      );
      // Upstream's message for a box that does not open.
      if (!value) throw new Error("output array was not large enough for encryption");
      return { value, stale: false };
    },
  };
}
