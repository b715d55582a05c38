import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { applyDefaults } from "./defaulting.ts";
import type { JsonMap, Schema } from "./json-schema.ts";

const schema: Schema = {
  type: "object",
  properties: {
    metadata: { type: "object", properties: { name: { type: "string", default: "never" } } },
    spec: {
      type: "object",
      default: {},
      properties: {
        replicas: { type: "integer", default: 1 },
        strategy: {
          type: "object",
          default: { type: "Rolling" },
          properties: {
            type: { type: "string" },
            maxSurge: { type: "integer", default: 25 },
          },
        },
        ports: {
          type: "array",
          items: {
            type: "object",
            properties: {
              port: { type: "integer" },
              protocol: { type: "string", default: "TCP" },
            },
          },
        },
        labels: {
          type: "object",
          additionalProperties: { type: "string", default: "on" },
        },
        optional: { type: "string", nullable: true, default: "d" },
        plain: { type: "string", default: "p" },
      },
    },
  },
};

describe("structural defaulting", () => {
  test("nested defaults: a defaulted object is defaulted in turn", () => {
    const obj: JsonMap = { apiVersion: "example.com/v1", kind: "Widget", metadata: {} };
    applyDefaults(obj, schema);
    assert.deepEqual(obj.spec, {
      replicas: 1,
      strategy: { type: "Rolling", maxSurge: 25 },
      plain: "p",
      optional: "d",
    });
  });

  test("set fields are kept; null is defaulted only where null is not allowed", () => {
    const obj: JsonMap = { spec: { replicas: 3, plain: null, optional: null } };
    applyDefaults(obj, schema);
    const spec = obj.spec as JsonMap;
    assert.equal(spec.replicas, 3);
    assert.equal(spec.plain, "p");
    assert.equal(spec.optional, null);
  });

  test("defaults inside array items and map values", () => {
    const obj: JsonMap = {
      spec: { ports: [{ port: 80 }, { port: 53, protocol: "UDP" }], labels: { a: "x", b: null } },
    };
    applyDefaults(obj, schema);
    const spec = obj.spec as JsonMap;
    assert.deepEqual(spec.ports, [
      { port: 80, protocol: "TCP" },
      { port: 53, protocol: "UDP" },
    ]);
    assert.deepEqual(spec.labels, { a: "x", b: "on" });
  });

  test("metadata is never defaulted", () => {
    const obj: JsonMap = { metadata: {} };
    applyDefaults(obj, schema);
    assert.deepEqual(obj.metadata, {});
  });

  test("defaults are copies, not shared", () => {
    const a: JsonMap = {};
    const b: JsonMap = {};
    applyDefaults(a, schema);
    applyDefaults(b, schema);
    ((a.spec as JsonMap).strategy as JsonMap).type = "Recreate";
    assert.equal(((b.spec as JsonMap).strategy as JsonMap).type, "Rolling");
  });
});
