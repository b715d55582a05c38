/**
 * Where a kubelet learns about the pods bound to its node. One kubelet uses an informer with the
 * field selector spec.nodeName=<node>; a process simulating many nodes shares one pod informer
 * and fans out by node name.
 */
import type { Pod as PodType } from "../api/generated/types.ts";
import type { KubeObject } from "../api/object.ts";
import { Informer, keyOf } from "../client/informer.ts";
import { stripManagedFields } from "../client/informer-factory.ts";
import { resources } from "../client/resources.ts";
import type { RestClient } from "../client/rest-client.ts";
import type { Logger } from "../machinery/log.ts";

export type Pod = PodType & KubeObject;

export type PodHandler = (key: string, pod: Pod | undefined) => void;

export interface PodSource {
  /** Calls `handler` for every change of a pod on `nodeName`; returns an unsubscribe. */
  subscribe(nodeName: string, handler: PodHandler): () => void;
  get(key: string): Pod | undefined;
  /** Pods currently bound to the node. */
  podsOn(nodeName: string): Pod[];
  run(signal: AbortSignal): Promise<void>;
}

/** One informer over pods (optionally limited to one node) dispatching by spec.nodeName. */
export class InformerPodSource implements PodSource {
  readonly #informer: Informer<Pod>;
  readonly #handlers = new Map<string, PodHandler>();
  readonly #byNode = new Map<string, Set<string>>();

  constructor(client: RestClient, options: { nodeName?: string; log?: Logger } = {}) {
    this.#informer = new Informer<Pod>({
      client,
      resource: resources.pods,
      fieldSelector: options.nodeName ? `spec.nodeName=${options.nodeName}` : "spec.nodeName!=",
      // The kubelet never reads managedFields and writes status by patch: cached pods drop them
      // (a third of a pod), as the controllers' do.
      transform: stripManagedFields,
      ...(options.log ? { log: options.log } : {}),
    });
    const changed = (pod: Pod, gone: boolean) => {
      const key = keyOf(pod);
      const node = pod.spec?.nodeName ?? "";
      const keys = this.#byNode.get(node) ?? new Set<string>();
      if (gone) keys.delete(key);
      else keys.add(key);
      this.#byNode.set(node, keys);
      this.#handlers.get(node)?.(key, gone ? undefined : pod);
    };
    this.#informer.addHandlers({
      onAdd: (pod) => changed(pod, false),
      onUpdate: (_, pod) => changed(pod, false),
      onDelete: (pod) => changed(pod, true),
    });
  }

  subscribe(nodeName: string, handler: PodHandler): () => void {
    this.#handlers.set(nodeName, handler);
    for (const key of this.#byNode.get(nodeName) ?? []) handler(key, this.#informer.getByKey(key));
    return () => this.#handlers.delete(nodeName);
  }

  get(key: string): Pod | undefined {
    return this.#informer.getByKey(key);
  }

  podsOn(nodeName: string): Pod[] {
    return [...(this.#byNode.get(nodeName) ?? [])].flatMap((k) => {
      const pod = this.#informer.getByKey(k);
      return pod ? [pod] : [];
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.#informer.run(signal);
  }

  synced(): Promise<void> {
    return this.#informer.synced();
  }
}
