/**
 * The scheduler's API writes over the REST client: pods/binding, pods/status (strategic merge,
 * so other conditions stay), deletes of preemption victims, and merge patches for volumes.
 */
import type { Pod } from "../api/generated/types.ts";
import { resourcePath, resources } from "../client/resources.ts";
import type { RestClient } from "../client/rest-client.ts";
import type { Clock } from "../machinery/clock.ts";
import { isStatusError } from "../machinery/status.ts";
import { formatTime } from "../machinery/time.ts";
import type { ClusterApi } from "./framework/interface.ts";

export function restClusterApi(client: RestClient, clock: Clock): ClusterApi {
  const podPath = (pod: Pod, sub = "") =>
    resourcePath(resources.pods, pod.metadata?.namespace ?? "", pod.metadata?.name ?? "", sub);
  return {
    async bind(pod, nodeName) {
      const meta = pod.metadata ?? {};
      await client.create(
        podPath(pod, "binding"),
        {
          apiVersion: "v1",
          kind: "Binding",
          metadata: { name: meta.name, namespace: meta.namespace, uid: meta.uid },
          target: { kind: "Node", name: nodeName },
        },
        undefined,
        { discardResponse: true },
      );
    },
    async updatePodStatus(pod, update) {
      const status: Record<string, unknown> = {};
      if (update.condition) {
        status.conditions = [
          { lastProbeTime: null, lastTransitionTime: formatTime(clock.now()), ...update.condition },
        ];
      }
      if (update.nominatedNodeName !== undefined) {
        status.nominatedNodeName = update.nominatedNodeName || null;
      }
      try {
        await client.patch(podPath(pod, "status"), "strategic", { status });
      } catch (err) {
        if (!isStatusError(err, "NotFound")) throw err;
      }
    },
    async deletePod(pod) {
      try {
        await client.delete(podPath(pod));
      } catch (err) {
        if (!isStatusError(err, "NotFound")) throw err;
      }
    },
    async patch(path, body) {
      await client.patch(path, "merge", body);
    },
  };
}
