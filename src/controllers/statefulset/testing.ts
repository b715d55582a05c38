/**
 * Test helper for workload controllers: a stand-in kubelet that makes pods Running and Ready as
 * soon as they appear (the harness itself is `common/testing.ts`).
 */
import { Informer } from "../../client/informer.ts";
import { resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { Pod } from "../common/objects.ts";
import { isPodReady } from "../common/pod-utils.ts";
import { markPodReady } from "../common/testing.ts";

/** Every pod matching `filter` is made Running and Ready once it appears, until `signal` aborts. */
export function autoReadyPods(
  client: RestClient,
  signal: AbortSignal,
  filter: (pod: Pod) => boolean = () => true,
): void {
  const informer = new Informer<Pod>({ client, resource: resources.pods });
  const ready = (pod: Pod) => {
    const running = pod.status?.phase === "Running" && isPodReady(pod);
    if (running || pod.metadata?.deletionTimestamp || !filter(pod)) return;
    markPodReady(client, pod).catch(() => undefined);
  };
  informer.addHandlers({ onAdd: ready, onUpdate: (_, pod) => ready(pod) });
  void informer.run(signal);
}
