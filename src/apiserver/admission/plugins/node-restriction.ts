/**
 * NodeRestriction (upstream `plugin/pkg/admission/noderestriction`): a kubelet, authenticated as
 * `system:node:<name>` in group `system:nodes`, may only create and delete mirror pods bound to
 * itself, update the status of and evict its own pods, write its own Node (without touching its
 * taints or labels outside the kubelet's set), its own Lease in kube-node-lease, its own CSINode,
 * PVC status only, tokens bound to its own pods, and (Bosun) the cleanup finalizer of its own
 * local-path volumes (`node-restriction-volumes.ts`). Everyone else passes untouched.
 *
 * Reads pods and nodes from the `AdmissionReader`. Runs in the mutating phase, as upstream, and
 * must see DELETE and subresource requests.
 */

import { isDeepStrictEqual } from "node:util";
import type { Container, Pod } from "../../../api/generated/types.ts";
import { goQuote } from "../../../machinery/go-format.ts";
import { newNotFound } from "../../../machinery/status.ts";
import type { AdmissionAttributes, AdmissionPlugin } from "../admission.ts";
import { admissionForbidden, isResource } from "./forbidden.ts";
import {
  admitCSINode,
  admitLease,
  admitNode,
  admitPVCStatus,
  admitServiceAccountToken,
} from "./node-restriction-objects.ts";
import { admitPersistentVolume } from "./node-restriction-volumes.ts";
import { type AdmissionReader, getAs } from "./reader.ts";
import { mirrorPodAnnotation } from "./service-account.ts";
import { podReferencesSecrets } from "./service-account-secrets.ts";

export interface NodeRestrictionOptions {
  readonly reader: AdmissionReader;
}

const nodeUserPrefix = "system:node:";

/** `NodeIdentity`: the node name, or undefined when the user is not a node. */
export function nodeIdentity(user: {
  username: string;
  groups: readonly string[];
}): string | undefined {
  if (!user.username.startsWith(nodeUserPrefix) || !user.groups.includes("system:nodes"))
    return undefined;
  return user.username.slice(nodeUserPrefix.length);
}

export interface NodeRequest {
  readonly attrs: AdmissionAttributes;
  readonly node: string;
  readonly reader: AdmissionReader;
}

/** A pod from the cache, or the NotFound error upstream returns as is. */
function existingPod({ attrs, reader }: NodeRequest, name: string): Pod {
  const pod = getAs<Pod>(reader, "", "pods", attrs.namespace, name);
  if (pod === undefined) throw newNotFound({ group: "", resource: "pods" }, name);
  return pod;
}

function podReferencesConfigMaps(pod: Pod): boolean {
  const containers: Container[] = [
    ...(pod.spec?.initContainers ?? []),
    ...(pod.spec?.containers ?? []),
    ...((pod.spec?.ephemeralContainers ?? []) as Container[]),
  ];
  const inContainers = containers.some(
    (c) =>
      (c.envFrom ?? []).some((e) => e.configMapRef !== undefined) ||
      (c.env ?? []).some((e) => e.valueFrom?.configMapKeyRef !== undefined),
  );
  return (
    inContainers ||
    (pod.spec?.volumes ?? []).some(
      (v) =>
        v.configMap !== undefined ||
        (v.projected?.sources ?? []).some((s) => s.configMap !== undefined),
    )
  );
}

/** The ownership rules for a mirror pod: one controller reference to this very Node. */
function checkMirrorOwner(req: NodeRequest, pod: Pod): string | undefined {
  const { node } = req;
  const owners = pod.metadata?.ownerReferences ?? [];
  if (owners.length > 1)
    return `node "${node}" can only create pods with a single owner reference set to itself`;
  const owner = owners[0];
  if (
    owner === undefined ||
    owner.apiVersion !== "v1" ||
    owner.kind !== "Node" ||
    owner.name !== node
  ) {
    return `node "${node}" can only create pods with an owner reference set to itself`;
  }
  if (owner.controller !== true)
    return `node "${node}" can only create pods with a controller owner reference set to itself`;
  if (owner.blockOwnerDeletion === true)
    return `node "${node}" must not set blockOwnerDeletion on an owner reference`;
  const nodeObj = getAs<{ metadata?: { uid?: string } }>(req.reader, "", "nodes", "", node);
  if (nodeObj === undefined) throw newNotFound({ group: "", resource: "nodes" }, node);
  const uid = nodeObj.metadata?.uid ?? "";
  if (owner.uid !== uid) return `node ${node} UID mismatch: expected ${owner.uid} got ${uid}`;
  return undefined;
}

function podCreateError(req: NodeRequest, pod: Pod): string | undefined {
  const { node } = req;
  if (!Object.hasOwn(pod.metadata?.annotations ?? {}, mirrorPodAnnotation)) {
    return `pod does not have "${mirrorPodAnnotation}" annotation, node "${node}" can only create mirror pods`;
  }
  if (pod.spec?.nodeName !== node)
    return `node "${node}" can only create pods with spec.nodeName set to itself`;
  const ownerError = checkMirrorOwner(req, pod);
  if (ownerError !== undefined) return ownerError;
  if ((pod.spec?.serviceAccountName ?? "") !== "")
    return `node "${node}" can not create pods that reference a service account`;
  if (podReferencesSecrets(pod)) return `node "${node}" can not create pods that reference secrets`;
  if (podReferencesConfigMaps(pod))
    return `node "${node}" can not create pods that reference configmaps`;
  const volumes = pod.spec?.volumes ?? [];
  if (
    volumes.some((v) =>
      (v.projected?.sources ?? []).some((s) => s.clusterTrustBundle !== undefined),
    )
  ) {
    return `node "${node}" can not create pods that reference clustertrustbundles`;
  }
  if (volumes.some((v) => v.persistentVolumeClaim !== undefined)) {
    return `node "${node}" can not create pods that reference persistentvolumeclaims`;
  }
  return undefined;
}

function admitPod(req: NodeRequest): string | undefined {
  const { attrs, node } = req;
  switch (attrs.operation) {
    case "CREATE":
      return podCreateError(req, attrs.object as Pod);
    case "DELETE":
      if (existingPod(req, attrs.name).spec?.nodeName === node) return undefined;
      return `node "${node}" can only delete pods with spec.nodeName set to itself`;
    default:
      return `unexpected operation "${attrs.operation}", node "${node}" can only create and delete mirror pods`;
  }
}

function admitPodStatus({ attrs, node }: NodeRequest): string | undefined {
  if (attrs.operation !== "UPDATE") return `unexpected operation "${attrs.operation}"`;
  const old = attrs.oldObject as Pod | undefined;
  const pod = attrs.object as Pod | undefined;
  if (old?.spec?.nodeName !== node)
    return `node "${node}" can only update pod status for pods with spec.nodeName set to itself`;
  if (!isDeepStrictEqual(old.metadata?.labels ?? {}, pod?.metadata?.labels ?? {})) {
    return `node "${node}" cannot update labels through pod status`;
  }
  const claims = (p: Pod | undefined) =>
    (p?.status?.resourceClaimStatuses ?? []).map((s) => [s.name, s.resourceClaimName ?? null]);
  if (!isDeepStrictEqual(claims(old), claims(pod)))
    return `node "${node}" cannot update resource claim statues`;
  return undefined;
}

function admitPodEviction(req: NodeRequest): string | undefined {
  const { attrs, node } = req;
  if (attrs.operation !== "CREATE") return `unexpected operation ${attrs.operation}`;
  const podName = attrs.name || attrs.object?.metadata?.name || "";
  if (podName === "") return "could not determine pod from request data";
  if (existingPod(req, podName).spec?.nodeName === node) return undefined;
  return `node ${node} can only evict pods with spec.nodeName set to itself`;
}

/** The refusal for a node's request, or undefined when it may go ahead. */
function nodeRequestError(req: NodeRequest): string | undefined {
  const { attrs } = req;
  if (isResource(attrs, "", "pods")) {
    if (attrs.subresource === "") return admitPod(req);
    if (attrs.subresource === "status") return admitPodStatus(req);
    if (attrs.subresource === "eviction") return admitPodEviction(req);
    return `unexpected pod subresource "${attrs.subresource}", only 'status' and 'eviction' are allowed`;
  }
  if (isResource(attrs, "", "nodes")) return admitNode(req);
  if (isResource(attrs, "", "persistentvolumeclaims")) {
    return attrs.subresource === "status" ? admitPVCStatus(req) : "may only update PVC status";
  }
  if (isResource(attrs, "", "persistentvolumes")) return admitPersistentVolume(req);
  if (isResource(attrs, "", "serviceaccounts")) return admitServiceAccountToken(req);
  if (isResource(attrs, "coordination.k8s.io", "leases")) return admitLease(req);
  if (isResource(attrs, "storage.k8s.io", "csinodes")) return admitCSINode(req);
  return undefined;
}

export function nodeRestrictionAdmission(options: NodeRestrictionOptions): AdmissionPlugin {
  return {
    name: "NodeRestriction",
    async admit(attrs) {
      const node = nodeIdentity(attrs.user);
      if (node === undefined) return;
      if (node === "") {
        throw admissionForbidden(
          attrs,
          `could not determine node from user ${goQuote(attrs.user.username)}`,
        );
      }
      const why = nodeRequestError({ attrs, node, reader: options.reader });
      if (why !== undefined) throw admissionForbidden(attrs, why);
    },
  };
}
