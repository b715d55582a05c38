/**
 * How the API server reaches a node's kubelet (upstream `NodeConnectionInfoGetter`): HTTPS to the
 * node's InternalIP (else another address) on `status.daemonEndpoints.kubeletEndpoint.Port`
 * (10250 when unset), authenticating with the API server's kubelet client certificate. The
 * kubelet's serving certificate is not verified unless a CA is configured, as upstream without
 * `--kubelet-certificate-authority`.
 */
import type { Node } from "../../api/generated/types.ts";
import { isStatusError, newNotFound } from "../../machinery/status.ts";
import type { Catalog } from "../catalog.ts";

export interface KubeletClientConfig {
  readonly certPem: string;
  readonly keyPem: string;
  /** Verifies kubelets' serving certificates when set. */
  readonly caPem?: string;
}

export interface KubeletLocation {
  readonly host: string;
  readonly port: number;
}

const preferredAddressTypes = [
  "InternalIP",
  "Hostname",
  "InternalDNS",
  "ExternalIP",
  "ExternalDNS",
];

export async function kubeletLocation(
  catalog: Catalog,
  nodeName: string,
): Promise<KubeletLocation> {
  const nodes = catalog.lookup("", "v1", "nodes");
  if (!nodes) throw newNotFound({ group: "", resource: "nodes" }, nodeName);
  let node: Node;
  try {
    node = (await nodes.get("", nodeName)) as Node;
  } catch (err) {
    if (isStatusError(err, "NotFound"))
      throw newNotFound({ group: "", resource: "nodes" }, nodeName);
    throw err;
  }
  return kubeletLocationOf(node);
}

/** The kubelet of a node object: its preferred address and its kubelet port. */
export function kubeletLocationOf(node: Node): KubeletLocation {
  const addresses = node.status?.addresses ?? [];
  let host: string | undefined;
  for (const type of preferredAddressTypes) {
    host = addresses.find((a) => a.type === type && a.address)?.address;
    if (host) break;
  }
  if (!host) {
    throw new Error(`no preferred addresses found; known addresses: ${JSON.stringify(addresses)}`);
  }
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port || 10250;
  return { host, port };
}

/** `https://host:port/path?query`, with IPv6 hosts bracketed. */
export function kubeletURL(location: KubeletLocation, path: string, query?: URLSearchParams): URL {
  const host = location.host.includes(":") ? `[${location.host}]` : location.host;
  const url = new URL(`https://${host}:${location.port}`);
  url.pathname = path;
  if (query && [...query].length > 0) url.search = query.toString();
  return url;
}
