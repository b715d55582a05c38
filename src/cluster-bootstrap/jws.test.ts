import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { computeDetachedSignature, detachedTokenIsValid } from "./jws.ts";

// Vectors from upstream's cluster-bootstrap jws tests (go-jose output).
const content = "Hello from the other side. I must have called a thousand times.";
const secret = "my voice is my passcode";
const id = "joshua";

describe("detached JWS", () => {
  it("matches upstream's signatures byte for byte", () => {
    assert.equal(
      computeDetachedSignature(content, id, secret),
      "eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..VShe2taLd-YTrmWuRkcL_8QTNDHYxQIEBsAYYiIj1_8",
    );
    assert.equal(
      computeDetachedSignature("", id, secret),
      "eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..7Ui1ALizW4jXphVUB7xUqC9vLYLL9RZeOFfVLoB7Tgk",
    );
    assert.equal(
      computeDetachedSignature(content, id, ""),
      "eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..UfkqvDGiIFxrMnFseDj9LYJOLNrvjW8aHhF71mvvAs8",
    );
  });

  it("accepts only the signature the token makes over the content", () => {
    const sig = computeDetachedSignature(content, id, secret);
    assert.ok(detachedTokenIsValid(sig, content, id, secret));
    assert.equal(detachedTokenIsValid(`${sig}foo`, content, id, secret), false);
    assert.equal(detachedTokenIsValid(sig, `${content}!`, id, secret), false);
    assert.equal(detachedTokenIsValid(sig, content, id, "another secret"), false);
    assert.equal(detachedTokenIsValid(sig, content, "abcdef", secret), false);
  });
});
