/**
 * The labels and annotations the kubelet puts on CRI sandboxes and containers (upstream
 * `pkg/kubelet/kuberuntime/labels.go`), so that the runtime's state alone tells which pod and
 * container each object belongs to — after a kubelet restart too.
 */
import type { Container } from "../../api/generated/types.ts";
import type { Pod } from "../pod-source.ts";

export const podNameLabel = "io.kubernetes.pod.name";
export const podNamespaceLabel = "io.kubernetes.pod.namespace";
export const podUidLabel = "io.kubernetes.pod.uid";
export const containerNameLabel = "io.kubernetes.container.name";
/** Upstream's `io.kubernetes.container.logpath` is gone; these are the annotations it still sets. */
export const restartCountAnnotation = "io.kubernetes.container.restartCount";
export const containerHashAnnotation = "io.kubernetes.container.hash";
export const terminationMessagePathAnnotation = "io.kubernetes.container.terminationMessagePath";
export const terminationMessagePolicyAnnotation =
  "io.kubernetes.container.terminationMessagePolicy";
export const gracePeriodAnnotation = "io.kubernetes.pod.terminationGracePeriod";
export const initContainerAnnotation = "io.kubernetes.container.init";
/** `kubernetes.io/config.seen`-style marker upstream puts on sandboxes of hostNetwork pods. */
export const hostNetworkAnnotation = "bosun.dev/host-network";

export function sandboxLabels(pod: Pod): Record<string, string> {
  return {
    ...pod.metadata?.labels,
    [podNameLabel]: pod.metadata?.name ?? "",
    [podNamespaceLabel]: pod.metadata?.namespace ?? "",
    [podUidLabel]: pod.metadata?.uid ?? "",
  };
}

export function containerLabels(pod: Pod, container: Container): Record<string, string> {
  return {
    [podNameLabel]: pod.metadata?.name ?? "",
    [podNamespaceLabel]: pod.metadata?.namespace ?? "",
    [podUidLabel]: pod.metadata?.uid ?? "",
    [containerNameLabel]: container.name,
  };
}
