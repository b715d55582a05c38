/**
 * Joining a cluster as a node (the kubelet's TLS bootstrap behind `bosun agent --server --token
 * --ca-cert-hash`): reuse the stored client certificate if it is still good; otherwise discover
 * and trust the cluster CA with the token (`discovery.ts`), request a `system:node:<name>`
 * certificate authenticated by the token (`tls-bootstrap.ts`), and store it. From then on the
 * node uses that identity, and a CertificateManager renews it before it expires.
 */
import { RestClient } from "../../client/rest-client.ts";
import type { BootstrapTokenString } from "../../cluster-bootstrap/token.ts";
import { type Clock, realClock } from "../../machinery/clock.ts";
import type { Logger } from "../../machinery/log.ts";
import { CertificateManager } from "./certificate-manager.ts";
import { type DiscoveredCluster, discoverCluster } from "./discovery.ts";
import {
  loadNodeCredentials,
  type NodeCredentials,
  saveNodeCredentials,
} from "./node-credentials.ts";
import { requestNodeCertificate } from "./tls-bootstrap.ts";

/** What a node joins with when it has no usable certificate. */
export interface JoinToken {
  readonly server: string;
  readonly token: BootstrapTokenString;
  readonly caCertHashes: readonly string[];
}

export interface JoinOptions {
  readonly nodeName: string;
  /** Where the node's kubeconfig lives (`node-credentials.ts`). */
  readonly kubeconfigPath: string;
  readonly join?: JoinToken;
  readonly log: Logger;
  readonly clock?: Clock;
  readonly discoveryTimeoutMs?: number;
  readonly discoveryRetryMs?: number;
  readonly certificateTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** The cluster, when the caller discovered it already (many nodes share one discovery). */
  readonly cluster?: DiscoveredCluster;
  /** A client authenticated by the token, shared the same way. */
  readonly bootstrapClient?: RestClient;
}

export interface JoinedNode {
  /** Authenticated as `system:node:<name>`; its certificate follows rotations. */
  readonly client: RestClient;
  readonly certificates: CertificateManager;
  /** True when a certificate was requested with the token (false: the stored one was used). */
  readonly bootstrapped: boolean;
}

/** Fails for a node that has neither a usable certificate nor a token to get one. */
export class JoinError extends Error {
  override readonly name = "JoinError";
}

export function discover(
  j: JoinToken,
  o: Pick<JoinOptions, "log" | "clock" | "discoveryTimeoutMs" | "discoveryRetryMs">,
) {
  return discoverCluster({
    server: j.server,
    token: j.token,
    caCertHashes: j.caCertHashes,
    log: o.log,
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.discoveryTimeoutMs ? { timeoutMs: o.discoveryTimeoutMs } : {}),
    ...(o.discoveryRetryMs ? { retryMs: o.discoveryRetryMs } : {}),
  });
}

export function tokenClient(cluster: DiscoveredCluster, token: BootstrapTokenString): RestClient {
  return new RestClient({
    server: cluster.server,
    caPem: cluster.caPem,
    token: `${token.id}.${token.secret}`,
    userAgent: "bosun-agent/tls-bootstrap",
  });
}

async function bootstrap(o: JoinOptions, j: JoinToken): Promise<NodeCredentials> {
  const cluster = o.cluster ?? (await discover(j, o));
  const client = o.bootstrapClient ?? tokenClient(cluster, j.token);
  try {
    const cert = await requestNodeCertificate({
      client,
      nodeName: o.nodeName,
      generateName: "node-csr-",
      ...(o.certificateTimeoutMs ? { timeoutMs: o.certificateTimeoutMs } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      onWaiting: (csr) =>
        o.log.info("waiting for the certificate signing request to be approved and issued", {
          csr,
          node: o.nodeName,
        }),
    });
    const creds = { ...cert, server: cluster.server, caPem: cluster.caPem };
    await saveNodeCredentials(o.kubeconfigPath, creds);
    return creds;
  } finally {
    if (!o.bootstrapClient) client.close();
  }
}

/** Joins (or re-joins with stored credentials) and starts certificate rotation. */
export async function joinCluster(o: JoinOptions): Promise<JoinedNode> {
  const clock = o.clock ?? realClock;
  const stored = loadNodeCredentials(o.kubeconfigPath, o.nodeName, clock.now());
  let creds: NodeCredentials;
  let bootstrapped = false;
  if ("config" in stored) {
    const c = stored.config;
    creds = { server: c.server, caPem: c.caPem, certPem: c.certPem ?? "", keyPem: c.keyPem ?? "" };
    o.log.info("using the stored client certificate", { kubeconfig: o.kubeconfigPath });
  } else if (o.join) {
    o.log.info("no usable client certificate; joining with the bootstrap token", {
      reason: stored.problem,
      token: o.join.token.id,
    });
    creds = await bootstrap(o, o.join);
    bootstrapped = true;
  } else {
    throw new JoinError(
      `no usable client certificate (${stored.problem}); --server, --token and --ca-cert-hash are needed to join`,
    );
  }
  const client = new RestClient({
    server: creds.server,
    caPem: creds.caPem,
    certPem: creds.certPem,
    keyPem: creds.keyPem,
    userAgent: "bosun-agent",
  });
  const certificates = new CertificateManager({
    clock,
    log: o.log,
    current: creds,
    rotate: () =>
      requestNodeCertificate({
        client,
        nodeName: o.nodeName,
        ...(o.certificateTimeoutMs ? { timeoutMs: o.certificateTimeoutMs } : {}),
      }),
    onRotated: async (next) => {
      await saveNodeCredentials(o.kubeconfigPath, { ...creds, ...next });
      client.setClientCertificate(next.certPem, next.keyPem);
    },
  });
  certificates.start();
  return { client, certificates, bootstrapped };
}
