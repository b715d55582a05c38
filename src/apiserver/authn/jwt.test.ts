/** Service-account JWTs: signed and verified, with go-jose's one-minute clock-skew leeway. */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { TokenSigner, verifyToken } from "./jwt.ts";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signer = new TokenSigner(privateKey.export({ type: "pkcs8", format: "pem" }).toString());
const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
const issuedAt = 1_800_000_000;
const token = signer.sign({
  namespace: "default",
  serviceAccount: { name: "builder", uid: "u-1" },
  audiences: ["https://kubernetes.default.svc.cluster.local"],
  issuedAt,
  expiresAt: issuedAt + 600,
});
const verifyAt = (seconds: number) =>
  verifyToken(token, {
    publicKeyPem,
    issuer: signer.issuer,
    audiences: ["https://kubernetes.default.svc.cluster.local"],
    now: seconds * 1000,
  });

describe("verifyToken", () => {
  it("accepts a token within its lifetime", () => {
    const v = verifyAt(issuedAt + 10);
    assert.equal(v?.subject, "system:serviceaccount:default:builder");
    assert.equal(v?.expiresAt, issuedAt + 600);
  });

  it("allows a minute of clock skew past exp, not more", () => {
    assert.ok(verifyAt(issuedAt + 600 + 60));
    assert.equal(verifyAt(issuedAt + 600 + 61), undefined);
  });

  it("allows a minute of clock skew before iat, not more", () => {
    assert.ok(verifyAt(issuedAt - 60));
    assert.equal(verifyAt(issuedAt - 61), undefined);
  });

  it("rejects another audience or a tampered token", () => {
    const other = verifyToken(token, {
      publicKeyPem,
      issuer: signer.issuer,
      audiences: ["vault"],
      now: (issuedAt + 1) * 1000,
    });
    assert.equal(other, undefined);
    const [h, , s] = token.split(".");
    const forged = `${h}.${Buffer.from('{"sub":"x"}').toString("base64url")}.${s}`;
    assert.equal(
      verifyToken(forged, {
        publicKeyPem,
        issuer: signer.issuer,
        audiences: ["vault"],
        now: (issuedAt + 1) * 1000,
      }),
      undefined,
    );
  });
});
