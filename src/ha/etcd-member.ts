/**
 * This master's etcd member as data: its name and URLs (kept in
 * `<data-dir>/server/etcd/member.json`, written once the member first started), the folders under
 * `<data-dir>/server/etcd/`, and the etcd command line (a pure function, tested as text). The
 * flags used exist unchanged in etcd 3.4 (Debian 12) and 3.5 (Debian 13).
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { EtcdPKIPaths } from "./etcd-pki.ts";

export interface EtcdLayout {
  /** `<data-dir>/server/etcd` */
  readonly dir: string;
  /** etcd's own `--data-dir` */
  readonly dataDir: string;
  readonly memberFile: string;
  readonly logFile: string;
  readonly pidFile: string;
}

export function etcdLayout(serverDataDir: string): EtcdLayout {
  const dir = join(serverDataDir, "server", "etcd");
  return {
    dir,
    dataDir: join(dir, "data"),
    memberFile: join(dir, "member.json"),
    logFile: join(dir, "etcd.log"),
    pidFile: join(dir, "etcd.pid"),
  };
}

/** What member.json holds. */
export interface MemberRecord {
  readonly name: string;
  readonly peerURL: string;
  readonly clientURL: string;
  /** Client URLs of every member at the last start (where `--leave` finds the others). */
  readonly clusterClientURLs: readonly string[];
  /** Set while a joining member has not yet served: a restart must join again, not start anew. */
  readonly joining?: boolean;
}

export interface MemberAddress {
  readonly advertiseAddress: string;
  readonly clientPort: number;
  readonly peerPort: number;
}

const hostPort = (host: string, port: number) =>
  `${host.includes(":") ? `[${host}]` : host}:${port}`;

export const clientURLOf = (a: MemberAddress) =>
  `https://${hostPort(a.advertiseAddress, a.clientPort)}`;
export const peerURLOf = (a: MemberAddress) =>
  `https://${hostPort(a.advertiseAddress, a.peerPort)}`;

/** A member name unique among masters on one host: `<hostname>-<8 hex>`, as k3s names them. */
export function newMemberName(): string {
  return `${hostname()
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")}-${randomBytes(4).toString("hex")}`;
}

export function readMemberRecord(layout: EtcdLayout): MemberRecord | undefined {
  if (!existsSync(layout.memberFile)) return undefined;
  return JSON.parse(readFileSync(layout.memberFile, "utf8")) as MemberRecord;
}

export function writeMemberRecord(layout: EtcdLayout, record: MemberRecord): void {
  mkdirSync(layout.dir, { recursive: true, mode: 0o700 });
  const tmp = `${layout.memberFile}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, layout.memberFile);
}

/** Removes the member's data and record (after it left the cluster). */
export function clearMember(layout: EtcdLayout): void {
  rmSync(layout.dataDir, { recursive: true, force: true });
  rmSync(layout.memberFile, { force: true });
}

/** Has etcd ever written its data here? Then flags about the initial cluster are ignored. */
export const memberDataExists = (layout: EtcdLayout) => existsSync(join(layout.dataDir, "member"));

export interface EtcdArgsOptions {
  readonly name: string;
  readonly address: MemberAddress;
  readonly layout: EtcdLayout;
  readonly tls: EtcdPKIPaths;
  /** `name=peerURL,…` of every member, this one included. */
  readonly initialCluster: string;
  readonly initialClusterState: "new" | "existing";
}

/** etcd's command line for this member. */
export function etcdArgs(o: EtcdArgsOptions): string[] {
  const { address: a, tls } = o;
  const clientURL = clientURLOf(a);
  const loopback = a.advertiseAddress === "127.0.0.1" || a.advertiseAddress === "::1";
  const listenClient = loopback
    ? clientURL
    : `${clientURL},https://${hostPort("127.0.0.1", a.clientPort)}`;
  return [
    `--name=${o.name}`,
    `--data-dir=${o.layout.dataDir}`,
    `--listen-client-urls=${listenClient}`,
    `--advertise-client-urls=${clientURL}`,
    `--listen-peer-urls=${peerURLOf(a)}`,
    `--initial-advertise-peer-urls=${peerURLOf(a)}`,
    `--initial-cluster=${o.initialCluster}`,
    `--initial-cluster-state=${o.initialClusterState}`,
    "--initial-cluster-token=bosun",
    `--cert-file=${tls.serverCert}`,
    `--key-file=${tls.serverKey}`,
    "--client-cert-auth=true",
    `--trusted-ca-file=${tls.caCert}`,
    `--peer-cert-file=${tls.peerCert}`,
    `--peer-key-file=${tls.peerKey}`,
    "--peer-client-cert-auth=true",
    `--peer-trusted-ca-file=${tls.caCert}`,
    // History is compacted by the API server's compactor; keep etcd's snapshots frequent so its
    // memory stays small (k3s uses the same figure).
    "--snapshot-count=10000",
    "--logger=zap",
    "--log-outputs=stderr",
    "--log-level=info",
  ];
}
