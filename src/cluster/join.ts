/**
 * The API side of `create`: the host's kubeconfig (the master's admin credentials, its server
 * address on the LAN), waiting for `/readyz`, the bootstrap token the agents join with (created
 * as `bosun token create` would, then waited on until the bootstrap signer has signed
 * kube-public/cluster-info with it), the join file the node inits wait for, and waiting until
 * every node is Ready.
 */
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import type { ConfigMap, Node } from "../api/generated/types.ts";
import { controlPlaneLabels } from "../api/kinds/core/node.ts";
import { resourcePath, resources } from "../client/resources.ts";
import { configFromKubeconfig, RestClient } from "../client/rest-client.ts";
import { caCertHash } from "../cluster-bootstrap/ca-hash.ts";
import {
  clusterInfoName,
  clusterInfoNamespace,
  generateBootstrapToken,
  jwsSignatureKeyPrefix,
  parseBootstrapToken,
} from "../cluster-bootstrap/token.ts";
import { bootstrapTokenSecret } from "../cluster-bootstrap/token-secret.ts";
import { controlPlaneTokenGroup } from "../ha/join-bundle.ts";
import { shellQuote } from "../machinery/exec.ts";
import { writeKubeconfig } from "../pki/kubeconfig.ts";
import {
  type ClusterSpec,
  clusterFiles,
  hostServerURL,
  masterOf,
  mastersOf,
  nodeFiles,
  serverURL,
} from "./spec.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a value, failing with `what` after the deadline. */
export async function until<T>(
  what: string,
  deadline: number,
  fn: () => Promise<T | undefined> | T | undefined,
  everyMs = 50,
): Promise<T> {
  for (;;) {
    const value = await Promise.resolve()
      .then(fn)
      .catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Writes `<cluster>/kubeconfig` from the master's admin kubeconfig once the server wrote it. */
export async function writeHostKubeconfig(spec: ClusterSpec, deadline: number): Promise<string> {
  const admin = `${nodeFiles(masterOf(spec)).data}/admin.kubeconfig`;
  const config = await until("the server's admin kubeconfig", deadline, () =>
    existsSync(admin) ? configFromKubeconfig(admin) : undefined,
  );
  const path = clusterFiles(spec.dir).kubeconfig;
  await writeKubeconfig(path, {
    // With several masters, the supervisor's load balancer on the host.
    server: hostServerURL(spec),
    caPem: config.caPem,
    ...(config.certPem && config.keyPem
      ? { clientCertPem: config.certPem, clientKeyPem: config.keyPem }
      : {}),
    cluster: `bosun-${spec.name}`,
    user: `bosun-${spec.name}-admin`,
    context: `bosun-${spec.name}`,
  });
  return path;
}

function readyz(server: string, caPem: string): Promise<boolean> {
  return new Promise((resolve) => {
    const url = new URL("/readyz", server);
    const req = request(url, { ca: caPem, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once("error", () => resolve(false));
    req.once("timeout", () => req.destroy());
    req.end();
  });
}

export async function waitForServer(kubeconfig: string, deadline: number): Promise<RestClient> {
  const config = configFromKubeconfig(kubeconfig, "bosun-cluster");
  await until(`the API server at ${config.server}`, deadline, async () =>
    (await readyz(config.server, config.caPem)) ? true : undefined,
  );
  return new RestClient(config);
}

/** Creates a join token, waits until cluster-info is signed with it, and writes the join file. */
export async function publishJoinToken(
  client: RestClient,
  spec: ClusterSpec,
  o: { groups: readonly string[]; deadline: number },
): Promise<void> {
  const create = async (description: string, groups: readonly string[]) => {
    const token = generateBootstrapToken();
    const { id, secret } = parseBootstrapToken(token)!;
    await client.create(
      resourcePath(resources.secrets, "kube-system"),
      bootstrapTokenSecret({
        id,
        secret,
        description,
        ttlMs: 24 * 3600_000,
        usages: ["signing", "authentication"],
        groups,
        now: Date.now(),
      }),
    );
    const path = resourcePath(resources.configmaps, clusterInfoNamespace, clusterInfoName);
    await until("the cluster-info signature of the join token", o.deadline, async () => {
      const cm = await client.get<ConfigMap>(path);
      return cm.data?.[`${jwsSignatureKeyPrefix}${id}`] ? true : undefined;
    });
    return token;
  };
  const token = await create(`bosun cluster ${spec.name}: nodes join with it`, o.groups);
  // Further masters join with a control-plane token of their own.
  const serverToken =
    mastersOf(spec).length > 1
      ? await create(`bosun cluster ${spec.name}: masters join with it`, [
          ...o.groups,
          controlPlaneTokenGroup,
        ])
      : undefined;
  const env = {
    BOSUN_JOIN_SERVER: serverURL(spec),
    BOSUN_JOIN_TOKEN: token,
    BOSUN_JOIN_CA_CERT_HASH: caCertHash(client.config.caPem),
    ...(serverToken ? { BOSUN_SERVER_JOIN_TOKEN: serverToken } : {}),
  };
  const text = Object.entries(env)
    .map(([k, v]) => `${k}=${shellQuote(v)}\n`)
    .join("");
  // Written whole and renamed into place: the node inits start their agents once it exists.
  const tmp = `${clusterFiles(spec.dir).join}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, clusterFiles(spec.dir).join);
}

export const isReady = (node: Node): boolean =>
  node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

/** Waits until every node of the cluster is Ready, reporting each as it becomes so. */
export async function waitForReadyNodes(
  client: RestClient,
  spec: ClusterSpec,
  o: { deadline: number; onReady: (name: string) => void },
): Promise<void> {
  const seen = new Set<string>();
  await until(
    `nodes ${spec.nodes.map((n) => n.name).join(", ")} to be Ready`,
    o.deadline,
    async () => {
      const list = await client.get<{ items: Node[] }>(resourcePath(resources.nodes));
      for (const node of list.items) {
        const name = node.metadata?.name ?? "";
        if (isReady(node) && !seen.has(name) && spec.nodes.some((n) => n.name === name)) {
          seen.add(name);
          o.onReady(name);
        }
      }
      return seen.size === spec.nodes.length ? true : undefined;
    },
    100,
  );
}

/**
 * Labels masters as k3s does (kubectl's ROLES column): a node may not label itself so. Each
 * master's server labels its own node too; this makes `cluster create` return with it done.
 */
export async function labelMasters(client: RestClient, spec: ClusterSpec): Promise<void> {
  for (const node of spec.nodes.filter((n) => n.role === "master")) {
    await client.patch(resourcePath(resources.nodes, "", node.name), "merge", {
      metadata: { labels: controlPlaneLabels },
    });
  }
}
