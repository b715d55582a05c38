/**
 * The CRI runtime handler of a pod (upstream kubelet `runtimeclass.Manager.LookupRuntimeHandler`):
 * "" without a `runtimeClassName`, else the named RuntimeClass's `handler`. A class that does not
 * exist fails with upstream's NotFound text, which the sandbox step reports as
 * `FailedCreatePodSandBox`; the pod waits in ContainerCreating and retries.
 */
import { newNotFound } from "../../machinery/status.ts";
import type { PodObjects } from "../pod-objects.ts";
import type { Pod } from "../pod-source.ts";

/** The group and (singular) resource upstream's RuntimeClass lister names in NotFound errors. */
const runtimeClassResource = { group: "node.k8s.io", resource: "runtimeclass" };

export async function lookupRuntimeHandler(objects: PodObjects, pod: Pod): Promise<string> {
  const name = pod.spec?.runtimeClassName ?? "";
  // The default RuntimeClass always resolves to the runtime's default handler.
  if (name === "") return "";
  let runtimeClass: Awaited<ReturnType<PodObjects["runtimeClass"]>>;
  try {
    runtimeClass = await objects.runtimeClass(name);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`failed to lookup RuntimeClass ${name}: ${why}`, { cause: err });
  }
  if (!runtimeClass) throw newNotFound(runtimeClassResource, name);
  return runtimeClass.handler ?? "";
}
