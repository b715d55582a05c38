/**
 * Detached JWS signatures of the cluster-info kubeconfig (RFC 7515 appendix F), as upstream's
 * `k8s.io/cluster-bootstrap/token/jws`: HS256 keyed with the token secret, a protected header
 * `{"alg":"HS256","kid":"<token-id>"}`, and the payload left out (`header..signature`). The
 * bootstrap signer writes one per token; a joining node recomputes it to check that the server
 * it reached knows its token.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const b64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

/** `ComputeDetachedSignature(content, tokenID, tokenSecret)`. */
export function computeDetachedSignature(
  content: string,
  tokenID: string,
  tokenSecret: string,
): string {
  // Go marshals the header map with sorted keys; HMAC zero-pads short keys to the block size,
  // which is what upstream's explicit padding of the secret to 32 bytes amounts to.
  const header = b64url(JSON.stringify({ alg: "HS256", kid: tokenID }));
  const signature = createHmac("sha256", tokenSecret)
    .update(`${header}.${b64url(content)}`)
    .digest();
  return `${header}..${b64url(signature)}`;
}

/** `DetachedTokenIsValid`: the signature is the one the token makes over `content`. */
export function detachedTokenIsValid(
  detached: string,
  content: string,
  tokenID: string,
  tokenSecret: string,
): boolean {
  const expected = Buffer.from(computeDetachedSignature(content, tokenID, tokenSecret));
  const given = Buffer.from(detached);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
