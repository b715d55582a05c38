/**
 * The root CA certificate publisher (upstream `pkg/controller/certificates/rootcacertpublisher`):
 * a ConfigMap `kube-root-ca.crt` with the cluster CA under `ca.crt` in every namespace, so pods
 * can verify the API server; restored when it is changed or deleted.
 */
import { isDeepStrictEqual } from "node:util";
import type {
  ConfigMap as ConfigMapType,
  Namespace as NamespaceType,
} from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { runWorkers } from "../../client/controller.ts";
import type { Informer } from "../../client/informer.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { isStatusError } from "../../machinery/status.ts";
import { isNamespaceTerminating } from "../common/pod-control.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";

type ConfigMap = ConfigMapType & KubeObject;
type Namespace = NamespaceType & KubeObject;

export const rootCACertConfigMapName = "kube-root-ca.crt";
export const descriptionAnnotation = "kubernetes.io/description";
export const description =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal " +
  "endpoints such as the internal service IP or kubernetes.default.svc. " +
  "No other usage is guaranteed across distributions of Kubernetes clusters.";

export class RootCAPublisher implements Controller {
  readonly name = "root-ca-certificate-publisher-controller";
  readonly #ctx: ControllerContext;
  readonly #queue = new WorkQueue<string>();
  readonly #namespaces: Informer<Namespace>;
  readonly #configMaps: Informer<ConfigMap>;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#namespaces = ctx.informers.informer<Namespace>(resources.namespaces);
    this.#configMaps = ctx.informers.informer<ConfigMap>(resources.configmaps);
    this.#namespaces.addHandlers({
      onAdd: (ns) => this.#queue.add(ns.metadata?.name ?? ""),
      onUpdate: (_, ns) => {
        if ((ns.status?.phase ?? "Active") === "Active") this.#queue.add(ns.metadata?.name ?? "");
      },
    });
    const cmChanged = (cm: ConfigMap) => {
      if (cm.metadata?.name === rootCACertConfigMapName) {
        this.#queue.add(cm.metadata.namespace ?? "");
      }
    };
    this.#configMaps.addHandlers({ onUpdate: (_, cm) => cmChanged(cm), onDelete: cmChanged });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.#namespaces.synced(), this.#configMaps.synced()]);
    await runWorkers({
      queue: this.#queue,
      workers: 2,
      sync: (key) => this.syncNamespace(key),
      log: this.#ctx.log,
      signal,
    });
  }

  async syncNamespace(ns: string): Promise<void> {
    const data = { "ca.crt": this.#ctx.settings.caCertPem };
    const cm = this.#configMaps.get(ns, rootCACertConfigMapName);
    const client = this.#ctx.client;
    if (!cm) {
      try {
        await client.create(resourcePath(resources.configmaps, ns), {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: {
            name: rootCACertConfigMapName,
            namespace: ns,
            annotations: { [descriptionAnnotation]: description },
          },
          data,
        });
      } catch (err) {
        // A namespace that is gone or terminating takes no new content; do not retry.
        if (isStatusError(err, "NotFound") || isNamespaceTerminating(err)) return;
        throw err;
      }
      return;
    }
    if (
      isDeepStrictEqual(cm.data ?? {}, data) &&
      cm.metadata?.annotations?.[descriptionAnnotation]
    ) {
      return;
    }
    const next: ConfigMap = structuredClone(cm);
    next.data = data;
    next.metadata = {
      ...next.metadata,
      annotations: { ...next.metadata?.annotations, [descriptionAnnotation]: description },
    };
    await client.update(resourcePath(resources.configmaps, ns, rootCACertConfigMapName), next);
  }
}

export const rootCAPublisherFactory: ControllerFactory = {
  name: "root-ca-certificate-publisher-controller",
  create: (ctx) => new RootCAPublisher(ctx),
};
