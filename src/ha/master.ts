/**
 * What `bosun server` adds to be one of several masters: the managed etcd member (first master,
 * joining master, or a restart of either), the store on it, the `etcd` readiness probe, and the
 * join-bundle endpoint other masters join through. The CLI calls `startHaMaster` before it builds
 * the cluster PKI, because a joining master receives the cluster CA here.
 */
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import type { ExtraPath } from "../apiserver/handler.ts";
import { parseBootstrapToken } from "../cluster-bootstrap/token.ts";
import type { Logger } from "../machinery/log.ts";
import { newForbidden } from "../machinery/status.ts";
import { EtcdClient } from "../storage/etcd/etcd-client.ts";
import { EtcdStore } from "../storage/etcd/etcd-store.ts";
import type { Store } from "../storage/store.ts";
import { fetchJoinBundle } from "./control-plane-join.ts";
import {
  etcdLayout,
  type MemberAddress,
  type MemberRecord,
  memberDataExists,
  readMemberRecord,
} from "./etcd-member.ts";
import type { HaMode } from "./ha-flags.ts";
import {
  installJoinBundle,
  joinBundlePath,
  mayFetchJoinBundle,
  readJoinBundle,
  sealJoinBundle,
} from "./join-bundle.ts";
import { type ManagedEtcd, startManagedEtcd } from "./managed-etcd.ts";
import { migrateSqliteToEtcd } from "./migrate-sqlite.ts";
import { StoreHealthProbe } from "./store-health.ts";

export interface HaMasterOptions {
  readonly dataDir: string;
  readonly mode: HaMode;
  readonly advertiseAddress: string;
  /** Undefined: the recorded port of a restarted member, else 2379. */
  readonly etcdClientPort: number | undefined;
  /** Undefined: the recorded port of a restarted member, else 2380. */
  readonly etcdPeerPort: number | undefined;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

export interface HaMaster {
  readonly etcd: ManagedEtcd;
  /** The raw store on this master's member (the CLI wraps it: encryption, fan-out). */
  readonly store: Store;
  readonly health: StoreHealthProbe;
  readonly extraPaths: ReadonlyMap<string, ExtraPath>;
  /** Unique and stable per master: the leader-election identity prefix. */
  readonly identity: string;
  /** Stops the probe and the etcd member (the member stays in its cluster). */
  stop(): Promise<void>;
}

/** Is this data dir (or are these flags) a managed-etcd master? */
export function isHaMaster(dataDir: string, mode: HaMode): boolean {
  return (
    mode.kind === "init" ||
    mode.kind === "join" ||
    readMemberRecord(etcdLayout(dataDir)) !== undefined
  );
}

export const twoMastersWarning =
  "this cluster now has 2 masters: etcd needs a majority, so the loss of either master stops " +
  "all writes (2 masters tolerate no failure and are less available than 1); add a third master";

function bundlePath(o: HaMasterOptions, etcd: ManagedEtcd): ExtraPath {
  return {
    allowed: mayFetchJoinBundle,
    async serve(req: IncomingMessage, user) {
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1] ?? "";
      const token = parseBootstrapToken(bearer);
      if (!token || user.username !== `system:bootstrap:${token.id}`) {
        throw newForbidden(
          { group: "", resource: "" },
          "",
          "the join bundle is sealed for bootstrap tokens only",
        );
      }
      const endpoints = (await etcd.members()).flatMap((m) => m.clientURLs);
      o.log.info("handing the control-plane join bundle to a joining master", { token: token.id });
      return sealJoinBundle(readJoinBundle(o.dataDir, endpoints), token);
    },
  };
}

/**
 * The member's address and ports: the flags, else (a restart) what member.json recorded, else
 * the defaults. A member's peer URL is part of its cluster's configuration, so a restarted member
 * keeps its recorded address even when the server now advertises another one.
 */
export function memberAddress(
  o: Pick<HaMasterOptions, "advertiseAddress" | "etcdClientPort" | "etcdPeerPort" | "log">,
  record: MemberRecord | undefined,
): MemberAddress {
  const peer = record ? new URL(record.peerURL) : undefined;
  const client = record ? new URL(record.clientURL) : undefined;
  const recordedHost = peer?.hostname.replace(/^\[|\]$/g, "");
  if (recordedHost && recordedHost !== o.advertiseAddress) {
    o.log.warn("the etcd member keeps the address it was created with", {
      member: recordedHost,
      advertised: o.advertiseAddress,
    });
  }
  return {
    advertiseAddress: recordedHost ?? o.advertiseAddress,
    clientPort: o.etcdClientPort ?? (client ? Number(client.port) : 2379),
    peerPort: o.etcdPeerPort ?? (peer ? Number(peer.port) : 2380),
  };
}

export async function startHaMaster(o: HaMasterOptions): Promise<HaMaster> {
  const layout = etcdLayout(o.dataDir);
  const firstStart = !memberDataExists(layout);
  let joinEndpoints: readonly string[] | undefined;
  if (o.mode.kind === "join" && firstStart) {
    const bundle = await fetchJoinBundle({
      server: o.mode.server,
      token: o.mode.token,
      caCertHashes: o.mode.caCertHashes,
      log: o.log,
    });
    installJoinBundle(o.dataDir, bundle);
    joinEndpoints = bundle.etcdEndpoints;
  } else if (o.mode.kind === "join") {
    o.log.info("this data dir already holds an etcd member: restarting it instead of joining");
  }
  const etcd = await startManagedEtcd({
    dataDir: o.dataDir,
    address: memberAddress(o, firstStart ? undefined : readMemberRecord(layout)),
    log: o.log.with({ component: "etcd" }),
    ...(joinEndpoints ? { join: { endpoints: joinEndpoints } } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const store = new EtcdStore({
    endpoints: [etcd.clientURL],
    tls: etcd.tls,
    log: o.log.with({ component: "etcd-store" }),
  });
  if (o.mode.kind === "init" && firstStart) {
    await migrateSqliteToEtcd(join(o.dataDir, "server", "db", "state.db"), store, o.log);
  }
  const members = await etcd.members();
  if (members.length === 2) {
    o.log.warn(twoMastersWarning);
    process.stderr.write(`WARNING: ${twoMastersWarning}\n`);
  }
  const probeClient = new EtcdClient({
    endpoints: [etcd.clientURL],
    tls: etcd.tls,
    timeoutMs: 2000,
  });
  const health = new StoreHealthProbe({
    check: async () => {
      await probeClient.range({ key: Buffer.from("health") });
    },
    log: o.log.with({ component: "etcd-health" }),
  });
  await health.start();
  return {
    etcd,
    store,
    health,
    extraPaths: new Map([[joinBundlePath, bundlePath(o, etcd)]]),
    identity: etcd.name,
    async stop() {
      health.stop();
      probeClient.close();
      await etcd.stop();
    },
  };
}
