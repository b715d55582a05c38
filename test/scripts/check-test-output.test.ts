import assert from "node:assert/strict";
import { test } from "node:test";
import { unfinishedSuites } from "../../scripts/check-test-output.ts";

test("a suite that started and never ended is reported; ended ones, nested lines and repeats are not", () => {
  const output = [
    "▶ NodeAuthorizer",
    "  ✔ allows own node (0.1ms)",
    "▶ store",
    "  ▶ nested",
    "  ✔ nested (1ms)",
    "✔ store (2.5ms)",
    "✔ a plain test (3ms)",
    "▶ kubectl",
    "✖ kubectl (10ms)",
    "▶ kubectl",
    "✔ kubectl (12ms)",
    "▶ kubectl",
    "ℹ tests 5",
  ].join("\n");
  assert.deepEqual(unfinishedSuites(output), ["NodeAuthorizer", "kubectl"]);
  assert.deepEqual(unfinishedSuites("▶ a\n✔ a (1ms)\n"), []);
});
