/**
 * A node's credentials on disk: `<data-dir>/agent/kubelet.kubeconfig`, with the API server, the
 * cluster CA and the node's client certificate and key embedded (mode 0600). On start the agent
 * reuses it while the certificate is for this node, matches its key and has not expired, so a
 * restart does not need the (by then perhaps expired) bootstrap token.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { type ClientConfig, configFromKubeconfig } from "../../client/rest-client.ts";
import { writeKubeconfig } from "../../pki/kubeconfig.ts";
import type { NodeCertificate } from "./tls-bootstrap.ts";

export const kubeletKubeconfigPath = (dataDir: string): string =>
  join(dataDir, "agent", "kubelet.kubeconfig");

export interface NodeCredentials extends NodeCertificate {
  readonly server: string;
  readonly caPem: string;
}

/** Why stored credentials cannot be used, or undefined when they can. */
export function credentialsProblem(
  config: ClientConfig,
  nodeName: string,
  now: number,
): string | undefined {
  if (!config.certPem || !config.keyPem) return "it holds no client certificate";
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(config.certPem);
    const pub = createPublicKey(createPrivateKey(config.keyPem));
    if (!cert.publicKey.equals(pub)) return "its key does not match its certificate";
  } catch (err) {
    return `its certificate or key cannot be read: ${(err as Error).message}`;
  }
  if (!cert.verify(new X509Certificate(config.caPem).publicKey)) {
    return "its certificate is not signed by its cluster CA";
  }
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
  if (cn !== `system:node:${nodeName}`) return `its certificate is for "${cn}", not this node`;
  if (Date.parse(cert.validTo) <= now) return `its certificate expired at ${cert.validTo}`;
  return undefined;
}

/** Stored credentials of `nodeName`, or the reason there are none usable. */
export function loadNodeCredentials(
  path: string,
  nodeName: string,
  now: number,
): { config: ClientConfig } | { problem: string } {
  if (!existsSync(path)) return { problem: `${path} does not exist` };
  let config: ClientConfig;
  try {
    config = configFromKubeconfig(path, "bosun-agent");
  } catch (err) {
    return { problem: `${path} cannot be read: ${(err as Error).message}` };
  }
  const problem = credentialsProblem(config, nodeName, now);
  return problem ? { problem: `${path}: ${problem}` } : { config };
}

export async function saveNodeCredentials(path: string, c: NodeCredentials): Promise<void> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  await writeKubeconfig(path, {
    server: c.server,
    caPem: c.caPem,
    clientCertPem: c.certPem,
    clientKeyPem: c.keyPem,
    cluster: "bosun",
    user: "kubelet",
    context: "kubelet",
  });
}
