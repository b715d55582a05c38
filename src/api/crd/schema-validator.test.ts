import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { newPath } from "../../machinery/field-path.ts";
import type { Schema } from "./json-schema.ts";
import { validateValue } from "./schema-validator.ts";
import { messages } from "./testing.ts";

/** Errors of `{spec: {x: value}}` against `x: schema`. */
function check(schema: Schema, value: unknown): string[] {
  const root: Schema = {
    type: "object",
    properties: { spec: { type: "object", properties: { x: schema } } },
  };
  return messages(validateValue({ spec: { x: value } }, root));
}

describe("custom resource validation messages", () => {
  test("type", () => {
    assert.deepEqual(check({ type: "integer" }, "3"), [
      'spec.x: Invalid value: "string": spec.x in body must be of type integer: "string"',
    ]);
    assert.deepEqual(check({ type: "integer" }, 1.5), [
      'spec.x: Invalid value: "number": spec.x in body must be of type integer: "number"',
    ]);
    assert.deepEqual(check({ type: "number" }, 3), []);
    assert.deepEqual(check({ type: "object" }, [1]), [
      'spec.x: Invalid value: "array": spec.x in body must be of type object: "array"',
    ]);
  });

  test("null and nullable", () => {
    assert.deepEqual(check({ type: "string" }, null), [
      'spec.x: Invalid value: "null": spec.x in body must be of type string: "null"',
    ]);
    assert.deepEqual(check({ type: "string", nullable: true }, null), []);
  });

  test("required", () => {
    const schema: Schema = {
      type: "object",
      required: ["a", "b"],
      properties: { a: { type: "string" } },
    };
    assert.deepEqual(check(schema, { a: "x" }), ["spec.x.b: Required value"]);
  });

  test("enum", () => {
    assert.deepEqual(check({ type: "string", enum: ["a", "b"] }, "c"), [
      'spec.x: Unsupported value: "c": supported values: "a", "b"',
    ]);
    assert.deepEqual(check({ type: "integer", enum: [1, 2] }, 3), [
      'spec.x: Unsupported value: 3: supported values: "1", "2"',
    ]);
    assert.deepEqual(check({ type: "integer", enum: [1, 2] }, 2), []);
  });

  test("minimum and maximum, exclusive or not", () => {
    assert.deepEqual(check({ type: "integer", minimum: 1, maximum: 10 }, 11), [
      "spec.x: Invalid value: 11: spec.x in body should be less than or equal to 10",
    ]);
    assert.deepEqual(check({ type: "integer", minimum: 1 }, 0), [
      "spec.x: Invalid value: 0: spec.x in body should be greater than or equal to 1",
    ]);
    assert.deepEqual(check({ type: "number", minimum: 1, exclusiveMinimum: true }, 1), [
      "spec.x: Invalid value: 1: spec.x in body should be greater than 1",
    ]);
    assert.deepEqual(check({ type: "number", maximum: 2.5, exclusiveMaximum: true }, 2.5), [
      "spec.x: Invalid value: 2.5: spec.x in body should be less than 2.5",
    ]);
    assert.deepEqual(check({ type: "integer", maximum: 1000000 }, 2000000), [
      "spec.x: Invalid value: 2000000: spec.x in body should be less than or equal to 1e+06",
    ]);
    assert.deepEqual(check({ type: "integer", multipleOf: 5 }, 7), [
      "spec.x: Invalid value: 7: spec.x in body should be a multiple of 5",
    ]);
  });

  test("minLength, maxLength and pattern", () => {
    assert.deepEqual(check({ type: "string", minLength: 3 }, "ab"), [
      'spec.x: Invalid value: "ab": spec.x in body should be at least 3 chars long',
    ]);
    assert.deepEqual(check({ type: "string", maxLength: 3 }, "abcd"), [
      "spec.x: Too long: may not be more than 3 bytes",
    ]);
    assert.deepEqual(check({ type: "string", maxLength: 3 }, "äöü"), []);
    assert.deepEqual(check({ type: "string", pattern: "^[a-z]+$" }, "A1"), [
      "spec.x: Invalid value: \"A1\": spec.x in body should match '^[a-z]+$'",
    ]);
  });

  test("minItems, maxItems, uniqueItems and item paths", () => {
    const items: Schema = { type: "string" };
    assert.deepEqual(check({ type: "array", items, minItems: 2 }, ["a"]), [
      "spec.x: Invalid value: 1: spec.x in body should have at least 2 items",
    ]);
    assert.deepEqual(check({ type: "array", items, maxItems: 1 }, ["a", "b"]), [
      "spec.x: Too many: 2: must have at most 1 item",
    ]);
    assert.deepEqual(check({ type: "array", items, uniqueItems: true }, ["a", "a"]), [
      'spec.x: Invalid value: "": spec.x in body shouldn\'t contain duplicates',
    ]);
    assert.deepEqual(check({ type: "array", items }, ["a", 2]), [
      'spec.x[1]: Invalid value: "integer": spec.x[1] in body must be of type string: "integer"',
    ]);
  });

  test("minProperties, maxProperties and additionalProperties", () => {
    const map: Schema = {
      type: "object",
      additionalProperties: { type: "integer" },
      maxProperties: 1,
    };
    assert.deepEqual(check(map, { a: 1, b: "2" }), [
      "spec.x: Too many: 2: must have at most 1 item",
      'spec.x.b: Invalid value: "string": spec.x.b in body must be of type integer: "string"',
    ]);
    assert.deepEqual(check({ type: "object", minProperties: 1 }, {}), [
      "spec.x: Invalid value: 0: spec.x in body should have at least 1 properties",
    ]);
  });

  test("formats", () => {
    assert.deepEqual(check({ type: "string", format: "date-time" }, "yesterday"), [
      'spec.x: Invalid value: "yesterday": spec.x in body must be of type date-time: "yesterday"',
    ]);
    assert.deepEqual(check({ type: "string", format: "date-time" }, "2026-01-01T10:00:00Z"), []);
    assert.deepEqual(check({ type: "string", format: "date" }, "2026-02-30"), [
      'spec.x: Invalid value: "2026-02-30": spec.x in body must be of type date: "2026-02-30"',
    ]);
    assert.deepEqual(check({ type: "string", format: "byte" }, "aGVsbG8="), []);
    assert.deepEqual(check({ type: "string", format: "uuid" }, "nope"), [
      'spec.x: Invalid value: "nope": spec.x in body must be of type uuid: "nope"',
    ]);
    assert.deepEqual(check({ type: "string", format: "ipv4" }, "10.0.0.1"), []);
    assert.deepEqual(check({ type: "string", format: "some-custom-format" }, "anything"), []);
    assert.deepEqual(check({ type: "integer", format: "int32" }, 2 ** 40), []);
  });

  test("x-kubernetes-int-or-string", () => {
    const schema: Schema = { "x-kubernetes-int-or-string": true };
    assert.deepEqual(check(schema, 3), []);
    assert.deepEqual(check(schema, "50%"), []);
    assert.deepEqual(check(schema, true), [
      'spec.x: Invalid value: "boolean": spec.x in body must be of type integer,string: "boolean"',
    ]);
  });

  test("x-kubernetes-embedded-resource requires apiVersion and kind", () => {
    const schema: Schema = {
      type: "object",
      "x-kubernetes-embedded-resource": true,
      "x-kubernetes-preserve-unknown-fields": true,
    };
    assert.deepEqual(check(schema, { metadata: {} }), [
      "spec.x.apiVersion: Required value: must not be empty",
      "spec.x.kind: Required value: must not be empty",
    ]);
    assert.deepEqual(check(schema, { apiVersion: "v1", kind: "Pod" }), []);
  });

  test("anyOf, oneOf, allOf and not", () => {
    const anyOf: Schema = { type: "string", anyOf: [{ minLength: 5 }, { pattern: "^x" }] };
    assert.deepEqual(check(anyOf, "yy"), [
      'spec.x: Invalid value: "": spec.x must validate at least one schema (anyOf)',
      'spec.x: Invalid value: "yy": spec.x in body should be at least 5 chars long',
    ]);
    assert.deepEqual(check(anyOf, "xy"), []);
    const oneOf: Schema = { type: "string", oneOf: [{ minLength: 1 }, { pattern: "^x" }] };
    assert.deepEqual(check(oneOf, "xy"), [
      'spec.x: Invalid value: "": spec.x must validate one and only one schema (oneOf). Found 2 valid alternatives',
    ]);
    const allOf: Schema = { type: "integer", allOf: [{ minimum: 1 }, { maximum: 3 }] };
    assert.deepEqual(check(allOf, 5), [
      "spec.x: Invalid value: 5: spec.x in body should be less than or equal to 3",
      'spec.x: Invalid value: "": spec.x must validate all the schemas (allOf)',
    ]);
    assert.deepEqual(check({ type: "string", not: { enum: ["no"] } }, "no"), [
      'spec.x: Invalid value: "": spec.x must not validate the schema (not)',
    ]);
  });

  test("errors under a base path, as for defaults", () => {
    const errs = validateValue("x", { type: "integer" }, { path: newPath("schema", "default") });
    assert.deepEqual(messages(errs), [
      'schema.default: Invalid value: "string": in body must be of type integer: "string"',
    ]);
  });

  test("data keys named like Object.prototype members are plain fields", () => {
    const schema: Schema = { type: "object", properties: { a: { type: "string" } } };
    assert.deepEqual(check(schema, { constructor: 1, toString: "x" }), []);
  });
});
