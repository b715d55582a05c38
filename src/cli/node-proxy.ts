/**
 * The service proxy of a real node (nftables, `src/proxy/`), as `bosun agent` and `bosun server`
 * start it next to the kubelet: in the process's network namespace, with the node's client and
 * identity, unless `--disable-proxy` (k3s: `--disable-kube-proxy`). Simulated nodes run none.
 */
import type { RestClient } from "../client/rest-client.ts";
import type { Logger } from "../machinery/log.ts";
import { startProxy } from "../proxy/start-proxy.ts";

export const nodeProxyFlags = {
  "disable-proxy": { type: "boolean", default: false },
} as const;

export const nodeProxyUsage = `  --disable-proxy                   run no service proxy (nftables rules for Services) here`;

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
