/**
 * `bosun agent`: the node parts (kubelet; later proxy and DNS) joining a cluster, and
 * `bosun simulate nodes`: many simulated nodes in one process, for scale tests.
 */
import { isIP } from "node:net";
import { hostname, networkInterfaces } from "node:os";
import { parseArgs } from "node:util";
import { defaultLocalPathStorageDir } from "../api/storage/local-path.ts";
import type { RestClient } from "../client/rest-client.ts";
import { LocalPathStorage, simulatedLocalPathFs } from "../kubelet/local-path-storage.ts";
import { InformerPodSource } from "../kubelet/pod-source.ts";
import { createSimulatedNode } from "../kubelet/simulated/simulated-node.ts";
import { createLogger, type Logger } from "../machinery/log.ts";
import { isDNS1123Subdomain } from "../machinery/validation.ts";
import { connectNode, connectNodes, joinFlags, joinUsage } from "./agent-join.ts";
import { type Command, UsageError } from "./command.ts";
import {
  containerdNodeFlags,
  containerdNodeSettings,
  containerdNodeUsage,
  startContainerdNode,
} from "./containerd-node.ts";
import { nodeAddonFlags, nodeAddonsUsage, startNodeAddons } from "./node-addons.ts";
import { nodeProxyFlags, nodeProxyUsage, startNodeProxy } from "./node-proxy.ts";

function parseCapacity(text: string | undefined): Record<string, string> {
  if (!text) return {};
  const out: Record<string, string> = {};
  for (const part of text.split(",")) {
    const [k, v] = part.split("=");
    if (!k || !v) throw new UsageError(`--capacity takes name=quantity pairs, not "${part}"`);
    out[k.trim()] = v.trim();
  }
  return out;
}

/** `--node-lease-duration-seconds` (upstream's kubelet config `nodeLeaseDurationSeconds`). */
function leaseDuration(value: string | boolean | undefined): { leaseDurationSeconds?: number } {
  if (value === undefined) return {};
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(
      `--node-lease-duration-seconds must be a whole number above 0, not "${value}"`,
    );
  }
  return { leaseDurationSeconds: n };
}

function hostIP(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "127.0.0.1";
}

type ParseOptions = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>["options"]>;

function parse(args: string[], options: ParseOptions) {
  try {
    return parseArgs({ args, strict: true, allowPositionals: true, options }).values as Record<
      string,
      string | boolean | undefined
    >;
  } catch (err) {
    throw new UsageError((err as Error).message.split("\n")[0]!);
  }
}

/** Simulated nodes have no disk, but release their deleted local-path volumes. */
function simulatedLocalPath(client: RestClient, nodeNames: string[], log: Logger) {
  return new LocalPathStorage({
    client,
    nodeNames,
    storageDir: defaultLocalPathStorageDir,
    fs: simulatedLocalPathFs,
    publish: false,
    log,
  });
}

async function untilSignal(): Promise<void> {
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
}

export const agentCommand: Command = {
  name: "agent",
  summary: "Run a node (kubelet) that joins a cluster",
  usage: `Usage: bosun agent (--server URL --token T --ca-cert-hash sha256:H | --kubeconfig FILE) [--node-name N] [--data-dir D] [--runtime containerd|simulated] [--capacity cpu=4,memory=16Gi,pods=110] [--node-ip IP] [--node-lease-duration-seconds 40]

Runs the node parts against a cluster. A new node joins with a bootstrap token (the command
"bosun token create --print-join-command" prints), gets its own client certificate and keeps it
under --data-dir; later starts reuse it. With --runtime containerd (the default) the kubelet runs
real containers through its own containerd (see below); --runtime simulated runs pods without
containers, as KWOK does (--capacity applies to it).

${joinUsage}
${containerdNodeUsage}
${nodeAddonsUsage}
${nodeProxyUsage}`,
  async run(args) {
    const v = parse(args, {
      kubeconfig: { type: "string" },
      "node-name": { type: "string" },
      runtime: { type: "string", default: "containerd" },
      capacity: { type: "string" },
      "node-ip": { type: "string" },
      "node-lease-duration-seconds": { type: "string" },
      ...joinFlags,
      ...containerdNodeFlags,
      ...nodeAddonFlags,
      ...nodeProxyFlags,
    });
    if (v.runtime !== "simulated" && v.runtime !== "containerd")
      throw new UsageError(`--runtime must be "containerd" or "simulated", not "${v.runtime}"`);
    if (typeof v["node-ip"] === "string" && isIP(v["node-ip"]) === 0) {
      throw new UsageError(
        `invalid argument "${v["node-ip"]}" for "--node-ip" flag: must be an IP address`,
      );
    }
    const log = createLogger("agent");
    const name = String(v["node-name"] ?? hostname().toLowerCase());
    checkNodeName(name, "--node-name");
    const connection = await connectNode(v, name, log);
    const client = connection.client;
    if (v.runtime === "containerd") {
      const nodeIP = String(v["node-ip"] ?? hostIP());
      const node = await startContainerdNode(
        containerdNodeSettings(v, {
          dataDir: String(v["data-dir"]),
          nodeName: name,
          nodeIP,
          ...leaseDuration(v["node-lease-duration-seconds"]),
        }),
        client,
        log,
      );
      const proxy = await startNodeProxy(v, { client, nodeName: name, nodeIP, log }).catch(
        async (err: unknown) => {
          await node.stop();
          throw err;
        },
      );
      const addons = await startNodeAddons(v, {
        client,
        nodeName: name,
        nodeIP: String(v["node-ip"] ?? hostIP()),
        log,
      }).catch(async (err: unknown) => {
        await node.stop();
        throw err;
      });
      await untilSignal();
      await addons.stop();
      await proxy?.stop();
      await node.stop();
      connection.close();
      return 0;
    }
    const stop = new AbortController();
    const pods = new InformerPodSource(client, { nodeName: name, log });
    void pods.run(stop.signal);
    const node = createSimulatedNode({
      client,
      pods,
      name,
      internalIP: String(v["node-ip"] ?? hostIP()),
      capacity: parseCapacity(v.capacity as string | undefined),
      ...leaseDuration(v["node-lease-duration-seconds"]),
      log,
    });
    const running = node.run(stop.signal);
    const localPath = simulatedLocalPath(client, [name], log).run(stop.signal);
    const addons = await startNodeAddons(v, {
      client,
      nodeName: name,
      nodeIP: String(v["node-ip"] ?? hostIP()),
      simulated: true,
      log,
    });
    log.info("agent running", { node: name, runtime: "simulated" });
    await untilSignal();
    await addons.stop();
    stop.abort();
    await Promise.all([running, localPath]);
    connection.close();
    return 0;
  },
};

export const simulateCommand: Command = {
  name: "simulate",
  summary: "Run many simulated nodes in one process (scale tests)",
  usage: `Usage: bosun simulate nodes --count N (--kubeconfig FILE | --server URL --token T --ca-cert-hash sha256:H) [--prefix sim-] [--capacity cpu=4,memory=16Gi,pods=110] [--node-lease-duration-seconds 40]

With --kubeconfig all nodes share its identity; joining with a token, each node gets its own
system:node:<name> certificate (kept under <data-dir>/agent/simulated/), as real kubelets do.

${joinUsage}`,
  async run(args) {
    const [what, ...rest] = args;
    if (what !== "nodes") throw new UsageError('the only thing to simulate is "nodes"');
    const v = parse(rest, {
      count: { type: "string", default: "10" },
      kubeconfig: { type: "string" },
      prefix: { type: "string", default: "sim-" },
      capacity: { type: "string" },
      "node-lease-duration-seconds": { type: "string" },
      ...joinFlags,
    });
    const lease = leaseDuration(v["node-lease-duration-seconds"]);
    const count = Number(v.count);
    if (!Number.isInteger(count) || count < 1 || count > 10_000) {
      throw new UsageError("--count must be a whole number from 1 to 10000");
    }
    const log = createLogger("simulate");
    const names = Array.from({ length: count }, (_, i) => `${v.prefix}${i}`);
    for (const n of [names[0]!, names.at(-1)!]) checkNodeName(n, "--prefix");
    const nodes = await connectNodes(v, names, log);
    // One pod watch for all nodes (any node may list pods), fanned out by node name.
    const client = nodes.clients.get(names[0]!)!;
    const stop = new AbortController();
    const pods = new InformerPodSource(client, { log });
    void pods.run(stop.signal);
    await pods.synced();
    const capacity = parseCapacity(v.capacity as string | undefined);
    const runs: Promise<void>[] = [];
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const node = createSimulatedNode({
        client: nodes.clients.get(names[i]!)!,
        pods,
        name: names[i]!,
        internalIP: `172.${16 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`,
        capacity,
        ...lease,
        log,
      });
      runs.push(node.run(stop.signal));
      if (i % 50 === 49) await new Promise((r) => setImmediate(r));
    }
    // Local-path volumes: one watch when the nodes share an identity, else one per node.
    if (new Set(nodes.clients.values()).size === 1) {
      runs.push(simulatedLocalPath(client, names, log).run(stop.signal));
    } else {
      for (const n of names) {
        runs.push(simulatedLocalPath(nodes.clients.get(n)!, [n], log).run(stop.signal));
      }
    }
    log.info("simulated nodes running", { count, ms: Math.round(performance.now() - started) });
    await untilSignal();
    stop.abort();
    await Promise.allSettled(runs);
    nodes.close();
    return 0;
  },
};

/** A node name must be a DNS-1123 subdomain, or the API refuses the Node and the agent waits. */
export function checkNodeName(name: string, flag: string): void {
  const [problem] = isDNS1123Subdomain(name);
  if (problem) throw new UsageError(`invalid node name "${name}" (${flag}): ${problem}`);
}
