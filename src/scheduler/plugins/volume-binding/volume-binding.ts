/**
 * VolumeBinding: pods with PersistentVolumeClaims.
 * - PreFilter: every claim must exist and not be deleting; an unbound claim whose StorageClass
 *   binds Immediately must be bound first ("pod has unbound immediate PersistentVolumeClaims").
 * - Filter: a bound claim's PV must admit the node by its node affinity (local PVs pin pods);
 *   an unbound WaitForFirstConsumer claim needs an available matching PV on the node
 *   (no-provisioner classes) or a class whose allowedTopologies admit the node.
 * - Reserve/PreBind: reserves the chosen static PV and writes its claimRef (with
 *   `pv.kubernetes.io/bound-by-controller`, as upstream's GetBindVolumeToClaim), or marks a
 *   provisioned claim with `volume.kubernetes.io/selected-node` for its provisioner; then waits
 *   (polling the informer caches each second, up to `bindTimeoutSeconds`, 600 s) until every
 *   claim is fully bound (`spec.volumeName` and `pv.kubernetes.io/bind-completed`), failing early
 *   when the claimRef is reset or the provisioner gave the claim back (upstream checkBindings).
 * Unlike upstream it does not check CSI storage capacity.
 */
import type {
  PersistentVolume,
  PersistentVolumeClaim,
  StorageClass,
} from "../../../api/generated/types.ts";
import type { CycleState } from "../../framework/cycle-state.ts";
import type {
  FilterPlugin,
  Handle,
  PreBindPlugin,
  PreFilterPlugin,
  ReservePlugin,
} from "../../framework/interface.ts";
import type { NodeInfo } from "../../framework/node-info.ts";
import type { PodInfo } from "../../framework/pod-info.ts";
import { errorStatus, type Status, skip, success, unresolvable } from "../../framework/status.ts";
import { claimKey, findMatchingVolume, pvNodeAffinityMatches } from "./pv-matching.ts";

export const name = "VolumeBinding";
export const errReasonBindConflict = "node(s) didn't find available persistent volumes to bind";
export const errReasonNodeConflict = "node(s) had volume node affinity conflict";
export const errReasonPVNotExist =
  "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
export const errUnboundImmediate = "pod has unbound immediate PersistentVolumeClaims";
const stateKey = `PreFilter${name}`;
const selectedNodeAnnotation = "volume.kubernetes.io/selected-node";
const boundByControllerAnnotation = "pv.kubernetes.io/bound-by-controller";
const bindCompletedAnnotation = "pv.kubernetes.io/bind-completed";
/** VolumeBindingArgs.bindTimeoutSeconds' default. */
export const bindTimeoutSeconds = 600;

interface State {
  bound: { pvc: PersistentVolumeClaim; pv: PersistentVolume | undefined }[];
  delayed: { pvc: PersistentVolumeClaim; sc: StorageClass }[];
  /** Claim key → static PV chosen at Reserve. */
  chosen: Map<string, PersistentVolume>;
}

function claimNames(pod: PodInfo): string[] {
  return (pod.pod.spec?.volumes ?? []).flatMap((v) => {
    if (v.persistentVolumeClaim) return [v.persistentVolumeClaim.claimName];
    if (v.ephemeral) return [`${pod.name}-${v.name}`];
    return [];
  });
}

function topologyAllows(sc: StorageClass, node: NodeInfo): boolean {
  const terms = sc.allowedTopologies ?? [];
  if (terms.length === 0) return true;
  return terms.some((t) =>
    (t.matchLabelExpressions ?? []).every((e) => e.values.includes(node.labels[e.key] ?? "\u0000")),
  );
}

export function newVolumeBinding(
  handle: Handle,
): PreFilterPlugin & FilterPlugin & ReservePlugin & PreBindPlugin {
  /** PV name → claim key, for PVs reserved by pods not yet bound. */
  const reserved = new Map<string, string>();
  const isStatic = (sc: StorageClass) => sc.provisioner === "kubernetes.io/no-provisioner";
  const pvs = () => handle.listers.pvs.list();

  function preFilter(state: CycleState, pod: PodInfo) {
    const names = claimNames(pod);
    if (names.length === 0) return { status: skip };
    const s: State = { bound: [], delayed: [], chosen: new Map() };
    for (const n of names) {
      const pvc = handle.listers.pvcs.get(pod.namespace, n);
      if (!pvc) return { status: unresolvable(`persistentvolumeclaim "${n}" not found`) };
      if (pvc.metadata?.deletionTimestamp) {
        return { status: unresolvable(`persistentvolumeclaim "${n}" is being deleted`) };
      }
      if (pvc.spec?.volumeName) {
        s.bound.push({ pvc, pv: handle.listers.pvs.get("", pvc.spec.volumeName) });
        continue;
      }
      const sc = handle.listers.storageClasses.get("", pvc.spec?.storageClassName ?? "");
      if (sc?.volumeBindingMode !== "WaitForFirstConsumer") {
        return { status: unresolvable(errUnboundImmediate) };
      }
      s.delayed.push({ pvc, sc });
    }
    state.write(stateKey, s);
    return { status: success };
  }

  function filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status {
    const s = state.read<State>(stateKey);
    if (!s) return errorStatus(new Error(`${stateKey} not found`));
    for (const { pv } of s.bound) {
      if (!pv) return unresolvable(errReasonPVNotExist);
      if (!pvNodeAffinityMatches(pv, node.node)) return unresolvable(errReasonNodeConflict);
    }
    for (const { pvc, sc } of s.delayed) {
      const ok = isStatic(sc)
        ? findMatchingVolume(pvc, pvs(), node.node, reserved) !== undefined
        : topologyAllows(sc, node);
      if (!ok) return unresolvable(errReasonBindConflict);
    }
    return success;
  }

  return {
    name,
    eventsToRegister: () => [
      { resource: "PersistentVolumeClaim", action: "All" },
      { resource: "PersistentVolume", action: "All" },
      { resource: "StorageClass", action: "All" },
      { resource: "Node", action: "Add" },
      { resource: "Node", action: "UpdateNodeLabel" },
    ],
    preFilter,
    filter,
    reserve(state, _pod, nodeName): Status {
      const s = state.read<State>(stateKey);
      const node = handle.snapshot.get(nodeName);
      for (const { pvc, sc } of s?.delayed ?? []) {
        if (!isStatic(sc)) continue;
        const pv = findMatchingVolume(pvc, pvs(), node?.node, reserved);
        if (!pv) return unresolvable(errReasonBindConflict);
        reserved.set(pv.metadata?.name ?? "", claimKey(pvc));
        s?.chosen.set(claimKey(pvc), pv);
      }
      return success;
    },
    unreserve(state) {
      for (const pv of state.read<State>(stateKey)?.chosen.values() ?? []) {
        reserved.delete(pv.metadata?.name ?? "");
      }
    },
    async preBind(state, _pod, nodeName): Promise<Status> {
      const s = state.read<State>(stateKey);
      if (!s || s.delayed.length === 0) return skip;
      for (const { pvc, sc } of s.delayed) {
        const meta = pvc.metadata ?? {};
        if (isStatic(sc)) {
          const pv = s.chosen.get(claimKey(pvc));
          if (!pv) continue;
          await handle.api.patch(
            `/api/v1/persistentvolumes/${pv.metadata?.name}`,
            bindVolumeToClaim(pv, pvc),
          );
          reserved.delete(pv.metadata?.name ?? "");
        } else {
          const annotations = { [selectedNodeAnnotation]: nodeName };
          await handle.api.patch(
            `/api/v1/namespaces/${meta.namespace}/persistentvolumeclaims/${meta.name}`,
            { metadata: { annotations } },
          );
        }
      }
      return waitForBindings(s, nodeName);
    },
  };

  /** Upstream's checkBindings: true when all are bound, a message when binding cannot happen. */
  function checkBindings(s: State, nodeName: string): true | false | string {
    for (const { pvc, sc } of s.delayed) {
      const current = handle.listers.pvcs.get(
        pvc.metadata?.namespace ?? "",
        pvc.metadata?.name ?? "",
      );
      if (!current)
        return `failed to check binding: persistentvolumeclaim "${pvc.metadata?.name}" not found`;
      if (isStatic(sc)) {
        const chosen = s.chosen.get(claimKey(pvc));
        if (!chosen) continue;
        const pv = handle.listers.pvs.get("", chosen.metadata?.name ?? "");
        if (!pv)
          return `failed to check binding: persistentvolume "${chosen.metadata?.name}" not found`;
        const ref = pv.spec?.claimRef;
        const claimed =
          ref?.uid &&
          ref.namespace === current.metadata?.namespace &&
          ref.name === current.metadata?.name;
        if (!claimed) {
          // Our write has not reached the cache yet.
          if (pv.metadata?.resourceVersion === chosen.metadata?.resourceVersion) return false;
          return `ClaimRef got reset for pv "${pv.metadata?.name}"`;
        }
      } else {
        const selected = current.metadata?.annotations?.[selectedNodeAnnotation];
        if (selected !== nodeName) {
          // Our annotation has not reached the cache yet, or the provisioner gave the claim back.
          if (current.metadata?.resourceVersion === pvc.metadata?.resourceVersion) return false;
          return `provisioning failed for PVC "${current.metadata?.name}"`;
        }
        const volumeName = current.spec?.volumeName;
        if (volumeName) {
          const pv = handle.listers.pvs.get("", volumeName);
          const node = handle.snapshot.get(nodeName)?.node;
          if (pv && node && !pvNodeAffinityMatches(pv, node)) {
            return `pv "${volumeName}" node affinity doesn't match node "${nodeName}"`;
          }
        }
      }
      if (!isClaimFullyBound(current)) return false;
    }
    return true;
  }

  async function waitForBindings(s: State, nodeName: string): Promise<Status> {
    const deadline = handle.clock.now() + bindTimeoutSeconds * 1000;
    for (;;) {
      const checked = checkBindings(s, nodeName);
      if (checked === true) return success;
      if (typeof checked === "string") return errorStatus(new Error(`binding volumes: ${checked}`));
      if (handle.clock.now() >= deadline) {
        return errorStatus(new Error("binding volumes: context deadline exceeded"));
      }
      await new Promise<void>((resolve) => handle.clock.after(1000, resolve));
    }
  }
}

/** `isPVCFullyBound`: the claim names its volume and the binder finished. */
function isClaimFullyBound(pvc: PersistentVolumeClaim): boolean {
  return (
    Boolean(pvc.spec?.volumeName) &&
    pvc.metadata?.annotations?.[bindCompletedAnnotation] !== undefined
  );
}

/**
 * Upstream's GetBindVolumeToClaim as a merge patch: the claimRef (a full object reference) and,
 * unless the volume was already bound to the claim, `bound-by-controller`; the resourceVersion
 * makes it an update of the volume we chose, as upstream's Update.
 */
export function bindVolumeToClaim(pv: PersistentVolume, pvc: PersistentVolumeClaim): object {
  const meta = pvc.metadata ?? {};
  const ref = pv.spec?.claimRef;
  const alreadyBound =
    ref !== undefined &&
    ref.name === meta.name &&
    ref.namespace === meta.namespace &&
    (!ref.uid || ref.uid === meta.uid);
  const claimRef = {
    kind: "PersistentVolumeClaim",
    namespace: meta.namespace,
    name: meta.name,
    uid: meta.uid,
    apiVersion: "v1",
    resourceVersion: meta.resourceVersion,
  };
  const annotations =
    alreadyBound || pv.metadata?.annotations?.[boundByControllerAnnotation] !== undefined
      ? undefined
      : { [boundByControllerAnnotation]: "yes" };
  return {
    metadata: {
      resourceVersion: pv.metadata?.resourceVersion,
      ...(annotations ? { annotations } : {}),
    },
    spec: { claimRef },
  };
}
