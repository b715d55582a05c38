/**
 * This master's etcd member, managed: the first master (`--cluster-init`) starts a one-member
 * cluster; a joining master adds itself through the cluster's etcd (MemberAdd) and starts with
 * `--initial-cluster-state=existing`; a restart on the same data dir restarts the same member
 * (etcd ignores the initial-cluster flags once its data exists). Start-up waits for quorum, with a
 * log line every 5 s, because a member restarted while most others are down cannot serve until
 * they return. `leaveEtcdCluster` is `bosun server --leave`: MemberRemove, then the data goes.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import type { Logger } from "../machinery/log.ts";
import { EtcdClient, type EtcdTls, type Member } from "../storage/etcd/etcd-client.ts";
import {
  clearMember,
  clientURLOf,
  type EtcdLayout,
  etcdArgs,
  etcdLayout,
  type MemberAddress,
  memberDataExists,
  newMemberName,
  peerURLOf,
  readMemberRecord,
  writeMemberRecord,
} from "./etcd-member.ts";
import { type EtcdPKI, etcdClientTls, loadOrCreateEtcdPKI } from "./etcd-pki.ts";
import { EtcdSupervisor } from "./etcd-supervisor.ts";

export interface ManagedEtcdOptions {
  /** The server's `--data-dir`. */
  readonly dataDir: string;
  readonly address: MemberAddress;
  readonly log: Logger;
  /** Joining an existing cluster: client URLs of its members (from the join bundle). */
  readonly join?: { readonly endpoints: readonly string[] };
  readonly signal?: AbortSignal;
  readonly binary?: string;
}

export interface ManagedEtcd {
  readonly name: string;
  /** This member's client URL: the API server's store talks to it only. */
  readonly clientURL: string;
  readonly tls: EtcdTls;
  readonly pki: EtcdPKI;
  members(): Promise<Member[]>;
  stop(): Promise<void>;
}

/** `etcd --version` → "3.4.23"; throws when etcd is missing or older than 3.4. */
export function etcdVersion(binary = "etcd"): string {
  let out: string;
  try {
    out = execFileSync(binary, ["--version"], { encoding: "utf8", timeout: 10_000 });
  } catch (err) {
    throw new Error(`cannot run ${binary} (install Debian's etcd-server package)`, { cause: err });
  }
  const version = /etcd Version: (\d+)\.(\d+)\.(\d+)/.exec(out);
  if (!version) throw new Error(`cannot read the version from "${binary} --version": ${out}`);
  const [major, minor] = [Number(version[1]), Number(version[2])];
  if (major < 3 || (major === 3 && minor < 4)) {
    throw new Error(`etcd ${version[0]} is too old: Bosun needs etcd 3.4 or later`);
  }
  return `${version[1]}.${version[2]}.${version[3]}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** MemberAdd through the cluster, retried while etcd refuses (an unhealthy cluster). */
async function addMember(
  endpoints: readonly string[],
  tls: EtcdTls,
  name: string,
  peerURL: string,
  log: Logger,
): Promise<string> {
  const client = new EtcdClient({ endpoints, tls, timeoutMs: 5000 });
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        const { members } = await client.memberList();
        const mine = members.find((m) => m.peerURLs.includes(peerURL));
        // Added before but never started (a join interrupted): start it now.
        if (mine && mine.name !== "")
          throw new Error(
            `etcd already has a started member with peer URL ${peerURL} (${mine.name}); remove it first`,
          );
        const list = mine ? members : (await client.memberAdd([peerURL])).members;
        log.info(mine ? "etcd member was added before; starting it" : "added etcd member", {
          name,
          peerURL,
          members: list.length,
        });
        return list
          .map((m, i) => {
            const self = m.peerURLs.includes(peerURL);
            return `${self ? name : m.name || `unstarted-${i}`}=${m.peerURLs[0]}`;
          })
          .join(",");
      } catch (err) {
        if (Date.now() > deadline || /already has a started member/.test(String(err))) throw err;
        log.warn("cannot add this master's etcd member yet; retrying", { err });
        await sleep(2000);
      }
    }
  } finally {
    client.close();
  }
}

/** Waits until the member answers a linearizable read (that is: its cluster has quorum). */
async function waitForQuorum(
  client: EtcdClient,
  supervisor: EtcdSupervisor,
  o: Pick<ManagedEtcdOptions, "log" | "signal">,
  firstStart: boolean,
): Promise<void> {
  const started = Date.now();
  let lastLog = started;
  for (;;) {
    try {
      await client.range({ key: Buffer.from("health") });
      o.log.info("etcd member ready", { ms: Date.now() - started });
      return;
    } catch (err) {
      if (o.signal?.aborted) throw new Error("interrupted while waiting for etcd");
      if (firstStart && !supervisor.running) {
        throw new Error(`etcd exited during start-up:\n${supervisor.recentOutput}`, { cause: err });
      }
      if (Date.now() - lastLog >= 5000) {
        lastLog = Date.now();
        o.log.warn("waiting for etcd quorum (are the other masters running?)", {
          waitedMs: Date.now() - started,
          err,
        });
      }
      await sleep(200);
    }
  }
}

export async function startManagedEtcd(o: ManagedEtcdOptions): Promise<ManagedEtcd> {
  const version = etcdVersion(o.binary);
  const layout: EtcdLayout = etcdLayout(o.dataDir);
  mkdirSync(layout.dir, { recursive: true, mode: 0o700 });
  const record = readMemberRecord(layout);
  // member.json is written before etcd first starts, so data without it is not ours to guess.
  const restart = memberDataExists(layout);
  if (restart && !record) {
    throw new Error(
      `${layout.dataDir} holds etcd data but ${layout.memberFile} is missing: restore it, or delete the etcd data to start this member over`,
    );
  }
  if (!restart && record?.joining && !o.join) {
    throw new Error(
      "this master's join did not finish (its etcd member never started): run it again with --server and --token",
    );
  }
  const peerURL = peerURLOf(o.address);
  const clientURL = clientURLOf(o.address);
  if (restart && record && record.peerURL !== peerURL) {
    throw new Error(
      `the etcd member in ${layout.dir} was created with peer URL ${record.peerURL}, not ${peerURL}: pass the same --advertise-address and --etcd-peer-port`,
    );
  }
  const pki = loadOrCreateEtcdPKI(o.dataDir, {
    addresses: [o.address.advertiseAddress],
    create: !o.join && !restart,
  });
  const tls = etcdClientTls(pki);
  const name = record?.name ?? newMemberName();
  let initialCluster = `${name}=${peerURL}`;
  let state: "new" | "existing" = "new";
  if (!restart && o.join) {
    initialCluster = await addMember(o.join.endpoints, tls, name, peerURL, o.log);
    state = "existing";
  }
  if (!restart) {
    // Recorded before the first start: a crash from here on restarts the same member by name.
    writeMemberRecord(layout, {
      name,
      peerURL,
      clientURL,
      clusterClientURLs: [...(o.join?.endpoints ?? []), clientURL],
      ...(o.join ? { joining: true } : {}),
    });
  }
  o.log.info(restart ? "restarting etcd member" : "starting etcd member", {
    name,
    version,
    clientURL,
    peerURL,
    state,
  });
  const supervisor = new EtcdSupervisor({
    args: etcdArgs({
      name,
      address: o.address,
      layout,
      tls: pki.paths,
      initialCluster,
      initialClusterState: state,
    }),
    marker: layout.dataDir,
    pidFile: layout.pidFile,
    logFile: layout.logFile,
    log: o.log,
    ...(o.binary ? { binary: o.binary } : {}),
  });
  await supervisor.start();
  const client = new EtcdClient({ endpoints: [clientURL], tls, timeoutMs: 2000 });
  try {
    await waitForQuorum(client, supervisor, o, !restart);
    const { members } = await client.memberList();
    writeMemberRecord(layout, {
      name,
      peerURL,
      clientURL,
      clusterClientURLs: members.flatMap((m) => m.clientURLs),
    });
  } catch (err) {
    client.close();
    await supervisor.stop();
    throw err;
  }
  return {
    name,
    clientURL,
    tls,
    pki,
    members: async () => (await client.memberList()).members,
    async stop() {
      client.close();
      await supervisor.stop();
    },
  };
}

/**
 * `bosun server --leave`: removes this data dir's member from its cluster (through any other
 * member) and deletes the member's data. The server must be stopped.
 */
export async function leaveEtcdCluster(
  dataDir: string,
  log: Logger,
): Promise<{ name: string; remaining: number }> {
  const layout = etcdLayout(dataDir);
  const record = readMemberRecord(layout);
  if (!record) throw new Error(`${dataDir} holds no etcd member (no ${layout.memberFile})`);
  const pki = loadOrCreateEtcdPKI(dataDir, { addresses: [], create: false });
  const others = record.clusterClientURLs.filter((u) => u !== record.clientURL);
  if (others.length === 0) {
    throw new Error(
      `etcd member ${record.name} is the only member of its cluster: there is nothing to leave (delete the data dir to remove the cluster)`,
    );
  }
  const client = new EtcdClient({ endpoints: others, tls: etcdClientTls(pki), timeoutMs: 5000 });
  try {
    const { members } = await client.memberList();
    const mine = members.find((m) => m.peerURLs.includes(record.peerURL));
    if (mine) {
      const { members: left } = await client.memberRemove(mine.ID);
      log.info("removed etcd member", { name: record.name, id: mine.ID, remaining: left.length });
      clearMember(layout);
      return { name: record.name, remaining: left.length };
    }
    log.warn("this etcd member was already removed from its cluster", { name: record.name });
    clearMember(layout);
    return { name: record.name, remaining: members.length };
  } finally {
    client.close();
  }
}
