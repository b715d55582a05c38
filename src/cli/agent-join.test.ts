import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseJoinFlags } from "./agent-join.ts";
import { UsageError } from "./command.ts";

const hash = `sha256:${"ab".repeat(32)}`;
const good = {
  server: "https://10.0.0.1:6443",
  token: "abcdef.0123456789abcdef",
  "ca-cert-hash": hash,
};

describe("agent join flags", () => {
  it("parses the printed join command's flags", () => {
    assert.deepEqual(parseJoinFlags(good), {
      server: "https://10.0.0.1:6443",
      token: { id: "abcdef", secret: "0123456789abcdef" },
      caCertHashes: ["ab".repeat(32)],
    });
    assert.equal(parseJoinFlags({ kubeconfig: "/x" }), undefined);
    assert.equal(parseJoinFlags({}), undefined);
  });

  it("refuses incomplete or malformed flags before any network access", () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ token: good.token }, /--server is required to join with a token/],
      [{ ...good, kubeconfig: "/x" }, /--kubeconfig cannot be combined with --server/],
      [{ ...good, server: "http://10.0.0.1:6443" }, /--server must use https/],
      [{ ...good, server: "10.0.0.1:6443:x" }, /--server must be a URL/],
      [{ ...good, token: "abcdef" }, /the bootstrap token "abcdef" was not of the form/],
      [
        { ...good, "ca-cert-hash": "abc" },
        /invalid discovery token CA certificate hash: invalid hash, expected "format:hex-value"/,
      ],
      [
        { ...good, "ca-cert-hash": "sha256:abcd" },
        /expected a 32 byte SHA-256 hash, found 2 bytes/,
      ],
    ];
    for (const [values, message] of cases) {
      assert.throws(
        () => parseJoinFlags(values),
        (err: Error) => {
          assert.ok(err instanceof UsageError, String(err));
          assert.match(err.message, message);
          return true;
        },
      );
    }
  });
});
