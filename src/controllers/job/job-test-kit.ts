/**
 * Helpers for Job controller tests: Job manifests, waiting for pods and conditions, and playing
 * the kubelet by writing pod status (times on the harness's fake clock).
 */
import type { CoreV1Event as Event, JobSpec } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import type { JobObj, PodObj } from "./job-pods.ts";
import { type Harness, listItems } from "./test-harness.ts";

export const ns = "default";

export const running = (p: PodObj) => !p.status?.phase || p.status.phase === "Pending";

export function jobTestKit(h: Harness) {
  const getJob = (name: string) => h.client.get<JobObj>(resourcePath(resources.jobs, ns, name));
  const podsOf = (job: string) =>
    listItems<PodObj>(h.client, resources.pods, ns, `batch.kubernetes.io/job-name=${job}`);
  return {
    getJob,
    podsOf,
    createJob(name: string, spec: Partial<JobSpec>): Promise<JobObj> {
      const job: JobObj = {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name, namespace: ns },
        spec: {
          template: {
            spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox" }] },
          },
          ...spec,
        },
      };
      return h.client.create<JobObj>(resourcePath(resources.jobs, ns), job);
    },
    waitForPods(job: string, n: number, filter: (p: PodObj) => boolean = () => true) {
      return eventually(async () => {
        const pods = (await podsOf(job)).filter(filter);
        return pods.length === n ? pods : undefined;
      });
    },
    /** Plays the kubelet: the pod's only container exits, now on the fake clock. */
    async finishPod(pod: PodObj, phase: "Succeeded" | "Failed", exitCode?: number) {
      const finishedAt = new Date(h.clock.now()).toISOString().replace(/\.\d+Z$/, "Z");
      const code = exitCode ?? (phase === "Succeeded" ? 0 : 1);
      const path = resourcePath(resources.pods, ns, pod.metadata?.name, "status");
      await h.client.patch(path, "merge", {
        status: {
          phase,
          containerStatuses: [
            {
              name: "main",
              image: "busybox",
              imageID: "",
              ready: false,
              restartCount: 0,
              state: { terminated: { exitCode: code, finishedAt } },
            },
          ],
        },
      });
    },
    waitForCondition(name: string, type: string) {
      return eventually(async () => {
        const job = await getJob(name);
        const c = job.status?.conditions?.find((x) => x.type === type && x.status === "True");
        return c ? job : undefined;
      });
    },
    async eventReasons(name: string): Promise<string[]> {
      const events = await listItems<Event & KubeObject>(h.client, resources.events, ns);
      return events.filter((e) => e.involvedObject.name === name).map((e) => e.reason ?? "");
    },
  };
}
