/**
 * Proxy benchmark (needs root, nft and ip; `npm run bench -- proxy`):
 * 1. Rules for 1,000 services × 10 endpoints: render time, ruleset size, the first (full) load
 *    into the kernel, incremental syncs after one service's endpoints change, and full resyncs,
 *    each p50/p99 over repeated runs, in a fresh network namespace.
 * 2. Connection latency through a ClusterIP versus straight to the pod, from a node and from a
 *    pod (netns-lab), with those 1,000 services loaded too: p50/p99 over alternating batches.
 * BENCH_PROXY_SERVICES and BENCH_PROXY_CONNECTS change the sizes.
 */
import { execFile } from "node:child_process";
import { cpus } from "node:os";
import { promisify } from "node:util";
import type { EndpointSlice, Service } from "../src/api/generated/types.ts";
import { realClock } from "../src/machinery/clock.ts";
import { buildRuleset, type NodeState } from "../src/proxy/build-ruleset.ts";
import { ExecNftRunner } from "../src/proxy/nft-runner.ts";
import { rulesetStats, rulesetText } from "../src/proxy/ruleset.ts";
import { TableSync } from "../src/proxy/table-sync.ts";
import { service, slice } from "../src/proxy/testing/fixtures.ts";
import { canRunLab, connectMany, createLab } from "../src/proxy/testing/netns-lab.ts";
import { now, printTable, summarize } from "./stats.ts";

const exec = promisify(execFile);
const serviceCount = Number(process.env.BENCH_PROXY_SERVICES ?? 1000);
const endpointsPer = 10;
const connects = Number(process.env.BENCH_PROXY_CONNECTS ?? 2000);

function cluster(services: number, version = 0): { services: Service[]; slices: EndpointSlice[] } {
  const svcs: Service[] = [];
  const slices: EndpointSlice[] = [];
  for (let i = 0; i < services; i++) {
    const name = `svc-${i}`;
    const ip = `10.${96 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`;
    svcs.push(service(name, { clusterIP: ip, namespace: `ns-${i % 20}` }));
    const eps = Array.from({ length: endpointsPer }, (_, e) => {
      const n = (i + e + version * (i === 0 ? 1 : 0)) % 250;
      return { ip: `10.244.${n}.${(i % 250) + 2}`, node: `n${n % 10}` };
    });
    slices.push(slice(name, eps, { namespace: `ns-${i % 20}` }));
  }
  return { services: svcs, slices };
}

/** A node with no endpoints of its own: every service spreads over all ten. */
const node: NodeState = {
  name: "bench-node",
  podCIDRs: ["10.244.0.0/16"],
  nodeIPs: ["172.31.0.11"],
};
const fmtRow = (what: string, ms: number[]) => {
  const s = summarize(ms);
  return [what, String(ms.length), s.p50, s.p99];
};

async function ruleSync(): Promise<void> {
  const ns = `bpb${process.pid % 100000}`;
  await exec("ip", ["netns", "del", ns]).catch(() => {});
  await exec("ip", ["netns", "add", ns]);
  const nft = new ExecNftRunner({ netns: ns });
  try {
    const base = cluster(serviceCount);
    const renders: number[] = [];
    let rs = buildRuleset(base.services, base.slices, node);
    for (let i = 0; i < 20; i++) {
      const t = now();
      rs = buildRuleset(base.services, base.slices, node);
      renders.push(now() - t);
    }
    const stats = rulesetStats(rs);
    const text = rulesetText(rs);
    console.log(
      `ruleset: ${serviceCount} services × ${endpointsPer} endpoints → ${stats.chains} chains, ${stats.rules} rules, ${stats.elements} map/set elements, ${(text.length / 1024).toFixed(0)} KiB of nft text\n`,
    );
    const rows = [fmtRow("render (pure function)", renders)];

    const firsts: number[] = [];
    const fulls: number[] = [];
    for (let i = 0; i < 5; i++) {
      await nft.run(["flush", "ruleset"]);
      const sync = new TableSync({ nft, clock: realClock });
      let t = now();
      await sync.apply(rs);
      firsts.push(now() - t);
      const resync = new TableSync({ nft, clock: realClock });
      t = now();
      await resync.apply(rs); // Lists the table, then reasserts every chain and map.
      fulls.push(now() - t);
    }
    rows.push(fmtRow("first sync into an empty netns", firsts));
    rows.push(fmtRow("full resync of the loaded table", fulls));

    const sync = new TableSync({ nft, clock: realClock, fullSyncPeriodMs: 1e12 });
    await sync.apply(rs);
    const incremental: number[] = [];
    const unchanged: number[] = [];
    for (let v = 1; v <= 30; v++) {
      const changed = cluster(serviceCount, v);
      let t = now();
      const next = buildRuleset(changed.services, changed.slices, node);
      const result = await sync.apply(next);
      incremental.push(now() - t);
      if (result.mode !== "incremental")
        throw new Error(`expected incremental, got ${result.mode}`);
      t = now();
      await sync.apply(buildRuleset(changed.services, changed.slices, node));
      unchanged.push(now() - t);
    }
    rows.push(fmtRow("sync: one service's endpoints changed", incremental));
    rows.push(fmtRow("sync: nothing changed (render + diff)", unchanged));
    printTable(["rules (ms)", "runs", "p50", "p99"], rows);
  } finally {
    await exec("ip", ["netns", "del", ns]).catch(() => {});
  }
}

async function latency(): Promise<void> {
  const lab = await createLab(`bpbl${process.pid % 10000}`);
  try {
    const [n1] = lab.nodes;
    const [pod1, pod2] = lab.pods;
    const big = cluster(serviceCount);
    const target = service("target", { clusterIP: "10.111.0.1" });
    const eps = slice("target", [{ ip: pod1!.ip, node: "n1" }]);
    const rs = buildRuleset([...big.services, target], [...big.slices, eps], {
      ...node,
      podCIDRs: ["10.244.0.0/16"],
    });
    await new ExecNftRunner({ netns: n1!.netns }).apply(rulesetText(rs));
    const batches = 4;
    const per = Math.ceil(connects / batches);
    const rows: Array<Array<string | number>> = [];
    for (const [from, label] of [
      [n1!.netns, "node"],
      [pod2!.netns, "pod"],
    ] as const) {
      const direct: number[] = [];
      const viaVip: number[] = [];
      await connectMany(from, pod1!.ip, 8080, { count: 50 }); // Warm-up.
      for (let b = 0; b < batches; b++) {
        direct.push(...(await connectMany(from, pod1!.ip, 8080, { count: per })).ms);
        viaVip.push(...(await connectMany(from, "10.111.0.1", 80, { count: per })).ms);
      }
      rows.push(fmtRow(`${label} → pod IP (direct)`, direct));
      rows.push(fmtRow(`${label} → ClusterIP → pod`, viaVip));
    }
    console.log(
      `\nconnect + 1-packet answer + close, ${per * batches} per path in ${batches} alternating batches, ${serviceCount + 1} services loaded:\n`,
    );
    printTable(["connection (ms)", "n", "p50", "p99"], rows);
  } finally {
    await lab.destroy();
  }
}

export async function run(): Promise<void> {
  console.log(`cores: ${cpus().length}`);
  const why = await canRunLab();
  if (why) {
    console.log(`proxy benchmark skipped: ${why}`);
    return;
  }
  await ruleSync();
  await latency();
}
