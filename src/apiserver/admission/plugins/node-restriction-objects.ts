/**
 * NodeRestriction's rules for the node's own objects: its Node (labels and taints), its Lease,
 * its CSINode, PVC status updates and service-account tokens bound to its pods. Each returns
 * upstream's refusal message, or undefined.
 */
import { isDeepStrictEqual } from "node:util";
import type { Node, PersistentVolumeClaim, Pod } from "../../../api/generated/types.ts";
import { newNotFound } from "../../../machinery/status.ts";
import type { NodeRequest } from "./node-restriction.ts";
import { getAs } from "./reader.ts";

/** Labels a kubelet may set on its Node (`kubeletapis.IsKubeletLabel`). */
const kubeletLabels = new Set([
  "kubernetes.io/hostname",
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
  "beta.kubernetes.io/instance-type",
  "node.kubernetes.io/instance-type",
  "kubernetes.io/os",
  "kubernetes.io/arch",
  "beta.kubernetes.io/os",
  "beta.kubernetes.io/arch",
]);
const kubeletLabelNamespaces = ["kubelet.kubernetes.io", "node.kubernetes.io"];

const labelNamespace = (key: string): string =>
  key.includes("/") ? (key.split("/")[0] ?? "") : "";
const inDomain = (ns: string, domain: string) => ns === domain || ns.endsWith(`.${domain}`);

export function isKubeletLabel(key: string): boolean {
  return (
    kubeletLabels.has(key) || kubeletLabelNamespaces.some((d) => inDomain(labelNamespace(key), d))
  );
}

const isKubernetesLabel = (key: string) =>
  inDomain(labelNamespace(key), "kubernetes.io") || inDomain(labelNamespace(key), "k8s.io");

/** Keys added, removed or changed between two label maps, sorted. */
function modifiedLabels(a: Record<string, string> = {}, b: Record<string, string> = {}): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => a[k] !== b[k]).sort();
}

/** `getForbiddenLabels`: node-restriction labels, and kubernetes.io/k8s.io ones kubelets don't own. */
function forbiddenLabels(keys: readonly string[]): string[] {
  return keys.filter(
    (k) =>
      inDomain(labelNamespace(k), "node-restriction.kubernetes.io") ||
      (isKubernetesLabel(k) && !isKubeletLabel(k)),
  );
}

export function admitNode({ attrs, node }: NodeRequest): string | undefined {
  const requested =
    attrs.name || (attrs.operation === "CREATE" ? (attrs.object?.metadata?.name ?? "") : "");
  if (requested !== node) return `node "${node}" is not allowed to modify node "${requested}"`;
  const obj = attrs.object as Node | undefined;
  if (attrs.operation === "CREATE" && obj) {
    if (obj.spec?.configSource !== undefined) {
      return `node "${node}" is not allowed to create pods with a non-nil configSource`;
    }
    const bad = forbiddenLabels(modifiedLabels(obj.metadata?.labels, undefined));
    if (bad.length > 0)
      return `node "${node}" is not allowed to set the following labels: ${bad.join(", ")}`;
  }
  const old = attrs.oldObject as Node | undefined;
  if (attrs.operation === "UPDATE" && obj && old) {
    if (
      obj.spec?.configSource !== undefined &&
      !isDeepStrictEqual(obj.spec.configSource, old.spec?.configSource)
    ) {
      return `node "${node}" is not allowed to update configSource to a new non-nil configSource`;
    }
    if (!isDeepStrictEqual(obj.spec?.taints ?? [], old.spec?.taints ?? [])) {
      return `node "${node}" is not allowed to modify taints`;
    }
    const bad = forbiddenLabels(modifiedLabels(obj.metadata?.labels, old.metadata?.labels));
    if (bad.length > 0) return `is not allowed to modify labels: ${bad.join(", ")}`;
  }
  return undefined;
}

/** Leases only in kube-node-lease and only the node's own. */
export function admitLease({ attrs, node }: NodeRequest): string | undefined {
  if (attrs.namespace !== "kube-node-lease") {
    return `can only access leases in the "kube-node-lease" system namespace`;
  }
  const name = attrs.operation === "CREATE" ? (attrs.object?.metadata?.name ?? "") : attrs.name;
  return name === node
    ? undefined
    : "can only access node lease with the same name as the requesting node";
}

export function admitCSINode({ attrs, node }: NodeRequest): string | undefined {
  const name = attrs.operation === "CREATE" ? (attrs.object?.metadata?.name ?? "") : attrs.name;
  return name === node
    ? undefined
    : "can only access CSINode with the same name as the requesting node";
}

/** Strips what a node may change in a PVC status update. */
function comparablePVC(pvc: PersistentVolumeClaim | undefined) {
  const copy = structuredClone(pvc ?? {});
  if (copy.metadata) {
    delete copy.metadata.resourceVersion;
    delete copy.metadata.managedFields;
  }
  if (copy.status) {
    delete copy.status.capacity;
    delete copy.status.conditions;
    delete copy.status.allocatedResourceStatuses;
    delete copy.status.allocatedResources;
  }
  return copy;
}

export function admitPVCStatus({ attrs, node }: NodeRequest): string | undefined {
  if (attrs.operation !== "UPDATE") return `unexpected operation "${attrs.operation}"`;
  const next = comparablePVC(attrs.object as PersistentVolumeClaim | undefined);
  const prev = comparablePVC(attrs.oldObject as PersistentVolumeClaim | undefined);
  if (isDeepStrictEqual(next, prev)) return undefined;
  return `node "${node}" is not allowed to update fields other than status.capacity and status.conditions: ${JSON.stringify({ old: prev, new: next })}`;
}

interface TokenRequest {
  spec?: { boundObjectRef?: { apiVersion?: string; kind?: string; name?: string; uid?: string } };
}

/** Tokens a node requests must be bound to a pod scheduled on it. */
export function admitServiceAccountToken({ attrs, node, reader }: NodeRequest): string | undefined {
  if (attrs.operation !== "CREATE" || attrs.subresource !== "token") return undefined;
  const ref = (attrs.object as TokenRequest | undefined)?.spec?.boundObjectRef;
  if (ref?.apiVersion !== "v1" || ref.kind !== "Pod" || !ref.name) {
    return "node requested token not bound to a pod";
  }
  if (!ref.uid) return "node requested token with a pod binding without a uid";
  const pod = getAs<Pod>(reader, "", "pods", attrs.namespace, ref.name);
  if (pod === undefined) throw newNotFound({ group: "", resource: "pods" }, ref.name);
  if (ref.uid !== pod.metadata?.uid) {
    return `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`;
  }
  if (pod.spec?.nodeName !== node)
    return "node requested token bound to a pod scheduled on a different node";
  return undefined;
}
