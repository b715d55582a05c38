import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { findResults, parseJSONPath } from "./jsonpath.ts";
import { customResourcePrinter } from "./printer-columns.ts";

const now = Date.parse("2026-01-01T01:00:00Z");
const widget = {
  apiVersion: "example.com/v1",
  kind: "Widget",
  metadata: { name: "w1", creationTimestamp: "2026-01-01T00:55:00Z" },
  spec: { replicas: 3, ratio: 0.5, paused: false, size: "M", selector: { app: "w" } },
  status: {
    conditions: [
      { type: "Ready", status: "True", lastTransitionTime: "2025-12-31T01:00:00Z" },
      { type: "Synced", status: "False" },
    ],
  },
};

describe("JSONPath subset", () => {
  const eval_ = (path: string) => {
    const steps = parseJSONPath(path);
    assert.ok(!(steps instanceof Error));
    return findResults(widget, steps);
  };

  test("fields, indexes, wildcards and quoted keys", () => {
    assert.deepEqual(eval_(".spec.replicas"), [3]);
    assert.deepEqual(eval_("{.spec.size}"), ["M"]);
    assert.deepEqual(eval_(".status.conditions[1].type"), ["Synced"]);
    assert.deepEqual(eval_(".status.conditions[-1].type"), ["Synced"]);
    assert.deepEqual(eval_(".status.conditions[*].status"), ["True", "False"]);
    assert.deepEqual(eval_(".metadata['name']"), ["w1"]);
    assert.deepEqual(eval_(".spec.missing.deeper"), []);
  });

  test("what it cannot read is an error", () => {
    assert.ok(parseJSONPath(".a[?(@.x)]") instanceof Error);
  });
});

describe("custom resource printer", () => {
  test("no columns: Name and Age", () => {
    const printer = customResourcePrinter(undefined);
    assert.deepEqual(
      printer.columns.map((c) => [c.name, c.type, c.format]),
      [
        ["Name", "string", "name"],
        ["Age", "date", ""],
      ],
    );
    assert.deepEqual(printer.row(widget, now), ["w1", "5m"]);
  });

  test("typed columns, priority, description and the first match", () => {
    const printer = customResourcePrinter([
      { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" },
      { name: "Ratio", type: "number", jsonPath: ".spec.ratio", format: "float" },
      { name: "Paused", type: "boolean", jsonPath: ".spec.paused", priority: 1 },
      {
        name: "Ready",
        type: "string",
        jsonPath: ".status.conditions[*].status",
        description: "Ready?",
      },
      { name: "Selector", type: "string", jsonPath: ".spec.selector" },
      { name: "Missing", type: "string", jsonPath: ".spec.nothing" },
      { name: "Wrong", type: "integer", jsonPath: ".spec.size" },
    ]);
    assert.deepEqual(
      printer.columns.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ["Name", "string", "name", 0],
        ["Replicas", "integer", "", 0],
        ["Ratio", "number", "float", 0],
        ["Paused", "boolean", "", 1],
        ["Ready", "string", "", 0],
        ["Selector", "string", "", 0],
        ["Missing", "string", "", 0],
        ["Wrong", "integer", "", 0],
      ],
    );
    assert.equal(
      printer.columns[1]!.description,
      "Custom resource definition column (in JSONPath format): .spec.replicas",
    );
    assert.equal(printer.columns[4]!.description, "Ready?");
    assert.deepEqual(printer.row(widget, now), [
      "w1",
      3,
      0.5,
      false,
      "True",
      '{"app":"w"}',
      null,
      null,
    ]);
  });

  test("date columns show the age, as kubectl get does", () => {
    const printer = customResourcePrinter([
      { name: "Ready Since", type: "date", jsonPath: ".status.conditions[0].lastTransitionTime" },
      { name: "Bad", type: "date", jsonPath: ".spec.size" },
    ]);
    assert.equal(printer.columns[1]!.type, "date");
    assert.deepEqual(printer.row(widget, now), ["w1", "24h", "<invalid>"]);
    assert.equal(printer.columns.length, 3, "no Age column is added when columns are given");
  });
});
