/** The kubelet's helper shell: commands in order, exit codes, output, quoting, and a new shell after one dies. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Shell, shellQuote } from "./shell.ts";

describe("Shell", () => {
  it("runs commands one at a time with their exit codes and output", async () => {
    const sh = new Shell();
    const results = await Promise.all([
      sh.run(["echo", "it's one"]),
      sh.run(["sh", "-c", "echo err >&2; exit 3"]),
      sh.run(["printf", "no newline"]),
    ]);
    assert.deepEqual(results, [
      { code: 0, output: "it's one\n" },
      { code: 3, output: "err\n" },
      { code: 0, output: "no newline" },
    ]);
    const died = await sh.run(["sh", "-c", "kill -9 $PPID"]);
    assert.equal(died.code, 127);
    assert.deepEqual(await sh.run(["echo", "again"]), { code: 0, output: "again\n" });
    sh.close();
  });

  it("quotes for sh", () => assert.equal(shellQuote("a'b c"), "'a'\\''b c'"));
});
