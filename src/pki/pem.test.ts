import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromPEM, pemBlocks, toPEM } from "./pem.ts";

describe("pem", () => {
  it("wraps base64 at 64 columns and reads every block back", () => {
    const a = toPEM("CERTIFICATE", Buffer.alloc(100, 1));
    assert.deepEqual(
      a.split("\n").map((l) => l.length),
      [27, 64, 64, 8, 25, 0],
    );
    const text = `junk\n${a}${toPEM("PRIVATE KEY", Buffer.of(2))}`;
    assert.deepEqual(pemBlocks(text), [
      { label: "CERTIFICATE", der: Buffer.alloc(100, 1) },
      { label: "PRIVATE KEY", der: Buffer.of(2) },
    ]);
    assert.deepEqual(fromPEM(text, "EC PRIVATE KEY", "PRIVATE KEY"), Buffer.of(2));
    assert.throws(() => fromPEM(text, "CERTIFICATE REQUEST"), /no PEM block/);
  });
});
