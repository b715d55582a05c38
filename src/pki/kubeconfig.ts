/**
 * A kubeconfig file with one cluster, one user and one context, credentials embedded as base64
 * (`certificate-authority-data`, `client-certificate-data`, `client-key-data`) or a bearer token.
 */
import { rename, rm, writeFile } from "node:fs/promises";
import { stringify } from "yaml";

export interface KubeconfigOptions {
  /** The API server URL, e.g. https://127.0.0.1:6443. */
  readonly server: string;
  readonly caPem: string;
  readonly clientCertPem?: string;
  readonly clientKeyPem?: string;
  /** A bearer token (a bootstrap or service-account token) instead of a client certificate. */
  readonly token?: string;
  /** Names of the entries; default "bosun" for the cluster and context, "admin" for the user. */
  readonly cluster?: string;
  readonly user?: string;
  readonly context?: string;
  /** Default namespace of the context. */
  readonly namespace?: string;
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

export function kubeconfigYAML(opts: KubeconfigOptions): string {
  const cluster = opts.cluster ?? "bosun";
  const user = opts.user ?? "admin";
  const context = opts.context ?? "bosun";
  if ((opts.clientCertPem === undefined) !== (opts.clientKeyPem === undefined)) {
    throw new Error("kubeconfig: clientCertPem and clientKeyPem go together");
  }
  const credentials: Record<string, string> = {};
  if (opts.clientCertPem !== undefined && opts.clientKeyPem !== undefined) {
    credentials["client-certificate-data"] = b64(opts.clientCertPem);
    credentials["client-key-data"] = b64(opts.clientKeyPem);
  }
  if (opts.token !== undefined) credentials.token = opts.token;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: cluster,
        cluster: { server: opts.server, "certificate-authority-data": b64(opts.caPem) },
      },
    ],
    users: [{ name: user, user: credentials }],
    contexts: [
      {
        name: context,
        context: { cluster, user, ...(opts.namespace ? { namespace: opts.namespace } : {}) },
      },
    ],
    "current-context": context,
    preferences: {},
  });
}

/** Writes the kubeconfig (mode 0600: it holds a private key or token), replacing any old file. */
export async function writeKubeconfig(path: string, opts: KubeconfigOptions): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await rm(tmp, { force: true });
  await writeFile(tmp, kubeconfigYAML(opts), { mode: 0o600 });
  await rename(tmp, path);
}
