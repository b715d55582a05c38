import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LineSplitter } from "./line-splitter.ts";

describe("LineSplitter", () => {
  it("yields whole lines however the text is cut", () => {
    const text = '{"a":1}\n{"b":"héllo"}\n\n{"c":[1,2]}\n';
    for (let size = 1; size <= text.length; size++) {
      const s = new LineSplitter();
      const lines: string[] = [];
      for (let i = 0; i < text.length; i += size) lines.push(...s.push(text.slice(i, i + size)));
      assert.deepEqual(lines, ['{"a":1}', '{"b":"héllo"}', "", '{"c":[1,2]}'], `chunks of ${size}`);
    }
  });

  it("keeps an unfinished line until its newline comes", () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push('{"a":'), []);
    assert.deepEqual(s.push("1}"), []);
    assert.deepEqual(s.push("\n{"), ['{"a":1}']);
  });
});
