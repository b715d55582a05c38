/**
 * Token discovery, as kubeadm's `discovery/token`: a joining node fetches the public
 * `kube-public/cluster-info` ConfigMap without trusting the server yet, checks that the entry
 * `jws-kubeconfig-<token-id>` is the detached JWS its token makes over the kubeconfig (the server
 * knows the token), checks that the CA in that kubeconfig has a pinned public key
 * (`--ca-cert-hash`), then fetches the ConfigMap again over TLS verified with that CA and
 * requires the same kubeconfig. The result is a CA the node can trust.
 *
 * kubeadm waits for the signature (the signer adds it shortly after a token is created) until a
 * timeout. Bosun also asks, over the now-verified TLS, whether the token authenticates at all, so
 * a deleted or expired token fails at once with a clear message instead of at the timeout.
 */
import { request } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import { parse as parseYaml } from "yaml";
import type { ConfigMap } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { RestClient } from "../../client/rest-client.ts";
import { checkPinned } from "../../cluster-bootstrap/ca-hash.ts";
import { detachedTokenIsValid } from "../../cluster-bootstrap/jws.ts";
import {
  type BootstrapTokenString,
  clusterInfoName,
  clusterInfoNamespace,
  jwsSignatureKeyPrefix,
  kubeConfigKey,
} from "../../cluster-bootstrap/token.ts";
import { type Clock, realClock } from "../../machinery/clock.ts";
import { type Logger, silentLogger } from "../../machinery/log.ts";
import { isStatusError } from "../../machinery/status.ts";

/** Why discovery gave up: the message is for the person running the join. */
export class DiscoveryError extends Error {
  override readonly name = "DiscoveryError";
}

export interface DiscoveryOptions {
  /** https://host:port, as given to the agent. */
  readonly server: string;
  readonly token: BootstrapTokenString;
  /** Lower-case hex SHA-256 pins of acceptable CA public keys. */
  readonly caCertHashes: readonly string[];
  /** kubeadm's discovery timeout is 5 minutes. */
  readonly timeoutMs?: number;
  readonly retryMs?: number;
  readonly clock?: Clock;
  readonly log?: Logger;
}

export interface DiscoveredCluster {
  readonly server: string;
  readonly caPem: string;
}

const clusterInfoPath = resourcePath(resources.configmaps, clusterInfoNamespace, clusterInfoName);

/** GET cluster-info over TLS that is not verified (the first, untrusted, look). */
function insecureClusterInfo(server: string): Promise<ConfigMap> {
  const url = new URL(server);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port || 443,
        path: clusterInfoPath,
        headers: { Accept: "application/json", "User-Agent": "bosun-agent/discovery" },
        rejectUnauthorized: false,
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode === 200) {
            try {
              resolve(JSON.parse(text) as ConfigMap);
            } catch (err) {
              reject(new Error("cluster-info is not JSON", { cause: err }));
            }
          } else reject(new Error(`GET ${clusterInfoPath}: HTTP ${res.statusCode}`));
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`GET ${clusterInfoPath}: timed out`)));
    req.on("error", reject);
    req.end();
  });
}

/** The CA certificates (PEM) of the kubeconfig's first cluster. */
function caFromKubeconfig(text: string): string {
  let doc: { clusters?: { cluster?: Record<string, string> }[] } | null;
  try {
    doc = parseYaml(text) as typeof doc;
  } catch (err) {
    throw new DiscoveryError(
      `couldn't parse the kubeconfig file in the ${clusterInfoName} ConfigMap: ${(err as Error).message}`,
    );
  }
  const data = doc?.clusters?.[0]?.cluster?.["certificate-authority-data"];
  if (!data) {
    throw new DiscoveryError(
      `malformed kubeconfig in the ${clusterInfoName} ConfigMap: no certificate-authority-data`,
    );
  }
  return Buffer.from(data, "base64").toString("utf8");
}

/** Does the token authenticate? Asked over TLS verified with the pinned CA only. */
async function tokenAuthenticates(server: string, caPem: string, token: string): Promise<boolean> {
  const client = new RestClient({ server, caPem, token, userAgent: "bosun-agent/discovery" });
  try {
    await client.create("/apis/authentication.k8s.io/v1/selfsubjectreviews", {
      apiVersion: "authentication.k8s.io/v1",
      kind: "SelfSubjectReview",
    });
    return true;
  } catch (err) {
    if (isStatusError(err, "Unauthorized")) return false;
    return true; // anything else says nothing about the token; keep waiting for the signature
  } finally {
    client.close();
  }
}

const invalidToken = (id: string) =>
  new DiscoveryError(
    `token id "${id}" is invalid for this cluster or it has expired. Use "bosun token create" on the control-plane node to create a new valid token`,
  );

/** `RetrieveValidatedConfigInfo` with CA pinning required. */
export async function discoverCluster(o: DiscoveryOptions): Promise<DiscoveredCluster> {
  const clock = o.clock ?? realClock;
  const log = o.log ?? silentLogger;
  const deadline = clock.now() + (o.timeoutMs ?? 300_000);
  // A real (ref'd) timer: nothing else keeps an agent process alive while it waits.
  const retry = () => sleep(o.retryMs ?? 5_000);
  let lastError = "";
  for (;;) {
    let cm: ConfigMap | undefined;
    try {
      cm = await insecureClusterInfo(o.server);
    } catch (err) {
      lastError = `failed to request the cluster-info ConfigMap: ${(err as Error).message}`;
    }
    if (cm) {
      const content = cm.data?.[kubeConfigKey];
      if (!content) {
        throw new DiscoveryError(
          `there is no ${kubeConfigKey} key in the ${clusterInfoName} ConfigMap. This API Server isn't set up for token bootstrapping, can't connect`,
        );
      }
      const caPem = caFromKubeconfig(content);
      const pinError = checkPinned(o.caCertHashes, caPem);
      if (pinError) {
        throw new DiscoveryError(
          `cluster CA found in ${clusterInfoName} ConfigMap is invalid: ${pinError}`,
        );
      }
      const signature = cm.data?.[`${jwsSignatureKeyPrefix}${o.token.id}`];
      if (signature) {
        if (!detachedTokenIsValid(signature, content, o.token.id, o.token.secret)) {
          throw new DiscoveryError(
            "failed to verify JWS signature of received cluster info object, can't trust this API Server",
          );
        }
        await verifySecondFetch(o.server, caPem, content);
        log.info("cluster info signature and contents are valid; CA matches the pinned key", {
          server: o.server,
        });
        return { server: o.server, caPem };
      }
      if (!(await tokenAuthenticates(o.server, caPem, `${o.token.id}.${o.token.secret}`))) {
        throw invalidToken(o.token.id);
      }
      lastError = `could not find a JWS signature in the cluster-info ConfigMap for token ID "${o.token.id}"`;
    }
    if (clock.now() >= deadline) throw new DiscoveryError(lastError || "discovery timed out");
    log.info("waiting for the cluster-info ConfigMap to receive a JWS signature; retrying", {
      token: o.token.id,
      reason: lastError,
    });
    await retry();
  }
}

/** Requests cluster-info again over TLS verified with the pinned CA; it must not differ. */
async function verifySecondFetch(server: string, caPem: string, content: string): Promise<void> {
  const client = new RestClient({ server, caPem, userAgent: "bosun-agent/discovery" });
  try {
    const cm = await client.get<ConfigMap>(clusterInfoPath);
    if (cm.data?.[kubeConfigKey] !== content) {
      throw new DiscoveryError(
        `the second kubeconfig from the ${clusterInfoName} ConfigMap (using validated TLS) was different from the first`,
      );
    }
  } catch (err) {
    if (err instanceof DiscoveryError) throw err;
    throw new DiscoveryError(
      `failed to request the cluster-info ConfigMap with the pinned CA: ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    client.close();
  }
}
