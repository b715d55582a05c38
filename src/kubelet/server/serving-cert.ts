/**
 * The kubelet's serving certificate when none is provided, as upstream's kubelet makes one
 * without `serverTLSBootstrap`: a self-signed CA `<host>-ca@<unix time>` and a serving
 * certificate `<host>@<unix time>` for the node's names and addresses, in `kubelet.crt` (leaf
 * then CA) and `kubelet.key` under the kubelet's pki directory. It is reused while it names the
 * same hosts and has more than 30 days left. The API server does not verify it (upstream's
 * default without `--kubelet-certificate-authority`).
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCA, inspectCertificate, issueCertificate } from "../../pki/certificate.ts";
import { canonicalIP } from "../../pki/ip.ts";

export interface ServingCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

function usable(certPem: string, keyPem: string, dnsNames: string[], ips: string[], now: Date) {
  try {
    const first = certPem.slice(0, certPem.indexOf("-----END CERTIFICATE-----") + 25);
    const info = inspectCertificate(first);
    const same = (a: readonly string[], b: readonly string[]) =>
      a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
    return (
      new X509Certificate(first).checkPrivateKey(createPrivateKey(keyPem)) &&
      info.notAfter.getTime() - now.getTime() > RENEW_BEFORE_MS &&
      same(info.dnsNames, dnsNames) &&
      same(info.ipAddresses, ips)
    );
  } catch {
    return false;
  }
}

export function loadOrCreateServingCertificate(
  dir: string,
  names: { readonly hostName: string; readonly ips: readonly string[] },
  now = new Date(),
): ServingCertificate {
  const certPath = join(dir, "kubelet.crt");
  const keyPath = join(dir, "kubelet.key");
  const dnsNames = [...new Set([names.hostName.toLowerCase(), "localhost"])];
  const ips = [...new Set(["127.0.0.1", ...names.ips].map(canonicalIP))];
  if (existsSync(certPath) && existsSync(keyPath)) {
    const certPem = readFileSync(certPath, "utf8");
    const keyPem = readFileSync(keyPath, "utf8");
    if (usable(certPem, keyPem, dnsNames, ips, now)) return { certPem, keyPem };
  }
  const stamp = Math.floor(now.getTime() / 1000);
  const ca = createCA({ commonName: `${names.hostName}-ca@${stamp}`, validityDays: 365, now });
  const leaf = issueCertificate({
    ca,
    commonName: `${names.hostName}@${stamp}`,
    dnsNames,
    ipAddresses: ips,
    usages: ["server"],
    now,
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certPem = `${leaf.certPem.trim()}\n${ca.certPem.trim()}\n`;
  writeFileSync(`${keyPath}.tmp`, leaf.keyPem, { mode: 0o600 });
  renameSync(`${keyPath}.tmp`, keyPath);
  writeFileSync(`${certPath}.tmp`, certPem, { mode: 0o644 });
  renameSync(`${certPath}.tmp`, certPath);
  return { certPem, keyPem: leaf.keyPem };
}
