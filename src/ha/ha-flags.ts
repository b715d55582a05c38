/**
 * The `bosun server` flags of several masters, checked before anything is written:
 *
 *   --cluster-init                    first master: a managed etcd member instead of SQLite
 *   --server URL --token T            a further master joins (optionally --ca-cert-hash sha256:H)
 *   --leave                           remove this data dir's etcd member, then exit
 *   --etcd-client-port N (2379)  --etcd-peer-port N (2380)
 *
 * The member advertises the server's `--advertise-address` (parsed with the server's flags).
 *
 * Errors are one line for the person at the terminal (the CLI turns them into usage errors).
 */
import { parseCACertHash } from "../cluster-bootstrap/ca-hash.ts";
import { type BootstrapTokenString, parseBootstrapToken } from "../cluster-bootstrap/token.ts";

export class HaFlagError extends Error {
  override readonly name = "HaFlagError";
}

export type HaMode =
  | { readonly kind: "none" }
  | { readonly kind: "init" }
  | {
      readonly kind: "join";
      readonly server: string;
      readonly token: BootstrapTokenString;
      readonly caCertHashes: readonly string[];
    }
  | { readonly kind: "leave" };

export interface HaFlags {
  readonly mode: HaMode;
  /** Undefined when not given: a restarted member keeps its recorded ports, a new one 2379. */
  readonly etcdClientPort: number | undefined;
  /** Undefined when not given: the recorded port, or 2380. */
  readonly etcdPeerPort: number | undefined;
}

export const haFlagOptions = {
  "cluster-init": { type: "boolean", default: false },
  server: { type: "string" },
  token: { type: "string" },
  "ca-cert-hash": { type: "string" },
  leave: { type: "boolean", default: false },
  "etcd-client-port": { type: "string" },
  "etcd-peer-port": { type: "string" },
} as const;

export const haUsage = `Several masters (managed etcd):
  --cluster-init              first master of an HA cluster: run a managed etcd member
  --server URL                join the cluster of this master (https://host:port) as a master
  --token TOKEN               control-plane bootstrap token ("bosun token create --control-plane")
  --ca-cert-hash sha256:H     pin of the cluster CA (printed by --print-join-command)
  --leave                     remove this data dir's etcd member from its cluster and exit
  --etcd-client-port PORT     etcd client port (default 2379; a restarted member keeps its own)
  --etcd-peer-port PORT       etcd peer port (default 2380; likewise)`;

type Values = Record<string, string | boolean | string[] | undefined>;

function port(values: Values, flag: string): number | undefined {
  if (values[flag] === undefined) return undefined;
  const n = Number(values[flag]);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new HaFlagError(`--${flag} must be a port number (1-65535), not "${values[flag]}"`);
  }
  return n;
}

export interface HaContext {
  readonly datastore: string;
  readonly datastoreEndpoint: string | undefined;
  readonly httpsPort: number;
}

function joinMode(values: Values): HaMode {
  const server = String(values.server);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new HaFlagError(`--server must be a URL like https://10.0.0.1:6443, not "${server}"`);
  }
  if (url.protocol !== "https:") throw new HaFlagError(`--server must use https, not "${server}"`);
  if (values.token === undefined) throw new HaFlagError("--server needs --token to join");
  const token = parseBootstrapToken(String(values.token));
  if (!token) {
    throw new HaFlagError(
      `the bootstrap token "${values.token}" was not of the form "\\A([a-z0-9]{6})\\.([a-z0-9]{16})\\z"`,
    );
  }
  const pins: string[] = [];
  if (values["ca-cert-hash"] !== undefined) {
    const pin = parseCACertHash(String(values["ca-cert-hash"]));
    if ("error" in pin) {
      throw new HaFlagError(`invalid discovery token CA certificate hash: ${pin.error}`);
    }
    pins.push(pin.hex);
  }
  return { kind: "join", server: url.origin, token, caCertHashes: pins };
}

export function parseHaFlags(values: Values, ctx: HaContext): HaFlags {
  const init = values["cluster-init"] === true;
  const leave = values.leave === true;
  const joining = values.server !== undefined;
  const chosen = [init && "--cluster-init", joining && "--server", leave && "--leave"].filter(
    (f): f is string => typeof f === "string",
  );
  if (chosen.length > 1) throw new HaFlagError(`${chosen[0]} cannot be combined with ${chosen[1]}`);
  if (!joining && values.token !== undefined)
    throw new HaFlagError("--token is only used with --server");
  if (!joining && values["ca-cert-hash"] !== undefined) {
    throw new HaFlagError("--ca-cert-hash is only used with --server");
  }
  const managed = init || joining;
  if (managed && (ctx.datastore !== "sqlite" || ctx.datastoreEndpoint !== undefined)) {
    throw new HaFlagError(
      `${chosen[0]} runs a managed etcd member; it cannot be combined with --datastore etcd or --datastore-endpoint`,
    );
  }
  const etcdClientPort = port(values, "etcd-client-port");
  const etcdPeerPort = port(values, "etcd-peer-port");
  const taken = new Map([[ctx.httpsPort, "--https-port"]]);
  for (const [p, flag] of [
    [etcdClientPort ?? 2379, "--etcd-client-port"],
    [etcdPeerPort ?? 2380, "--etcd-peer-port"],
  ] as const) {
    if (taken.has(p)) throw new HaFlagError(`${flag} ${p} is already used by ${taken.get(p)}`);
    taken.set(p, flag);
  }
  const mode: HaMode = init
    ? { kind: "init" }
    : joining
      ? joinMode(values)
      : leave
        ? { kind: "leave" }
        : { kind: "none" };
  return { mode, etcdClientPort, etcdPeerPort };
}
