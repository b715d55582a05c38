import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseEncryptionConfiguration } from "./config.ts";
import { ResourceTransformers } from "./resource-transformers.ts";
import { configYaml, testKey, transformersFor } from "./testing.ts";
import { identityTransformer } from "./transformer.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const secrets = { group: "", resource: "secrets" };
const ctx = "/registry/core/secrets/default/a";
const plain = '{"apiVersion":"v1","kind":"Secret","data":{"token":"c2VjcmV0LXRva2Vu"}}';
const key1 = { name: "key1", secret: testKey(1) };
const key2 = { name: "key2", secret: testKey(2) };

describe("ResourceTransformers", () => {
  for (const provider of ["aesgcm", "aescbc", "secretbox"] as const) {
    it(`${provider}: writes upstream's envelope and reads it back`, () => {
      const t = transformersFor(["secrets"], [{ provider, keys: [key1] }]).transformerFor(secrets);
      const stored = t.toStorage(enc(plain), ctx);
      const prefix = `k8s:enc:${provider}:v1:key1:`;
      assert.equal(dec(stored.subarray(0, prefix.length)), prefix);
      assert.ok(
        !Buffer.from(stored).includes("c2VjcmV0LXRva2Vu"),
        "no plaintext in the stored bytes",
      );
      assert.ok(!Buffer.from(stored).includes('"kind"'));
      const read = t.fromStorage(stored, ctx);
      assert.deepEqual(
        { value: dec(read.value), stale: read.stale },
        { value: plain, stale: false },
      );
    });
  }

  it("refuses a value sealed with a key it does not have", () => {
    const a = transformersFor(["secrets"], [{ provider: "aesgcm", keys: [key1] }]).transformerFor(
      secrets,
    );
    const b = transformersFor(
      ["secrets"],
      [{ provider: "aesgcm", keys: [{ name: "key1", secret: testKey(9) }] }],
    );
    const stored = a.toStorage(enc(plain), ctx);
    assert.throws(
      () => b.transformerFor(secrets).fromStorage(stored, ctx),
      /message authentication failed/,
    );
    const other = transformersFor(["secrets"], [{ provider: "aesgcm", keys: [key2] }]);
    assert.throws(
      () => other.transformerFor(secrets).fromStorage(stored, ctx),
      /^Error: no matching key was found for the provided AES transformer$/,
    );
    const cbc = transformersFor(["secrets"], [{ provider: "aescbc", keys: [key1] }]);
    assert.throws(
      () => cbc.transformerFor(secrets).fromStorage(stored, ctx),
      /^Error: no matching prefix found$/,
    );
  });

  it("reads plaintext through a trailing identity provider, as stale", () => {
    const t = transformersFor(
      ["secrets"],
      [{ provider: "aesgcm", keys: [key1] }, { provider: "identity" }],
    );
    const read = t.transformerFor(secrets).fromStorage(enc(plain), ctx);
    assert.deepEqual({ value: dec(read.value), stale: read.stale }, { value: plain, stale: true });
  });

  it("refuses plaintext without an identity provider", () => {
    const t = transformersFor(["secrets"], [{ provider: "aesgcm", keys: [key1] }]);
    assert.throws(
      () => t.transformerFor(secrets).fromStorage(enc(plain), ctx),
      /no matching prefix found/,
    );
  });

  it("reads an older key as stale and writes with the first", () => {
    const old = transformersFor(["secrets"], [{ provider: "aesgcm", keys: [key1] }]).transformerFor(
      secrets,
    );
    const rotated = transformersFor(
      ["secrets"],
      [{ provider: "aesgcm", keys: [key2, key1] }],
    ).transformerFor(secrets);
    assert.equal(rotated.fromStorage(old.toStorage(enc(plain), ctx), ctx).stale, true);
    assert.match(dec(rotated.toStorage(enc(plain), ctx)), /^k8s:enc:aesgcm:v1:key2:/);
  });

  it("matches a resource, then *.group, then *.*; others are plaintext", () => {
    const config = parseEncryptionConfiguration(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers: [{aesgcm: {keys: [{name: s, secret: "${testKey(1)}"}]}}]
  - resources: ['*.apps']
    providers: [{aescbc: {keys: [{name: a, secret: "${testKey(2)}"}]}}]
  - resources: ['*.*']
    providers: [{secretbox: {keys: [{name: all, secret: "${testKey(3)}"}]}}]
`);
    const rt = new ResourceTransformers(config);
    const prefixOf = (group: string, resource: string) =>
      dec(rt.transformerFor({ group, resource }).toStorage(enc("{}"), "k"))
        .split(":")
        .slice(0, 5)
        .join(":");
    assert.equal(prefixOf("", "secrets"), "k8s:enc:aesgcm:v1:s");
    assert.equal(prefixOf("apps", "deployments"), "k8s:enc:aescbc:v1:a");
    assert.equal(prefixOf("", "configmaps"), "k8s:enc:secretbox:v1:all");
    const none = transformersFor(["secrets"], [{ provider: "aesgcm", keys: [key1] }]);
    assert.equal(none.transformerFor({ group: "", resource: "configmaps" }), identityTransformer);
    assert.equal(none.isConfigured(secrets), true);
    assert.equal(none.isConfigured({ group: "", resource: "configmaps" }), false);
  });

  it("refuses rules masked by an earlier wildcard, as upstream does", () => {
    const config = parseEncryptionConfiguration(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: ['*.*']
    providers: [{identity: {}}]
  - resources: [secrets]
    providers: [{identity: {}}]
`);
    assert.throws(
      () => new ResourceTransformers(config),
      /^Error: resource "secrets" is masked by earlier rule "\*\.\*"$/,
    );
    const core = parseEncryptionConfiguration(
      configYaml(["*."], [{ provider: "identity" }]).concat(
        "  - resources: [configmaps]\n    providers: [{identity: {}}]\n",
      ),
    );
    assert.throws(
      () => new ResourceTransformers(core),
      /resource "configmaps" is masked by earlier rule "\*\."/,
    );
  });
});
