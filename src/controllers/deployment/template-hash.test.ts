import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PodTemplateSpec } from "../../api/generated/types.ts";
import { computeHash, equalIgnoreHash, safeEncodeString } from "./template-hash.ts";

const template: PodTemplateSpec = {
  metadata: { labels: { app: "web" } },
  spec: { containers: [{ name: "app", image: "nginx:1.25" }] },
};

describe("pod-template-hash", () => {
  it("encodes digits without vowels, as rand.SafeEncodeString", () => {
    assert.equal(safeEncodeString("0123456789"), "456789bcdf");
  });

  it("is stable, key-order independent, and changes with the template or collision count", () => {
    const hash = computeHash(template);
    assert.match(hash, /^[456789bcdf]{1,10}$/);
    const reordered: PodTemplateSpec = {
      spec: { containers: [{ image: "nginx:1.25", name: "app" }] },
      metadata: { labels: { app: "web" } },
    };
    assert.equal(computeHash(reordered), hash);
    const changed = structuredClone(template);
    if (changed.spec?.containers[0]) changed.spec.containers[0].image = "nginx:1.26";
    assert.notEqual(computeHash(changed), hash);
    assert.notEqual(computeHash(template, 1), hash);
    assert.notEqual(computeHash(template, 1), computeHash(template, 2));
  });

  it("compares templates ignoring the hash label and empty values", () => {
    const withHash = structuredClone(template);
    withHash.metadata = { labels: { app: "web", "pod-template-hash": "abc" }, annotations: {} };
    assert.equal(equalIgnoreHash(template, withHash), true);
    const other = structuredClone(template);
    other.metadata = { labels: { app: "api" } };
    assert.equal(equalIgnoreHash(template, other), false);
  });
});
