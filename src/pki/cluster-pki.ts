/**
 * The cluster's certificates on disk. The first start writes them under one directory; later
 * starts load the same files, replacing a leaf certificate only when it no longer fits (serving
 * names changed, not signed by the CA, key mismatch, or under 30 days left). The CA is never
 * replaced while its certificate exists: losing only its key is an error, not a reason to re-key.
 *
 *   ca.crt ca.key               cluster CA; also the client CA the API server trusts
 *   apiserver.crt apiserver.key API server serving certificate
 *   admin.crt admin.key         CN=system:admin, O=system:masters client certificate
 *   sa.key sa.pub               service-account token signing key pair (RSA 2048, as kubeadm)
 */
import type { KeyObject } from "node:crypto";
import { X509Certificate } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import {
  type CertificateAndKey,
  type CertificateAuthority,
  createCA,
  inspectCertificate,
  issueCertificate,
} from "./certificate.ts";
import { canonicalIP } from "./ip.ts";
import {
  generatePrivateKey,
  loadPrivateKey,
  privateKeyToPEM,
  publicKeyOf,
  publicKeyToPEM,
} from "./keys.ts";

export interface ClusterPKIOptions {
  /** Extra DNS names for the serving certificate (a load balancer, the node's FQDN…). */
  readonly serverNames?: readonly string[];
  /** Extra IP addresses for the serving certificate (the node IPs). */
  readonly serverIPs?: readonly string[];
  /** Default: os.hostname(). */
  readonly hostName?: string;
  /** The `kubernetes` Service ClusterIP; default 10.96.0.1. */
  readonly serviceIP?: string;
  readonly now?: Date;
}

export interface ServiceAccountKeys {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

export type ClusterPKIPart = "ca" | "serving" | "admin" | "serviceAccount";

export interface ClusterPKI {
  readonly dir: string;
  readonly paths: Readonly<Record<keyof typeof FILES, string>>;
  readonly ca: CertificateAuthority;
  /** The CA client certificates must chain to: the cluster CA itself. */
  readonly clientCA: CertificateAuthority;
  readonly serving: CertificateAndKey;
  readonly admin: CertificateAndKey;
  readonly serviceAccount: ServiceAccountKeys;
  /** What this call generated (empty when everything was loaded as it was). */
  readonly generated: ClusterPKIPart[];
}

const FILES = {
  caCert: "ca.crt",
  caKey: "ca.key",
  servingCert: "apiserver.crt",
  servingKey: "apiserver.key",
  adminCert: "admin.crt",
  adminKey: "admin.key",
  serviceAccountKey: "sa.key",
  serviceAccountPub: "sa.pub",
} as const;

const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

/** The names the API server's serving certificate must hold, normalised and sorted. */
export function apiServerSANs(opts: ClusterPKIOptions): {
  dnsNames: string[];
  ipAddresses: string[];
} {
  const dnsNames = [
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
    "localhost",
    opts.hostName ?? hostname(),
    ...(opts.serverNames ?? []),
  ].map((n) => n.toLowerCase());
  const ips = ["127.0.0.1", "::1", opts.serviceIP ?? "10.96.0.1", ...(opts.serverIPs ?? [])];
  return {
    dnsNames: [...new Set(dnsNames)].sort(),
    ipAddresses: [...new Set(ips.map(canonicalIP))].sort(),
  };
}

export async function loadOrCreateClusterPKI(
  dir: string,
  opts: ClusterPKIOptions = {},
): Promise<ClusterPKI> {
  const paths = Object.fromEntries(
    Object.entries(FILES).map(([k, f]) => [k, join(dir, f)]),
  ) as Record<keyof typeof FILES, string>;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const generated: ClusterPKIPart[] = [];
  const now = opts.now ?? new Date();

  let ca = await loadPair(paths.caCert, paths.caKey);
  if (ca === "key-missing") throw new Error(`${paths.caCert} exists but ${paths.caKey} is missing`);
  if (!ca) {
    ca = createCA({ commonName: `bosun-ca@${Math.floor(now.getTime() / 1000)}`, now });
    await savePair(ca, paths.caCert, paths.caKey);
    generated.push("ca");
  }

  const sans = apiServerSANs(opts);
  const serving = await loadOrIssue(
    ca,
    paths.servingCert,
    paths.servingKey,
    now,
    (info) =>
      sameList(info.dnsNames, sans.dnsNames) && sameList(info.ipAddresses, sans.ipAddresses),
  );
  const servingPair =
    serving ??
    issueCertificate({ ca, commonName: "kube-apiserver", ...sans, usages: ["server"], now });
  if (!serving) {
    await savePair(servingPair, paths.servingCert, paths.servingKey);
    generated.push("serving");
  }

  const admin = await loadOrIssue(ca, paths.adminCert, paths.adminKey, now, () => true);
  const adminPair =
    admin ??
    issueCertificate({
      ca,
      commonName: "system:admin",
      organizations: ["system:masters"],
      usages: ["client"],
      now,
    });
  if (!admin) {
    await savePair(adminPair, paths.adminCert, paths.adminKey);
    generated.push("admin");
  }

  let saKey = await readIfExists(paths.serviceAccountKey);
  if (!saKey) {
    saKey = privateKeyToPEM(generatePrivateKey("rsa-2048"));
    await writeAtomic(paths.serviceAccountKey, saKey, 0o600);
    generated.push("serviceAccount");
  }
  const saPrivate = parsed(paths.serviceAccountKey, "a PEM private key", () =>
    loadPrivateKey(saKey),
  );
  const saPub = publicKeyToPEM(saPrivate);
  if ((await readIfExists(paths.serviceAccountPub)) !== saPub) {
    await writeAtomic(paths.serviceAccountPub, saPub, 0o644);
  }

  return {
    dir,
    paths,
    ca,
    clientCA: ca,
    serving: servingPair,
    admin: adminPair,
    serviceAccount: {
      privateKey: saPrivate,
      publicKey: publicKeyOf(saPrivate),
      privateKeyPem: saKey,
      publicKeyPem: saPub,
    },
    generated,
  };
}

/** A certificate and its key from disk; undefined if the certificate is absent. */
async function loadPair(
  certPath: string,
  keyPath: string,
): Promise<CertificateAndKey | "key-missing" | undefined> {
  const certPem = await readIfExists(certPath);
  if (certPem === undefined) return undefined;
  const keyPem = await readIfExists(keyPath);
  if (keyPem === undefined) return "key-missing";
  const certificate = parsed(certPath, "a PEM certificate", () => new X509Certificate(certPem));
  const privateKey = parsed(keyPath, "a PEM private key", () => loadPrivateKey(keyPem));
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new Error(`${keyPath} is not the key of ${certPath}`);
  }
  return { certPem, keyPem, certificate, privateKey };
}

/** Parses a file's content, naming the file when it is not what it should be. */
function parsed<T>(path: string, what: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split("\n")[0];
    throw new Error(`${path} is not ${what} (${reason})`, { cause: err });
  }
}

/** A leaf pair from disk if it is still good for this CA and `fits`; otherwise undefined. */
async function loadOrIssue(
  ca: CertificateAuthority,
  certPath: string,
  keyPath: string,
  now: Date,
  fits: (info: ReturnType<typeof inspectCertificate>) => boolean,
): Promise<CertificateAndKey | undefined> {
  let pair: Awaited<ReturnType<typeof loadPair>>;
  try {
    pair = await loadPair(certPath, keyPath);
  } catch {
    return undefined; // a mismatched or unreadable leaf is replaced, not fatal
  }
  if (!pair || pair === "key-missing") return undefined;
  const info = inspectCertificate(pair.certificate);
  const good =
    pair.certificate.checkIssued(ca.certificate) &&
    pair.certificate.verify(ca.certificate.publicKey) &&
    info.notAfter.getTime() - now.getTime() > RENEW_BEFORE_MS &&
    fits(info);
  return good ? pair : undefined;
}

async function savePair(pair: CertificateAndKey, certPath: string, keyPath: string): Promise<void> {
  await writeAtomic(keyPath, pair.keyPem, 0o600);
  await writeAtomic(certPath, pair.certPem, 0o644);
}

async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await rm(tmp, { force: true }); // `mode` applies only to a file writeFile creates
  await writeFile(tmp, data, { mode });
  await rename(tmp, path);
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  const sortedB = [...b].sort();
  return a.length === b.length && [...a].sort().every((x, i) => x === sortedB[i]);
}

/**
 * A client certificate for a component (the scheduler, the controller manager, a kubelet) in the
 * PKI directory as `<name>.crt`/`<name>.key`, issued by the cluster CA and reissued when it no
 * longer fits, so each component has its own identity instead of the admin's.
 */
export async function loadOrIssueClientCertificate(
  pki: ClusterPKI,
  name: string,
  subject: { commonName: string; organizations?: readonly string[] },
  now = new Date(),
): Promise<CertificateAndKey> {
  const certPath = join(pki.dir, `${name}.crt`);
  const keyPath = join(pki.dir, `${name}.key`);
  const orgs = [...(subject.organizations ?? [])];
  const existing = await loadOrIssue(
    pki.ca,
    certPath,
    keyPath,
    now,
    (info) =>
      info.subject.commonName === subject.commonName && sameList(info.subject.organizations, orgs),
  );
  if (existing) return existing;
  const pair = issueCertificate({
    ca: pki.ca,
    commonName: subject.commonName,
    organizations: orgs,
    usages: ["client"],
    now,
  });
  await savePair(pair, certPath, keyPath);
  return pair;
}
