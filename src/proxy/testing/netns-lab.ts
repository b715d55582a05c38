/**
 * A two-node network in network namespaces for the proxy's kernel tests and benchmark, shaped
 * like Bosun's multi-node clusters (../../../docs: node-networking reference):
 *
 *   <p>-n1  eth0 172.31.0.11 ── veth ── eth0 172.31.0.12  <p>-n2
 *           cni0 10.244.1.1/24                cni0 10.244.2.1/24
 *           ├ <p>-p1 10.244.1.11               └ <p>-p3 10.244.2.11
 *           └ <p>-p2 10.244.1.12
 *
 * host-gw routes between the pod CIDRs, default routes via the other node, forwarding on, bridge ports in hairpin mode. Each pod
 * runs a small server answering its name (TCP 8080, UDP 5353). Needs root, `ip` and a kernel
 * with veth and bridge; `destroy` removes every namespace and process it made.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface LabPod {
  readonly name: string;
  readonly netns: string;
  readonly ip: string;
  readonly node: string;
}

export interface LabNode {
  readonly name: string;
  readonly netns: string;
  readonly ip: string;
  readonly podCIDR: string;
}

export interface Lab {
  readonly nodes: readonly LabNode[];
  readonly pods: readonly LabPod[];
  /** Runs a command inside a namespace. */
  exec(netns: string, cmd: readonly string[]): Promise<string>;
  destroy(): Promise<void>;
}

/** Answers every TCP connection on 8080 and every UDP datagram on 5353 with the pod's name. */
const serverScript = `
const net = require("node:net"), dgram = require("node:dgram");
const name = process.argv[1];
net.createServer((s) => s.end(name)).listen(8080, () => {
  const u = dgram.createSocket("udp4");
  u.on("message", (_, r) => u.send(name, r.port, r.address));
  u.bind(5353, () => process.stdout.write("ready\\n"));
});`;

export async function canRunLab(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return "needs root";
  for (const tool of ["ip", "nft"]) {
    try {
      await run(tool, ["-V"]).catch(() => run(tool, ["--version"]));
    } catch {
      return `needs ${tool}`;
    }
  }
  return undefined;
}

export async function createLab(prefix: string): Promise<Lab> {
  const namespaces: string[] = [];
  const servers: ChildProcess[] = [];
  const ip = (...args: string[]) => run("ip", args);
  const inNs = (ns: string, ...args: string[]) => run("ip", ["netns", "exec", ns, ...args]);
  const nodes: LabNode[] = [
    { name: "n1", netns: `${prefix}-n1`, ip: "172.31.0.11", podCIDR: "10.244.1.0/24" },
    { name: "n2", netns: `${prefix}-n2`, ip: "172.31.0.12", podCIDR: "10.244.2.0/24" },
  ];
  const pods: LabPod[] = [
    { name: "pod1", netns: `${prefix}-p1`, ip: "10.244.1.11", node: "n1" },
    { name: "pod2", netns: `${prefix}-p2`, ip: "10.244.1.12", node: "n1" },
    { name: "pod3", netns: `${prefix}-p3`, ip: "10.244.2.11", node: "n2" },
  ];
  const lab: Lab = {
    nodes,
    pods,
    exec: async (ns, cmd) => (await inNs(ns, ...cmd)).stdout,
    async destroy() {
      for (const s of servers) s.kill("SIGKILL");
      for (const ns of namespaces) await ip("netns", "del", ns).catch(() => {});
    },
  };
  try {
    for (const ns of [...nodes.map((n) => n.netns), ...pods.map((p) => p.netns)]) {
      await ip("netns", "del", ns).catch(() => {}); // Left over from a killed run.
      await ip("netns", "add", ns);
      namespaces.push(ns);
      await ip("-n", ns, "link", "set", "lo", "up");
    }
    const [n1, n2] = nodes as [LabNode, LabNode];
    await ip(
      "-n",
      n1.netns,
      "link",
      "add",
      "eth0",
      "type",
      "veth",
      "peer",
      "eth0",
      "netns",
      n2.netns,
    );
    for (const [node, other] of [
      [n1, n2],
      [n2, n1],
    ] as const) {
      const gw = node.podCIDR.replace(/0\/24$/, "1");
      await ip("-n", node.netns, "addr", "add", `${node.ip}/24`, "dev", "eth0");
      await ip("-n", node.netns, "link", "set", "eth0", "up");
      await ip("-n", node.netns, "link", "add", "cni0", "type", "bridge");
      await ip("-n", node.netns, "addr", "add", `${gw}/24`, "dev", "cni0");
      await ip("-n", node.netns, "link", "set", "cni0", "up");
      await ip("-n", node.netns, "route", "add", other.podCIDR, "via", other.ip);
      // Nodes have a default route (a LAN gateway); without one, a VIP is unreachable before
      // the output hook can DNAT it.
      await ip("-n", node.netns, "route", "add", "default", "via", other.ip);
      await inNs(node.netns, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    }
    for (const [i, pod] of pods.entries()) {
      const node = nodes.find((n) => n.name === pod.node)!;
      const host = `veth${i}`;
      await ip(
        "-n",
        node.netns,
        "link",
        "add",
        host,
        "type",
        "veth",
        "peer",
        "eth0",
        "netns",
        pod.netns,
      );
      await ip("-n", node.netns, "link", "set", host, "master", "cni0", "up");
      await ip("-n", node.netns, "link", "set", host, "type", "bridge_slave", "hairpin", "on");
      await ip("-n", pod.netns, "addr", "add", `${pod.ip}/24`, "dev", "eth0");
      await ip("-n", pod.netns, "link", "set", "eth0", "up");
      const gw = node.podCIDR.replace(/0\/24$/, "1");
      await ip("-n", pod.netns, "route", "add", "default", "via", gw);
      servers.push(await startServer(pod));
    }
  } catch (err) {
    await lab.destroy();
    throw err;
  }
  return lab;
}

function startServer(pod: LabPod): Promise<ChildProcess> {
  const child = spawn(
    "ip",
    ["netns", "exec", pod.netns, process.execPath, "-e", serverScript, pod.name],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`server in ${pod.netns} exited (${code})`)));
    child.stdout!.once("data", () => resolve(child));
  });
}

/** Result of `connectMany`: who answered how often, failures by error code, latencies. */
export interface ConnectResult {
  readonly answers: Record<string, number>;
  readonly errors: Record<string, number>;
  /** Milliseconds per successful exchange (connect → answer → close). */
  readonly ms: number[];
}

const clientScript = `
const net = require("node:net"), dgram = require("node:dgram");
const [host, port, count, proto, timeout, sourcePort] = process.argv.slice(1);
const answers = {}, errors = {}, ms = [];
const once = () => new Promise((resolve) => {
  const t0 = performance.now();
  const done = (name, err) => {
    if (err) errors[err] = (errors[err] ?? 0) + 1;
    else { answers[name] = (answers[name] ?? 0) + 1; ms.push(performance.now() - t0); }
    resolve();
  };
  if (proto === "udp") {
    const s = dgram.createSocket("udp4");
    const timer = setTimeout(() => { s.close(); done(null, "TIMEOUT"); }, Number(timeout));
    s.on("message", (m) => { clearTimeout(timer); s.close(); done(m.toString()); });
    s.on("error", (e) => { clearTimeout(timer); s.close(); done(null, e.code); });
    const send = () => s.send("?", Number(port), host);
    if (Number(sourcePort)) s.bind(Number(sourcePort), send);
    else send();
    return;
  }
  let data = "";
  const s = net.connect({ host, port: Number(port) });
  s.setTimeout(Number(timeout), () => { s.destroy(); done(null, "TIMEOUT"); });
  s.on("data", (d) => (data += d));
  s.on("end", () => done(data));
  s.on("error", (e) => done(null, e.code));
});
(async () => {
  for (let i = 0; i < Number(count); i++) await once();
  process.stdout.write(JSON.stringify({ answers, errors, ms }));
})();`;

/** Makes `count` sequential exchanges with host:port from inside `netns`. */
export async function connectMany(
  netns: string,
  host: string,
  port: number,
  options: { count?: number; proto?: "tcp" | "udp"; timeoutMs?: number; sourcePort?: number } = {},
): Promise<ConnectResult> {
  const args = [
    host,
    String(port),
    String(options.count ?? 20),
    options.proto ?? "tcp",
    String(options.timeoutMs ?? 2000),
    String(options.sourcePort ?? 0),
  ];
  const { stdout } = await run(
    "ip",
    ["netns", "exec", netns, process.execPath, "-e", clientScript, ...args],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as ConnectResult;
}
