import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { poly1305, secretboxOpen, secretboxSeal, secretboxTransformer } from "./secretbox.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("secretbox primitives", () => {
  it("match NaCl's crypto_secretbox output (golang.org/x/crypto's test vector)", () => {
    const key = new Uint8Array(32).fill(1);
    const nonce = new Uint8Array(24).fill(2);
    const message = new Uint8Array(64).fill(3);
    const box = secretboxSeal(message, nonce, key);
    assert.equal(
      hex(box),
      "8442bc313f4626f1359e3b50122b6ce6fe66ddfe7d39d14e637eb4fd5b45beadab55198df6ab5368439792a23c87db70acb6156dc5ef957ac04f6276cf6093b84be77ff0849cc33e34b7254d5a8f65ad",
    );
    assert.deepEqual(secretboxOpen(box, nonce, key), message);
  });

  it("compute Poly1305 as RFC 8439 section 2.5.2 does", () => {
    const key = Buffer.from(
      "85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b",
      "hex",
    );
    const tag = poly1305(new TextEncoder().encode("Cryptographic Forum Research Group"), key);
    assert.equal(hex(tag), "a8061dc1305136c6c22b8baf0c0127a9");
  });

  it("refuse a tampered box", () => {
    const key = new Uint8Array(32).fill(1);
    const nonce = new Uint8Array(24).fill(2);
    const box = secretboxSeal(new Uint8Array(100).fill(5), nonce, key);
    for (const i of [0, 15, 16, 99, 115]) {
      const bad = box.slice();
      bad[i]! ^= 0x80;
      assert.equal(secretboxOpen(bad, nonce, key), undefined, `byte ${i}`);
    }
  });

  it("round-trip messages across block boundaries", () => {
    const key = new Uint8Array(32).map((_, i) => i);
    const nonce = new Uint8Array(24).map((_, i) => 100 + i);
    for (const len of [0, 1, 31, 32, 33, 63, 64, 65, 200]) {
      const msg = new Uint8Array(len).map((_, i) => i * 13);
      assert.deepEqual(secretboxOpen(secretboxSeal(msg, nonce, key), nonce, key), msg);
    }
  });
});

describe("secretbox transformer", () => {
  const plain = new TextEncoder().encode('{"kind":"Secret"}');
  const ctx = "/registry/core/secrets/default/a";

  it("round-trips as nonce(24) + tag(16) + ciphertext", () => {
    const t = secretboxTransformer(new Uint8Array(32).fill(9));
    const sealed = t.toStorage(plain, ctx);
    assert.equal(sealed.length, 24 + 16 + plain.length);
    assert.deepEqual(t.fromStorage(sealed, ctx), { value: plain, stale: false });
  });

  it("refuses another key and tampering", () => {
    const sealed = secretboxTransformer(new Uint8Array(32).fill(9)).toStorage(plain, ctx);
    assert.throws(
      () => secretboxTransformer(new Uint8Array(32).fill(8)).fromStorage(sealed, ctx),
      /output array was not large enough/,
    );
    const bad = sealed.slice();
    bad[bad.length - 1]! ^= 1;
    assert.throws(() => secretboxTransformer(new Uint8Array(32).fill(9)).fromStorage(bad, ctx));
  });

  it("needs a 32-byte key and enough data", () => {
    assert.throws(() => secretboxTransformer(new Uint8Array(16)), /expected key size 32/);
    const t = secretboxTransformer(new Uint8Array(32));
    assert.throws(() => t.fromStorage(new Uint8Array(39), ctx), /shorter than the required size/);
  });
});
