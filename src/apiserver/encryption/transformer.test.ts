import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { identityTransformer, prefixTransformers, type ValueTransformer } from "./transformer.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Reverses bytes; fails on input starting with "x". */
const reverse: ValueTransformer = {
  toStorage: (d) => d.slice().reverse(),
  fromStorage(d) {
    if (d[0] === "x".charCodeAt(0)) throw new Error("reverse failed");
    return { value: d.slice().reverse(), stale: false };
  },
};

describe("identityTransformer", () => {
  it("passes plaintext through and refuses encrypted data", () => {
    assert.deepEqual(identityTransformer.fromStorage(enc("{}"), "k"), {
      value: enc("{}"),
      stale: false,
    });
    assert.throws(
      () => identityTransformer.fromStorage(enc("k8s:enc:aesgcm:v1:key1:..."), "k"),
      /identity transformer tried to read encrypted data/,
    );
  });
});

describe("prefixTransformers", () => {
  const t = prefixTransformers(
    [
      { prefix: "a:", transformer: reverse },
      { prefix: "b:", transformer: reverse },
      { prefix: "", transformer: identityTransformer },
    ],
    "no matching prefix found",
  );

  it("writes with the first transformer and its prefix", () => {
    assert.equal(dec(t.toStorage(enc("abc"), "k")), "a:cba");
  });

  it("reads by prefix; only the first is current", () => {
    assert.deepEqual(dec(t.fromStorage(enc("a:cba"), "k").value), "abc");
    assert.equal(t.fromStorage(enc("a:cba"), "k").stale, false);
    assert.equal(t.fromStorage(enc("b:cba"), "k").stale, true);
    assert.deepEqual(t.fromStorage(enc("{}"), "k"), { value: enc("{}"), stale: true });
  });

  it("tries later entries after a failure and reports the failures", () => {
    const two = prefixTransformers(
      [
        { prefix: "p:", transformer: reverse },
        { prefix: "p:x", transformer: identityTransformer },
      ],
      "none",
    );
    assert.equal(dec(two.fromStorage(enc("p:xyz"), "k").value), "p:xyz".slice(3));
    const one = prefixTransformers([{ prefix: "p:", transformer: reverse }], "none");
    assert.throws(() => one.fromStorage(enc("p:xyz"), "k"), /^Error: reverse failed$/);
    assert.throws(() => one.fromStorage(enc("q:"), "k"), /^Error: none$/);
  });

  it("lets an identity entry listed first fall through to decryption", () => {
    const migrating = prefixTransformers(
      [
        { prefix: "", transformer: identityTransformer },
        { prefix: "k8s:enc:test:v1:", transformer: reverse },
      ],
      "none",
    );
    assert.equal(dec(migrating.toStorage(enc("abc"), "k")), "abc");
    const read = migrating.fromStorage(enc("k8s:enc:test:v1:cba"), "k");
    assert.deepEqual({ value: dec(read.value), stale: read.stale }, { value: "abc", stale: true });
  });
});
