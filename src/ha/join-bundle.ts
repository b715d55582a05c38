/**
 * The secrets a joining master needs, as one bundle: the cluster CA (certificate and key), the
 * service-account signing keys, the Secrets encryption configuration, the etcd CA, and the
 * client URLs of the etcd members. A master serves it at `joinBundlePath` only to callers
 * authenticated by a control-plane bootstrap token (a token whose Secret carries the extra group
 * `controlPlaneTokenGroup`), and seals it with a key derived from that token's secret (PBKDF2-
 * SHA256, random salt, AES-256-GCM with the token id as associated data), as k3s seals its
 * bootstrap data with the server token. The transport is TLS verified against the discovered CA;
 * the sealing makes the bundle useless to anyone who does not hold the token, whatever the path.
 */
import { createCipheriv, createDecipheriv, pbkdf2, pbkdf2Sync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { BootstrapTokenString } from "../cluster-bootstrap/token.ts";

export const joinBundlePath = "/bosun/v1/control-plane-join";
export const controlPlaneTokenGroup = "system:bootstrappers:bosun:control-plane";

export interface JoinBundle {
  readonly caCertPem: string;
  readonly caKeyPem: string;
  readonly serviceAccountKeyPem: string;
  readonly serviceAccountPubPem: string;
  readonly encryptionConfig: string;
  readonly etcdCACertPem: string;
  readonly etcdCAKeyPem: string;
  readonly etcdEndpoints: readonly string[];
}

/** The sealed form, as JSON on the wire. */
export interface SealedJoinBundle {
  readonly kind: "BosunControlPlaneJoin";
  readonly version: 1;
  readonly kdf: "pbkdf2-sha256";
  readonly iterations: number;
  readonly salt: string;
  readonly nonce: string;
  /** AES-256-GCM ciphertext followed by its 16-byte tag, base64. */
  readonly data: string;
}

const ITERATIONS = 100_000;

function keyFor(token: BootstrapTokenString, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(token.secret, salt, iterations, 32, "sha256");
}

/** Seals a bundle (the key derivation runs off the event loop: the API server calls this). */
export async function sealJoinBundle(
  bundle: JoinBundle,
  token: BootstrapTokenString,
): Promise<SealedJoinBundle> {
  const salt = randomBytes(16);
  const nonce = randomBytes(12);
  const key = await new Promise<Buffer>((resolve, reject) =>
    pbkdf2(token.secret, salt, ITERATIONS, 32, "sha256", (err, k) =>
      err ? reject(err) : resolve(k),
    ),
  );
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Buffer.from(token.id));
  const data = Buffer.concat([
    cipher.update(JSON.stringify(bundle), "utf8"),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return {
    kind: "BosunControlPlaneJoin",
    version: 1,
    kdf: "pbkdf2-sha256",
    iterations: ITERATIONS,
    salt: salt.toString("base64"),
    nonce: nonce.toString("base64"),
    data: data.toString("base64"),
  };
}

/** Opens a sealed bundle; throws when the token does not fit or the bundle was altered. */
export function openJoinBundle(sealed: SealedJoinBundle, token: BootstrapTokenString): JoinBundle {
  if (sealed.kind !== "BosunControlPlaneJoin" || sealed.version !== 1) {
    throw new Error("the server's answer is not a control-plane join bundle this bosun can read");
  }
  const iterations = Math.min(Math.max(sealed.iterations, 10_000), 10_000_000);
  const data = Buffer.from(sealed.data, "base64");
  const decipher = createDecipheriv(
    "aes-256-gcm",
    keyFor(token, Buffer.from(sealed.salt, "base64"), iterations),
    Buffer.from(sealed.nonce, "base64"),
  );
  decipher.setAAD(Buffer.from(token.id));
  decipher.setAuthTag(data.subarray(data.length - 16));
  let text: string;
  try {
    text = Buffer.concat([
      decipher.update(data.subarray(0, data.length - 16)),
      decipher.final(),
    ]).toString("utf8");
  } catch (err) {
    throw new Error("cannot open the control-plane join bundle: the token does not match", {
      cause: err,
    });
  }
  return JSON.parse(text) as JoinBundle;
}

/** May this (authenticated) user fetch the bundle? Bootstrap-token users of the group only. */
export function mayFetchJoinBundle(user: { username: string; groups: readonly string[] }): boolean {
  return (
    user.username.startsWith("system:bootstrap:") && user.groups.includes(controlPlaneTokenGroup)
  );
}

/** The files a bundle is made of, under a server data dir. */
export function bundleFiles(dataDir: string) {
  const tls = join(dataDir, "server", "tls");
  return {
    caCert: join(tls, "ca.crt"),
    caKey: join(tls, "ca.key"),
    saKey: join(tls, "sa.key"),
    saPub: join(tls, "sa.pub"),
    encryptionConfig: join(dataDir, "server", "encryption-config.yaml"),
    etcdCACert: join(tls, "etcd", "ca.crt"),
    etcdCAKey: join(tls, "etcd", "ca.key"),
  };
}

export function readJoinBundle(dataDir: string, etcdEndpoints: readonly string[]): JoinBundle {
  const f = bundleFiles(dataDir);
  const read = (p: string) => readFileSync(p, "utf8");
  return {
    caCertPem: read(f.caCert),
    caKeyPem: read(f.caKey),
    serviceAccountKeyPem: read(f.saKey),
    serviceAccountPubPem: read(f.saPub),
    encryptionConfig: read(f.encryptionConfig),
    etcdCACertPem: read(f.etcdCACert),
    etcdCAKeyPem: read(f.etcdCAKey),
    etcdEndpoints: [...etcdEndpoints],
  };
}

function writeAtomic(path: string, data: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}

/**
 * Writes a bundle's files into a new master's data dir. A data dir that already holds another
 * cluster's CA is refused (it belongs to a different cluster); the same CA is fine (a retry).
 */
export function installJoinBundle(dataDir: string, bundle: JoinBundle): void {
  const f = bundleFiles(dataDir);
  if (existsSync(f.caCert) && readFileSync(f.caCert, "utf8").trim() !== bundle.caCertPem.trim()) {
    throw new Error(
      `${f.caCert} holds the CA of another cluster: a master joins with a fresh --data-dir`,
    );
  }
  writeAtomic(f.caKey, bundle.caKeyPem, 0o600);
  writeAtomic(f.caCert, bundle.caCertPem, 0o644);
  writeAtomic(f.saKey, bundle.serviceAccountKeyPem, 0o600);
  writeAtomic(f.saPub, bundle.serviceAccountPubPem, 0o644);
  writeAtomic(f.encryptionConfig, bundle.encryptionConfig, 0o600);
  writeAtomic(f.etcdCAKey, bundle.etcdCAKeyPem, 0o600);
  writeAtomic(f.etcdCACert, bundle.etcdCACertPem, 0o644);
}
