/**
 * Stale UDP conntrack entries. UDP has no connection teardown, so a flow keeps the endpoint it
 * was DNATed to after the rules change, and a flow that was rejected while a service had no
 * endpoints keeps being rejected. After each sync the proxy deletes (upstream's
 * `CleanStaleEntries`, reduced to `conntrack` invocations):
 * - flows to a UDP service port's VIPs and node port that had no endpoints and now has some;
 * - flows DNATed to an endpoint that no longer serves that port.
 * `staleUDPFilters` is pure; `ExecConntrack` runs `conntrack -D` with each filter.
 */
import { execTool, ToolError } from "./nft-runner.ts";
import type { ServicePortInfo } from "./service-ports.ts";

/** A UDP service port as conntrack cleanup needs it. */
export interface UDPTarget {
  readonly vips: readonly string[];
  readonly port: number;
  readonly nodePort: number;
  /** Serving endpoint IPs anywhere in the cluster. */
  readonly endpoints: ReadonlySet<string>;
}

export type UDPView = ReadonlyMap<string, UDPTarget>;

export function udpView(ports: readonly ServicePortInfo[]): UDPView {
  const out = new Map<string, UDPTarget>();
  for (const sp of ports) {
    if (sp.protocol !== "UDP") continue;
    const endpoints = new Set(sp.endpoints.filter((e) => e.ready || e.serving).map((e) => e.ip));
    out.set(`${sp.namespace}/${sp.name}/${sp.portName}`, {
      vips: [sp.clusterIP, ...sp.externalIPs, ...sp.loadBalancerIPs],
      port: sp.port,
      nodePort: sp.nodePort,
      endpoints,
    });
  }
  return out;
}

/** `conntrack -D` argument lists that remove the flows `prev → next` made stale. */
export function staleUDPFilters(prev: UDPView, next: UDPView): string[][] {
  const filters: string[][] = [];
  const seen = new Set<string>();
  const add = (args: string[]) => {
    const key = args.join(" ");
    if (!seen.has(key)) {
      seen.add(key);
      filters.push(["-D", "-p", "udp", ...args]);
    }
  };
  for (const [key, now] of next) {
    const before = prev.get(key);
    if (now.endpoints.size === 0 || (before && before.endpoints.size > 0)) continue;
    for (const vip of now.vips) add(["--orig-dst", vip, "--orig-port-dst", String(now.port)]);
    if (now.nodePort) add(["--orig-port-dst", String(now.nodePort)]);
  }
  for (const [key, before] of prev) {
    const now = next.get(key);
    for (const ep of before.endpoints) {
      if (now?.endpoints.has(ep)) continue;
      for (const vip of before.vips) add(["--orig-dst", vip, "--dst-nat", ep]);
      if (before.nodePort) add(["--orig-port-dst", String(before.nodePort), "--dst-nat", ep]);
    }
  }
  return filters;
}

export interface Conntrack {
  /** Runs `conntrack <args>`; "no entries matched" is not an error. Returns entries deleted. */
  delete(args: readonly string[]): Promise<number>;
}

export class ExecConntrack implements Conntrack {
  readonly #netns: string | undefined;

  constructor(options: { netns?: string } = {}) {
    this.#netns = options.netns;
  }

  /** Set once the binary turned out to be missing: said once, then skipped. */
  #missing = false;

  async delete(args: readonly string[]): Promise<number> {
    if (this.#missing) return 0;
    let stderr: string;
    try {
      ({ stderr } = await execTool(args, {
        binary: "conntrack",
        debianPackage: "conntrack",
        okCodes: [1],
        ...(this.#netns ? { netns: this.#netns } : {}),
      }));
    } catch (err) {
      if (err instanceof ToolError && /not found in PATH/.test(err.message)) this.#missing = true;
      throw err;
    }
    const m = /(\d+) flow entries have been deleted/.exec(stderr);
    if (!m) throw new Error(`conntrack ${args.join(" ")}: ${stderr.trim()}`);
    return Number(m[1]);
  }
}
