/**
 * What is left of a pod once its sandboxes are removed, removed too (upstream's pod cleanup and
 * garbage collection): volumes (unmounted), the pod's log directories, its cgroup in every
 * hierarchy (containerd never removes `cgroup_parent`), and the runtime's memory of it.
 */
import { existsSync, readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Pod } from "../pod-source.ts";
import { podCgroupParent } from "./resources.ts";
import type { RuntimeDeps } from "./runtime-deps.ts";

export async function cleanUpPod(d: RuntimeDeps, pod: Pod): Promise<void> {
  const uid = pod.metadata?.uid ?? "";
  await d.o.volumes.tearDownPod(uid);
  if (existsSync(d.o.podLogsDir)) {
    for (const dir of readdirSync(d.o.podLogsDir)) {
      if (dir.endsWith(`_${uid}`))
        await rm(join(d.o.podLogsDir, dir), { recursive: true, force: true });
    }
  }
  // A pod known only by its uid (an orphan) may be in any QoS class.
  const root = d.o.cgroupRoot ?? "/kubepods";
  const parents = new Set([
    `${root}/pod${uid}`,
    `${root}/burstable/pod${uid}`,
    `${root}/besteffort/pod${uid}`,
  ]);
  if (pod.spec) parents.add(podCgroupParent(pod, root));
  for (const p of parents) d.o.cgroups.remove(p);
  d.backoff.forgetPrefix(`${uid}/`);
  d.images.forgetPod(uid);
  d.prober.removePod(uid);
}
