import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { JsonMap, Schema } from "./json-schema.ts";
import { prune } from "./pruning.ts";

const schema: Schema = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      properties: {
        size: { type: "string" },
        items: {
          type: "array",
          items: { type: "object", properties: { name: { type: "string" } } },
        },
        labels: { type: "object", additionalProperties: { type: "string" } },
        config: {
          type: "object",
          "x-kubernetes-preserve-unknown-fields": true,
          properties: { known: { type: "object", properties: { a: { type: "string" } } } },
        },
        template: {
          type: "object",
          "x-kubernetes-embedded-resource": true,
          properties: { spec: { type: "object", properties: { image: { type: "string" } } } },
        },
      },
    },
  },
};

describe("pruning unknown fields", () => {
  test("unknown fields are dropped at every level and reported", () => {
    const obj: JsonMap = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w", labels: { a: "b" } },
      spec: { size: "S", color: "red", items: [{ name: "x", extra: 1 }] },
      junk: true,
    };
    const pruned = prune(obj, schema);
    assert.deepEqual(obj, {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w", labels: { a: "b" } },
      spec: { size: "S", items: [{ name: "x" }] },
    });
    assert.deepEqual(pruned, ["spec.color", "spec.items[0].extra", "junk"]);
  });

  test("maps keep their keys", () => {
    const obj: JsonMap = { spec: { labels: { any: "thing", other: "x" } } };
    assert.deepEqual(prune(obj, schema), []);
  });

  test("preserve-unknown-fields keeps unknowns but prunes known fields", () => {
    const obj: JsonMap = { spec: { config: { free: { form: 1 }, known: { a: "x", b: "y" } } } };
    assert.deepEqual(prune(obj, schema), ["spec.config.known.b"]);
    assert.deepEqual(obj.spec, { config: { free: { form: 1 }, known: { a: "x" } } });
  });

  test("embedded resources keep apiVersion, kind and metadata", () => {
    const obj: JsonMap = {
      spec: {
        template: {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "p" },
          spec: { image: "nginx", other: 1 },
          status: {},
        },
      },
    };
    assert.deepEqual(prune(obj, schema), ["spec.template.spec.other", "spec.template.status"]);
    assert.deepEqual(obj.spec, {
      template: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p" },
        spec: { image: "nginx" },
      },
    });
  });

  test("without a schema only apiVersion, kind and metadata stay", () => {
    const obj: JsonMap = { apiVersion: "v1", kind: "X", metadata: {}, spec: {} };
    assert.deepEqual(prune(obj, undefined), ["spec"]);
  });
});
