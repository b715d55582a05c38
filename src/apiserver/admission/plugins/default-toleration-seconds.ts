/**
 * DefaultTolerationSeconds (upstream `plugin/pkg/admission/defaulttolerationseconds`): a new pod
 * that does not already tolerate them gets NoExecute tolerations of 300 s for the not-ready and
 * unreachable node taints, so taint-based eviction moves its pods five minutes after a node
 * fails rather than at once.
 */
import type { Pod, Toleration } from "../../../api/generated/types.ts";
import type { AdmissionPlugin } from "../admission.ts";
import { isResource } from "./forbidden.ts";

export const notReadyTaint = "node.kubernetes.io/not-ready";
export const unreachableTaint = "node.kubernetes.io/unreachable";
export const defaultTolerationSeconds = 300;

function tolerates(tolerations: readonly Toleration[], key: string): boolean {
  return tolerations.some(
    (t) => (t.key === key || !t.key) && (t.effect === "NoExecute" || !t.effect),
  );
}

export function defaultTolerationSecondsAdmission(
  seconds: { notReady?: number; unreachable?: number } = {},
): AdmissionPlugin {
  return {
    name: "DefaultTolerationSeconds",
    async admit(attrs) {
      if (attrs.operation !== "CREATE" || attrs.subresource !== "") return;
      if (!isResource(attrs, "", "pods") || attrs.object === undefined) return;
      const pod = attrs.object as Pod;
      pod.spec ??= { containers: [] };
      const spec = pod.spec;
      const tolerations = spec.tolerations ?? [];
      const added: Toleration[] = [];
      for (const [key, s] of [
        [notReadyTaint, seconds.notReady],
        [unreachableTaint, seconds.unreachable],
      ] as const) {
        if (tolerates(tolerations, key)) continue;
        added.push({
          key,
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: s ?? defaultTolerationSeconds,
        });
      }
      if (added.length > 0) spec.tolerations = [...tolerations, ...added];
    },
  };
}
