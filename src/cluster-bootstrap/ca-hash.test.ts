import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { describe, it } from "node:test";
import { createCA } from "../pki/certificate.ts";
import { caCertHash, checkPinned, parseCACertHash } from "./ca-hash.ts";

const ca = createCA({ commonName: "test-ca" });

function opensslPin(pem: string): string | undefined {
  try {
    const pub = execFileSync("openssl", ["x509", "-pubkey", "-noout"], { input: pem });
    const der = execFileSync("openssl", ["pkey", "-pubin", "-outform", "der"], { input: pub });
    return `sha256:${createHash("sha256").update(der).digest("hex")}`;
  } catch {
    return undefined;
  }
}

describe("CA public-key pins", () => {
  it("hashes the SubjectPublicKeyInfo as kubeadm's documented openssl pipeline does", (t) => {
    const pin = caCertHash(ca.certPem);
    assert.match(pin, /^sha256:[0-9a-f]{64}$/);
    assert.equal(caCertHash(new X509Certificate(ca.certPem)), pin);
    const expected = opensslPin(ca.certPem);
    if (!expected) return t.skip("openssl not available");
    assert.equal(pin, expected);
  });

  it("parses pins with upstream's errors", () => {
    const hex = caCertHash(ca.certPem).slice(7);
    assert.deepEqual(parseCACertHash(`SHA256:${hex.toUpperCase()}`), { hex });
    assert.deepEqual(parseCACertHash(hex), {
      error: 'invalid hash, expected "format:hex-value". Known format(s) are: sha256',
    });
    assert.deepEqual(parseCACertHash(`md5:${hex}`), {
      error: 'unknown hash format "md5". Known format(s) are: sha256',
    });
    assert.deepEqual(parseCACertHash("sha256:abcd"), {
      error: 'invalid hash "sha256:abcd", expected a 32 byte SHA-256 hash, found 2 bytes',
    });
  });

  it("accepts a bundle holding a pinned key and names the keys it found otherwise", () => {
    const other = createCA({ commonName: "other" });
    const pin = caCertHash(ca.certPem).slice(7);
    assert.equal(checkPinned([pin], `${other.certPem}${ca.certPem}`), undefined);
    assert.equal(
      checkPinned([pin], other.certPem),
      `none of the public keys "${caCertHash(other.certPem)}" are pinned`,
    );
  });
});
