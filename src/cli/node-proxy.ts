/**
 * The service proxy of a real node (nftables, `src/proxy/`), as `bosun agent` and `bosun server`
 * start it next to the kubelet: in the process's network namespace, with the node's client and
 * identity, unless `--disable-proxy` (k3s: `--disable-kube-proxy`). Simulated nodes run none.
 * `--cluster-cidr` (the controller manager's default pod network) tells pods from the rest and
 * is what pod traffic must leave to be masqueraded to the node's address.
 */
import type { RestClient } from "../client/rest-client.ts";
import { defaultControllerSettings } from "../controllers/context.ts";
import type { Logger } from "../machinery/log.ts";
import { startProxy } from "../proxy/start-proxy.ts";

export const nodeProxyFlags = {
  "disable-proxy": { type: "boolean", default: false },
  "cluster-cidr": { type: "string", default: defaultControllerSettings.clusterCIDR },
} as const;

export const nodeProxyUsage = `  --disable-proxy                   run no service proxy (nftables rules for Services) here
  --cluster-cidr CIDR[,CIDR]        the pod network (a server's node IPAM hands out /24s of the first);
                                    pod traffic leaving it is masqueraded (10.244.0.0/16)`;

export interface NodeProxy {
  stop(): Promise<void>;
}

/** Starts the proxy unless the flags disable it; fails clearly when `nft` is missing. */
export async function startNodeProxy(
  values: Record<string, unknown>,
  options: { client: RestClient; nodeName: string; nodeIP: string; log: Logger },
): Promise<NodeProxy | undefined> {
  if (values["disable-proxy"] === true) {
    options.log.info("service proxy disabled (--disable-proxy)");
    return undefined;
  }
  const stop = new AbortController();
  try {
    const proxy = await startProxy({
      client: options.client,
      nodeName: options.nodeName,
      nodeIPs: [options.nodeIP],
      clusterCIDRs: String(values["cluster-cidr"] ?? "")
        .split(",")
        .map((c) => c.trim())
        .filter(Boolean),
      log: options.log,
      signal: stop.signal,
    });
    return {
      async stop() {
        stop.abort();
        await proxy.done;
      },
    };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot start the service proxy (or pass --disable-proxy): ${why}`, {
      cause: err,
    });
  }
}
