import assert from "node:assert/strict";
import { createDecipheriv } from "node:crypto";
import { describe, it } from "node:test";
import { aesCbcTransformer, aesGcmTransformer } from "./aes.ts";

const plain = new TextEncoder().encode('{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}');
const key = (fill: number, size = 32) => new Uint8Array(size).fill(fill);
const ctx = "/registry/core/secrets/default/db";

for (const [name, make] of [
  ["aesgcm", aesGcmTransformer],
  ["aescbc", aesCbcTransformer],
] as const) {
  describe(name, () => {
    for (const size of [16, 24, 32]) {
      it(`round-trips with a ${size}-byte key`, () => {
        const t = make(key(7, size));
        const sealed = t.toStorage(plain, ctx);
        assert.notDeepEqual(sealed, plain);
        const { value, stale } = t.fromStorage(sealed, ctx);
        assert.deepEqual(new Uint8Array(value), plain);
        assert.equal(stale, false);
      });
    }

    it("round-trips empty and block-sized values", () => {
      const t = make(key(1));
      for (const len of [0, 1, 15, 16, 17, 32]) {
        const data = new Uint8Array(len).fill(9);
        assert.deepEqual(new Uint8Array(t.fromStorage(t.toStorage(data, ctx), ctx).value), data);
      }
    });

    it("writes a fresh nonce each time", () => {
      const t = make(key(1));
      assert.notDeepEqual(t.toStorage(plain, ctx), t.toStorage(plain, ctx));
    });

    it("refuses another key", () => {
      const sealed = make(key(1)).toStorage(plain, ctx);
      let out: Uint8Array;
      try {
        out = make(key(2)).fromStorage(sealed, ctx).value;
      } catch {
        return;
      }
      // CBC is unauthenticated: a wrong key usually fails on padding, rarely yields garbage.
      assert.equal(name, "aescbc");
      assert.notDeepEqual(new Uint8Array(out), plain);
    });

    it("refuses truncated data", () => {
      assert.throws(() => make(key(1)).fromStorage(new Uint8Array(5), ctx), /shorter than/);
    });

    it("rejects invalid key sizes", () => {
      assert.throws(() => make(key(1, 20)), /invalid key size 20/);
    });
  });
}

describe("aesgcm layout and authentication", () => {
  it("is nonce(12) + ciphertext + tag(16), with the Store key as additional data", () => {
    const k = key(3);
    const sealed = aesGcmTransformer(k).toStorage(plain, ctx);
    assert.equal(sealed.length, 12 + plain.length + 16);
    const d = createDecipheriv("aes-256-gcm", k, sealed.subarray(0, 12));
    d.setAAD(Buffer.from(ctx));
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    const out = Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()]);
    assert.deepEqual(new Uint8Array(out), plain);
  });

  it("rejects a tampered byte anywhere", () => {
    const t = aesGcmTransformer(key(3));
    const sealed = t.toStorage(plain, ctx);
    for (const i of [0, 12, 20, sealed.length - 1]) {
      const bad = sealed.slice();
      bad[i]! ^= 1;
      assert.throws(() => t.fromStorage(bad, ctx), /message authentication failed/);
    }
  });

  it("rejects a value moved to another key", () => {
    const t = aesGcmTransformer(key(3));
    const sealed = t.toStorage(plain, ctx);
    assert.throws(
      () => t.fromStorage(sealed, "/registry/core/secrets/default/other"),
      /message authentication failed/,
    );
  });
});

describe("aescbc layout", () => {
  it("is IV(16) + CBC with PKCS#7 padding", () => {
    const k = key(4);
    const sealed = aesCbcTransformer(k).toStorage(plain, ctx);
    assert.equal(sealed.length, 16 + Math.ceil((plain.length + 1) / 16) * 16);
    const d = createDecipheriv("aes-256-cbc", k, sealed.subarray(0, 16));
    const out = Buffer.concat([d.update(sealed.subarray(16)), d.final()]);
    assert.deepEqual(new Uint8Array(out), plain);
  });

  it("rejects data that is not whole blocks, and bad padding", () => {
    const t = aesCbcTransformer(key(4));
    const sealed = t.toStorage(plain, ctx);
    assert.throws(
      () => t.fromStorage(sealed.subarray(0, sealed.length - 1), ctx),
      /multiple of the block size/,
    );
    // Flipping a byte of the previous block flips the same byte of the last plaintext block:
    // here the final padding byte, which becomes larger than a block.
    const bad = sealed.slice();
    bad[bad.length - 17]! ^= 0x55;
    assert.throws(() => t.fromStorage(bad, ctx), /invalid PKCS7 data/);
    const badFill = sealed.slice();
    badFill[badFill.length - 18]! ^= 0x01; // a padding byte other than the last
    assert.throws(() => t.fromStorage(badFill, ctx), /invalid padding on input/);
  });
});
