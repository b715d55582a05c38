/**
 * The pod network's CNI configuration, written by the agent once the node has a pod CIDR: a
 * `bridge` (gateway on the bridge, hairpin for Services) with `host-local` IPAM over the node's
 * pod CIDR (its own data dir, so nodes on one host never share leases), then `portmap` for
 * hostPort. Pod-to-pod traffic across nodes is routed (host-gw), so the bridge does not
 * masquerade (its `ipMasq` would NAT everything leaving this node's /24, pods on other nodes
 * included); traffic leaving the pod network is masqueraded by the proxy's table (ADR 22). containerd brings up `lo` itself, so no `loopback` plugin is listed.
 */

export interface PodNetworkOptions {
  readonly podCIDR: string;
  readonly bridge?: string;
  /** host-local's lease directory. */
  readonly ipamDataDir: string;
  readonly mtu?: number;
}

export const cniConfigFileName = "10-bosun.conflist";

/** The first usable address of a CIDR: the bridge's (and pods' gateway) address. */
export function gatewayOf(cidr: string): string {
  const [ip] = cidr.split("/");
  const parts = (ip ?? "").split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`pod CIDR ${cidr} is not an IPv4 CIDR`);
  }
  const value = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) + 1;
  return [24, 16, 8, 0].map((s) => (value >>> s) & 255).join(".");
}

export function podNetworkConflist(o: PodNetworkOptions): string {
  const config = {
    cniVersion: "1.0.0",
    name: "bosun-pod-network",
    plugins: [
      {
        type: "bridge",
        bridge: o.bridge ?? "cni0",
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ...(o.mtu ? { mtu: o.mtu } : {}),
        ipam: {
          type: "host-local",
          dataDir: o.ipamDataDir,
          ranges: [[{ subnet: o.podCIDR, gateway: gatewayOf(o.podCIDR) }]],
          routes: [{ dst: "0.0.0.0/0" }],
        },
      },
      { type: "portmap", capabilities: { portMappings: true } },
    ],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
