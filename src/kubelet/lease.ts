/**
 * The node heartbeat: a Lease named after the node in kube-node-lease, renewed every interval
 * (upstream 10 s of a 40 s lease). The node lifecycle controller watches these renewals.
 */
import type { Lease } from "../api/generated/types.ts";
import { resourcePath, resources } from "../client/resources.ts";
import type { RestClient } from "../client/rest-client.ts";
import { isStatusError } from "../machinery/status.ts";

const microTime = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace("Z", "000Z")
    .replace(/(\.\d{3})000Z$/, "$1000Z");

export async function renewNodeLease(options: {
  client: RestClient;
  nodeName: string;
  nodeUid: string | undefined;
  durationSeconds: number;
  now: number;
}): Promise<void> {
  const { client, nodeName } = options;
  const path = resourcePath(resources.leases, "kube-node-lease", nodeName);
  const spec = {
    holderIdentity: nodeName,
    leaseDurationSeconds: options.durationSeconds,
    renewTime: microTime(options.now),
  };
  try {
    await client.patch<Lease>(path, "merge", { spec });
  } catch (err) {
    if (!isStatusError(err, "NotFound")) throw err;
    await client.create(resourcePath(resources.leases, "kube-node-lease"), {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        name: nodeName,
        namespace: "kube-node-lease",
        ...(options.nodeUid
          ? {
              ownerReferences: [
                { apiVersion: "v1", kind: "Node", name: nodeName, uid: options.nodeUid },
              ],
            }
          : {}),
      },
      spec,
    });
  }
}
