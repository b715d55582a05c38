/**
 * The address an API server advertises (upstream `--advertise-address`): the one written into
 * the `kubernetes` Endpoints, kube-public/cluster-info and the serving certificate, where pods
 * (through 10.96.0.1) and other nodes reach it. As upstream: the flag if given, else the bind
 * address when it is a specific non-loopback address, else the host's first non-loopback IPv4.
 *
 * A loopback `--bind-address` still advertises the host's address (upstream does the same): the
 * Endpoints are written, but nothing answers there, so the result says why in `warning`.
 */
import { networkInterfaces } from "node:os";

export interface AdvertiseChoice {
  readonly address: string;
  /** Set when pods will not reach this server through the kubernetes Service. */
  readonly warning?: string;
}

type Interfaces = ReturnType<typeof networkInterfaces>;

const isLoopback = (ip: string) => /^127\./.test(ip) || ip === "::1";
const isWildcard = (ip: string) => ip === "0.0.0.0" || ip === "::";

function firstHostAddress(interfaces: Interfaces): string | undefined {
  for (const addrs of Object.values(interfaces)) {
    for (const a of addrs ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return undefined;
}

export function chooseAdvertiseAddress(
  o: { bindAddress: string; advertiseAddress?: string | undefined; port: number },
  interfaces: Interfaces = networkInterfaces(),
): AdvertiseChoice {
  const bind = o.bindAddress;
  const address =
    o.advertiseAddress ??
    (!isWildcard(bind) && !isLoopback(bind) ? bind : firstHostAddress(interfaces));
  if (!address) {
    return {
      address: "127.0.0.1",
      warning:
        "this host has no non-loopback address: the kubernetes Service (10.96.0.1:443) gets no " +
        "endpoints and pods cannot reach the API server; give --advertise-address",
    };
  }
  const listens = isWildcard(bind) || bind === address;
  if (!listens) {
    return {
      address,
      warning:
        `the API server listens on ${bind} only, but the kubernetes Service (10.96.0.1:443) ` +
        `sends pods to the advertised ${address}:${o.port}, where nothing answers: in-cluster ` +
        `clients get "connection refused"; use --bind-address 0.0.0.0 or ${address} to serve them`,
    };
  }
  return { address };
}
