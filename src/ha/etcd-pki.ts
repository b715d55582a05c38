/**
 * The managed etcd's certificates, under `<data-dir>/server/tls/etcd/`:
 *
 *   ca.crt ca.key          the etcd CA (its own, as kubeadm's `etcd/ca`: see below)
 *   server.crt server.key  client-facing serving certificate (server + client usage: etcd 3.4's
 *                          gRPC gateway dials itself with it)
 *   peer.crt peer.key      peer traffic, both directions
 *   client.crt client.key  the API server's client certificate (CN kube-apiserver-etcd-client)
 *
 * Why not the cluster CA: etcd with `--client-cert-auth` lets every certificate its trusted CA
 * signed read and write every key, and the cluster CA signs kubelet and user certificates through
 * CSRs. A separate CA keeps etcd to the masters. The CA travels to joining masters in the join
 * bundle; leaf certificates are issued afresh at every start (cheap, and they then always carry
 * the current addresses).
 */
import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname, networkInterfaces } from "node:os";
import { join } from "node:path";
import {
  type CertificateAndKey,
  type CertificateAuthority,
  createCA,
  issueCertificate,
} from "../pki/certificate.ts";
import { loadPrivateKey } from "../pki/keys.ts";

export interface EtcdPKIPaths {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly peerCert: string;
  readonly peerKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

export interface EtcdPKI {
  readonly paths: EtcdPKIPaths;
  readonly ca: CertificateAuthority;
  readonly client: CertificateAndKey;
}

export function etcdPKIPaths(dataDir: string): EtcdPKIPaths {
  const dir = join(dataDir, "server", "tls", "etcd");
  const p = (f: string) => join(dir, f);
  return {
    dir,
    caCert: p("ca.crt"),
    caKey: p("ca.key"),
    serverCert: p("server.crt"),
    serverKey: p("server.key"),
    peerCert: p("peer.crt"),
    peerKey: p("peer.key"),
    clientCert: p("client.crt"),
    clientKey: p("client.key"),
  };
}

function writeAtomic(path: string, data: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}

/** Installs a CA fetched from another master (the join bundle); replaces nothing else. */
export function installEtcdCA(dataDir: string, ca: { certPem: string; keyPem: string }): void {
  const paths = etcdPKIPaths(dataDir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  writeAtomic(paths.caKey, ca.keyPem, 0o600);
  writeAtomic(paths.caCert, ca.certPem, 0o644);
}

/** Loads the etcd CA (creating it when `create`), and issues this member's leaf certificates. */
export function loadOrCreateEtcdPKI(
  dataDir: string,
  o: { readonly addresses: readonly string[]; readonly create: boolean; readonly now?: Date },
): EtcdPKI {
  const paths = etcdPKIPaths(dataDir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const now = o.now ?? new Date();
  let ca: CertificateAuthority;
  if (existsSync(paths.caCert) && existsSync(paths.caKey)) {
    const certPem = readFileSync(paths.caCert, "utf8");
    const keyPem = readFileSync(paths.caKey, "utf8");
    ca = {
      certPem,
      keyPem,
      certificate: new X509Certificate(certPem),
      privateKey: loadPrivateKey(keyPem),
    };
  } else if (o.create) {
    ca = createCA({ commonName: `bosun-etcd-ca@${Math.floor(now.getTime() / 1000)}`, now });
    installEtcdCA(dataDir, ca);
  } else {
    throw new Error(`no etcd CA at ${paths.caCert}: this data dir never joined an etcd cluster`);
  }
  // Every address of this host: etcd checks a peer's certificate against the address the
  // connection comes from, which need not be the advertised one on a host with several.
  const hostIPs = Object.values(networkInterfaces()).flatMap((l) =>
    (l ?? []).map((a) => a.address),
  );
  const ips = [...new Set(["127.0.0.1", "::1", ...o.addresses, ...hostIPs])];
  const names = [...new Set(["localhost", hostname().toLowerCase()])];
  const issue = (certPath: string, keyPath: string, leaf: CertificateAndKey) => {
    writeAtomic(keyPath, leaf.keyPem, 0o600);
    writeAtomic(certPath, leaf.certPem, 0o644);
    return leaf;
  };
  const member = (cn: string) =>
    issueCertificate({
      ca,
      commonName: cn,
      dnsNames: names,
      ipAddresses: ips,
      usages: ["server", "client"],
      now,
    });
  issue(paths.serverCert, paths.serverKey, member("etcd-server"));
  issue(paths.peerCert, paths.peerKey, member("etcd-peer"));
  const client = issue(
    paths.clientCert,
    paths.clientKey,
    issueCertificate({ ca, commonName: "kube-apiserver-etcd-client", usages: ["client"], now }),
  );
  return { paths, ca, client };
}

/** TLS material for an EtcdClient talking to managed members. */
export function etcdClientTls(pki: EtcdPKI) {
  return {
    ca: Buffer.from(pki.ca.certPem),
    cert: Buffer.from(pki.client.certPem),
    key: Buffer.from(pki.client.keyPem),
    // Every member certificate names localhost; checking that name (rather than an IP, which
    // TLS SNI cannot carry) still requires a certificate from the etcd CA.
    serverName: "localhost",
  };
}
