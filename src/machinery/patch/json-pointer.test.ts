import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { arrayIndex, escapeJsonPointerToken, parseJsonPointer } from "./json-pointer.ts";

describe("JSON pointer", () => {
  test("parses tokens, unescaping ~1 before ~0", () => {
    assert.deepEqual(parseJsonPointer(""), []);
    assert.deepEqual(parseJsonPointer("/"), [""]);
    assert.deepEqual(parseJsonPointer("/a~1b/c~0d/~01"), ["a/b", "c~d", "~1"]);
  });

  test("rejects pointers without a leading slash and bad escapes", () => {
    assert.match(String(parseJsonPointer("a/b")), /must be empty or start with "\/"/);
    assert.match(String(parseJsonPointer("/a~")), /"~" must be followed by "0" or "1"/);
  });

  test("escapes tokens", () => {
    assert.equal(escapeJsonPointerToken("a/b~c"), "a~1b~0c");
    assert.deepEqual(parseJsonPointer(`/${escapeJsonPointerToken("x~/y")}`), ["x~/y"]);
  });

  test("array indices: decimal without leading zeros, '-' only at the end", () => {
    assert.equal(arrayIndex("0", 2, false), 0);
    assert.equal(arrayIndex("1", 2, false), 1);
    assert.equal(arrayIndex("2", 2, false), undefined);
    assert.equal(arrayIndex("2", 2, true), 2);
    assert.equal(arrayIndex("-", 2, true), 2);
    assert.equal(arrayIndex("-", 2, false), undefined);
    assert.equal(arrayIndex("01", 2, false), undefined);
    assert.equal(arrayIndex("-1", 2, false), undefined);
    assert.equal(arrayIndex("1e0", 2, false), undefined);
  });
});
