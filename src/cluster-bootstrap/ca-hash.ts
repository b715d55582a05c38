/**
 * CA public-key pins as kubeadm's `--discovery-token-ca-cert-hash` (upstream
 * `cmd/kubeadm/app/util/pubkeypin`): `sha256:<hex>` of the DER SubjectPublicKeyInfo of the
 * cluster CA certificate, so a joining node can trust the CA it discovers without a copy of it.
 */
import { createHash, X509Certificate } from "node:crypto";

/** `Hash`: the pin of a certificate (PEM or parsed). */
export function caCertHash(cert: string | X509Certificate): string {
  const x509 = typeof cert === "string" ? new X509Certificate(cert) : cert;
  const spki = x509.publicKey.export({ type: "spki", format: "der" });
  return `sha256:${createHash("sha256").update(spki).digest("hex")}`;
}

/** `Set.Allow`: the canonical (lower-case hex) form of a pin, or the upstream error. */
export function parseCACertHash(pin: string): { hex: string } | { error: string } {
  const parts = pin.split(":");
  if (parts.length !== 2) {
    return { error: 'invalid hash, expected "format:hex-value". Known format(s) are: sha256' };
  }
  const [format, value] = parts as [string, string];
  if (format.toLowerCase() !== "sha256") {
    return { error: `unknown hash format "${format}". Known format(s) are: sha256` };
  }
  const bytes = Math.floor(value.length / 2);
  if (bytes !== 32) {
    return {
      error: `invalid hash "${pin}", expected a 32 byte SHA-256 hash, found ${bytes} bytes`,
    };
  }
  if (!/^[0-9a-fA-F]*$/.test(value)) {
    return { error: `invalid hash "${pin}", could not decode SHA-256 from hex` };
  }
  return { hex: value.toLowerCase() };
}

/**
 * `Set.CheckAny`: undefined when one of the PEM bundle's certificates has a pinned key, else
 * upstream's `none of the public keys "sha256:…" are pinned`.
 */
export function checkPinned(pinnedHex: readonly string[], bundlePem: string): string | undefined {
  const blocks = bundlePem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  const hashes: string[] = [];
  for (const block of blocks ?? []) {
    const hash = caCertHash(block);
    if (pinnedHex.includes(hash.slice("sha256:".length))) return undefined;
    hashes.push(hash);
  }
  return `none of the public keys "${hashes.join(":")}" are pinned`;
}
