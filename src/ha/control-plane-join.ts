/**
 * A new master fetching the join bundle: trust the cluster CA through token discovery (the
 * agent's: cluster-info signed with the token, the CA pinned by `--ca-cert-hash`), then ask the
 * master for the sealed bundle over TLS verified with that CA, authenticated by the token, and
 * open it with the token's secret.
 *
 * Without `--ca-cert-hash` the CA is taken from cluster-info once its JWS signature proves the
 * answering server knows the token (kubeadm's `--discovery-token-unsafe-skip-ca-verification`):
 * anyone holding the token could impersonate the cluster, so the printed join command always
 * carries the pin.
 */
import { request } from "node:https";
import { parse as parseYaml } from "yaml";
import { RestClient } from "../client/rest-client.ts";
import { caCertHash } from "../cluster-bootstrap/ca-hash.ts";
import type { BootstrapTokenString } from "../cluster-bootstrap/token.ts";
import { discoverCluster } from "../kubelet/bootstrap/discovery.ts";
import type { Logger } from "../machinery/log.ts";
import { isStatusError } from "../machinery/status.ts";
import {
  type JoinBundle,
  joinBundlePath,
  openJoinBundle,
  type SealedJoinBundle,
} from "./join-bundle.ts";

export interface FetchJoinBundleOptions {
  readonly server: string;
  readonly token: BootstrapTokenString;
  /** Lower-case hex pins; empty: trust the CA that cluster-info's signature vouches for. */
  readonly caCertHashes: readonly string[];
  readonly log: Logger;
  readonly timeoutMs?: number;
}

/** The CA in cluster-info, read without verifying TLS (only to compute its pin). */
function unverifiedClusterCA(server: string): Promise<string> {
  const url = new URL(server);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port || 443,
        path: "/api/v1/namespaces/kube-public/configmaps/cluster-info",
        headers: { Accept: "application/json" },
        rejectUnauthorized: false,
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () => {
          try {
            if (res.statusCode !== 200) throw new Error(`cluster-info: HTTP ${res.statusCode}`);
            const cm = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
              data?: Record<string, string>;
            };
            const doc = parseYaml(cm.data?.kubeconfig ?? "") as {
              clusters?: { cluster?: Record<string, string> }[];
            } | null;
            const ca = doc?.clusters?.[0]?.cluster?.["certificate-authority-data"];
            if (!ca) throw new Error("cluster-info holds no CA");
            resolve(Buffer.from(ca, "base64").toString("utf8"));
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("cluster-info: timed out")));
    req.on("error", reject);
    req.end();
  });
}

export async function fetchJoinBundle(o: FetchJoinBundleOptions): Promise<JoinBundle> {
  let pins = o.caCertHashes;
  if (pins.length === 0) {
    const ca = await unverifiedClusterCA(o.server);
    pins = [caCertHash(ca).slice("sha256:".length)];
    o.log.warn(
      "no --ca-cert-hash given: trusting the cluster CA because cluster-info is signed with the token",
      { pin: `sha256:${pins[0]}` },
    );
  }
  const cluster = await discoverCluster({
    server: o.server,
    token: o.token,
    caCertHashes: pins,
    log: o.log,
    timeoutMs: o.timeoutMs ?? 120_000,
    retryMs: 1000,
  });
  const client = new RestClient({
    server: cluster.server,
    caPem: cluster.caPem,
    token: `${o.token.id}.${o.token.secret}`,
    userAgent: "bosun-server/control-plane-join",
  });
  try {
    let sealed: SealedJoinBundle;
    try {
      sealed = await client.get<SealedJoinBundle>(joinBundlePath);
    } catch (err) {
      if (isStatusError(err, "Forbidden") || isStatusError(err, "NotFound")) {
        throw new Error(
          `${cluster.server} refused the control-plane join bundle: the token must be a control-plane token ("bosun token create --control-plane") and that master must run a managed etcd (started with --cluster-init or joined)`,
          { cause: err },
        );
      }
      throw err;
    }
    const bundle = openJoinBundle(sealed, o.token);
    o.log.info("received the control-plane join bundle", {
      server: cluster.server,
      etcd: bundle.etcdEndpoints.join(","),
    });
    return bundle;
  } finally {
    client.close();
  }
}
