/**
 * Objects every cluster has from its first start: the namespaces default, kube-system,
 * kube-public and kube-node-lease, the system-node-critical and system-cluster-critical
 * PriorityClasses, the default StorageClass `local-path` (Bosun's built-in local-path
 * provisioner, as k3s ships one), the default IngressClass `bosun` (the built-in ingress
 * controller), the `kube-dns` Service (10.96.0.10, endpoints kept by the kube-dns endpoints
 * controller, ADR 14), and the `kubernetes` Service (10.96.0.1:443), whose Endpoints the lease
 * endpoint reconciler keeps (endpoint-reconciler.ts). Existing ones are left alone or brought up to date, so restarts are cheap.
 */

import { systemPriorityClasses } from "../api/kinds/policy/priority-class.ts";
import type { KubeObject } from "../api/object.ts";
import { localPathStorageClass } from "../api/storage/local-path.ts";
import type { Logger } from "../machinery/log.ts";
import { isStatusError } from "../machinery/status.ts";
import { apiserverUser } from "./authn/user.ts";
import type { Catalog } from "./catalog.ts";
import { defaultServiceRanges, nthAddress } from "./registry/service-allocator.ts";

export const systemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

const ctx = () => ({ user: apiserverUser, dryRun: false, warnings: [] as string[] });

async function ensure(
  catalog: Catalog,
  resource: string,
  obj: KubeObject,
  log: Logger,
  groupVersion: readonly [string, string] = ["", "v1"],
) {
  const registry = catalog.lookup(groupVersion[0], groupVersion[1], resource);
  if (!registry) return;
  const exists = await registry.get(obj.metadata?.namespace ?? "", obj.metadata?.name ?? "").then(
    () => true,
    (err: unknown) => {
      if (isStatusError(err, "NotFound")) return false;
      throw err;
    },
  );
  if (exists) return;
  try {
    await registry.create(obj.metadata?.namespace ?? "", obj, ctx());
    log.info("created", { resource, name: obj.metadata?.name });
  } catch (err) {
    if (!isStatusError(err, "AlreadyExists")) throw err;
  }
}

export interface BootstrapOptions {
  readonly advertiseAddress: string;
  readonly port: number;
  /** The cluster CA, published in kube-public/cluster-info for joining nodes. */
  readonly caCertPem: string;
}

/** The kubeconfig joining nodes read from kube-public/cluster-info (no credentials in it). */
export function clusterInfoKubeconfig(server: string, caCertPem: string): string {
  const ca = Buffer.from(caCertPem).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- cluster:",
    `    certificate-authority-data: ${ca}`,
    `    server: ${server}`,
    '  name: ""',
    "contexts: null",
    'current-context: ""',
    "preferences: {}",
    "users: null",
    "",
  ].join("\n");
}

export async function bootstrapObjects(catalog: Catalog, log: Logger, options: BootstrapOptions) {
  for (const name of systemNamespaces) {
    await ensure(
      catalog,
      "namespaces",
      { apiVersion: "v1", kind: "Namespace", metadata: { name } },
      log,
    );
  }
  for (const pc of systemPriorityClasses) {
    await ensure(
      catalog,
      "priorityclasses",
      {
        apiVersion: "scheduling.k8s.io/v1",
        kind: "PriorityClass",
        metadata: { name: pc.name },
        value: pc.value,
        globalDefault: pc.globalDefault,
        description: pc.description,
      },
      log,
      ["scheduling.k8s.io", "v1"],
    );
  }
  await ensure(catalog, "storageclasses", { ...localPathStorageClass() }, log, [
    "storage.k8s.io",
    "v1",
  ]);
  const host = options.advertiseAddress.includes(":")
    ? `[${options.advertiseAddress}]`
    : options.advertiseAddress;
  await ensureClusterInfo(
    catalog,
    clusterInfoKubeconfig(`https://${host}:${options.port}`, options.caCertPem),
  );
  await ensureClusterAddons(catalog, log);
  const meta = {
    name: "kubernetes",
    namespace: "default",
    labels: { component: "apiserver", provider: "kubernetes" },
  };
  await ensure(
    catalog,
    "services",
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta,
      spec: {
        type: "ClusterIP",
        clusterIP: nthAddress(defaultServiceRanges.serviceCIDR, 1),
        ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: options.port }],
        sessionAffinity: "None",
      },
    },
    log,
  );
  // The Endpoints are the lease endpoint reconciler's (endpoint-reconciler.ts).
}

/**
 * Creates or refreshes kube-public/cluster-info's kubeconfig (signatures are the signer's). Other
 * masters and the bootstrap signer write it too, so the update is unconditional: the registry
 * retries it on a write conflict, and a create that loses a race becomes an update.
 */
export async function ensureClusterInfo(catalog: Catalog, kubeconfig: string): Promise<void> {
  const configmaps = catalog.lookup("", "v1", "configmaps");
  if (!configmaps) return;
  await configmaps.update(
    "kube-public",
    "cluster-info",
    (current) => {
      const data = { ...((current?.data as Record<string, string> | undefined) ?? {}), kubeconfig };
      if (!current) {
        const metadata = { name: "cluster-info", namespace: "kube-public" };
        return { apiVersion: "v1", kind: "ConfigMap", metadata, data };
      }
      const { resourceVersion: _, ...metadata } = current.metadata ?? {};
      return { ...current, metadata, data };
    },
    ctx(),
    { createIfMissing: true },
  );
}

/** The cluster DNS Service and the built-in ingress controller's IngressClass. */
async function ensureClusterAddons(catalog: Catalog, log: Logger): Promise<void> {
  await ensure(
    catalog,
    "services",
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: "kube-dns",
        namespace: "kube-system",
        labels: { "k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true" },
      },
      spec: {
        type: "ClusterIP",
        clusterIP: nthAddress(defaultServiceRanges.serviceCIDR, 10),
        ports: [
          { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
          { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
        ],
        sessionAffinity: "None",
      },
    },
    log,
  );
  await ensure(
    catalog,
    "ingressclasses",
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "IngressClass",
      metadata: {
        name: "bosun",
        annotations: { "ingressclass.kubernetes.io/is-default-class": "true" },
      },
      spec: { controller: "bosun.dev/ingress" },
    },
    log,
    ["networking.k8s.io", "v1"],
  );
}
