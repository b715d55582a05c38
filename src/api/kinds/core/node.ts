/**
 * core/v1 Node (upstream `pkg/registry/core/node/strategy.go`, `ValidateNode`,
 * `ValidateNodeUpdate`, `printNode`). Cluster-scoped; the kubelet owns the status.
 */
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { parseQuantity } from "../../../machinery/quantity.ts";
import { isValidCIDR, isValidLabelValue } from "../../../machinery/validation.ts";
import type { Node, Taint } from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import {
  ageColumn,
  ageOf,
  type FieldErrors,
  nameColumn,
  nameOf,
  type Obj,
  sameValue,
} from "./common.ts";
import { validateLabelName } from "./extra-validation.ts";

type NodeObj = Obj<Node>;

const taintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
const labelNodeRolePrefix = "node-role.kubernetes.io/";

/** What a master's node is labelled with, as k3s does (kubectl's ROLES: control-plane,master). */
export const controlPlaneLabels: Readonly<Record<string, string>> = {
  [`${labelNodeRolePrefix}control-plane`]: "true",
  [`${labelNodeRolePrefix}master`]: "true",
};
const nodeLabelRole = "kubernetes.io/role";

/** `validateNodeTaints`: key, value and effect of each taint, unique by key and effect. */
function validateNodeTaints(taints: readonly Taint[], path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  const seen = new Set<string>();
  taints.forEach((taint, i) => {
    const p = path.index(i);
    errs.push(...validateLabelName(taint.key ?? "", p.child("key")));
    const valueErrs = isValidLabelValue(taint.value ?? "");
    if (valueErrs.length > 0) {
      errs.push(field.invalid(p.child("value"), taint.value ?? "", valueErrs.join(";")));
    }
    const effect: string = taint.effect ?? "";
    if (effect === "") errs.push(field.required(p.child("effect")));
    else if (!taintEffects.includes(effect)) {
      errs.push(field.notSupported(p.child("effect"), effect, taintEffects));
    }
    const key = `${effect}\u0000${taint.key ?? ""}`;
    if (seen.has(key)) {
      errs.push({
        ...field.duplicate(p, taint),
        detail: "taints must be unique by key and effect pair",
      });
    } else seen.add(key);
  });
  return errs;
}

function isIntegerResource(name: string): boolean {
  if (name === "pods") return true;
  // Extended resources: a domain-prefixed name outside kubernetes.io.
  return name.includes("/") && !name.includes("kubernetes.io/") && !name.startsWith("requests.");
}

/** `ValidateNodeResources`: capacity and allocatable quantities are non-negative (integers). */
function validateNodeResources(node: NodeObj): FieldErrors {
  const errs: FieldErrors = [];
  for (const which of ["capacity", "allocatable"] as const) {
    for (const [name, raw] of Object.entries(node.status?.[which] ?? {})) {
      const path = newPath("status", which, name);
      try {
        const q = parseQuantity(String(raw).trim());
        if (q.sign() < 0) {
          errs.push(field.invalid(path, q.toString(), "must be greater than or equal to 0"));
        }
        if (isIntegerResource(name) && q.milliValue() % 1000 !== 0) {
          errs.push(field.invalid(path, q.toString(), "must be an integer"));
        }
      } catch (err) {
        errs.push(field.invalid(path, String(raw), (err as Error).message));
      }
    }
  }
  return errs;
}

function validatePodCIDRs(cidrs: readonly string[]): FieldErrors {
  const path = newPath("spec", "podCIDRs");
  const errs = cidrs.flatMap((cidr, i) => isValidCIDR(path.index(i), cidr));
  if (cidrs.length > 1 && errs.length === 0) {
    const families = new Set(cidrs.map((c) => (c.includes(":") ? 6 : 4)));
    if (families.size !== 2 || cidrs.length > 2) {
      errs.push(field.invalid(path, cidrs, "may specify no more than one CIDR for each IP family"));
    }
  }
  const seen = new Set<string>();
  cidrs.forEach((cidr, i) => {
    if (cidrs.length > 1 && seen.has(cidr)) errs.push(field.duplicate(path.index(i), cidr));
    seen.add(cidr);
  });
  return errs;
}

/** `ValidateNode` beyond object meta (upstream reports spec.taints under metadata.taints). */
export function validateNode(node: NodeObj): FieldErrors {
  const errs: FieldErrors = [];
  const taints = node.spec?.taints ?? [];
  if (taints.length > 0) errs.push(...validateNodeTaints(taints, newPath("metadata", "taints")));
  errs.push(...validateNodeResources(node));
  const podCIDRs = node.spec?.podCIDRs ?? [];
  if (podCIDRs.length > 0) errs.push(...validatePodCIDRs(podCIDRs));
  return errs;
}

/** `ValidateNodeUpdate`: addresses unique; podCIDRs, providerID and externalID set once. */
export function validateNodeUpdate(node: NodeObj, old: NodeObj): FieldErrors {
  const errs = validateNodeResources(node);
  const seen = new Set<string>();
  (node.status?.addresses ?? []).forEach((address, i) => {
    const key = JSON.stringify([address.type, address.address]);
    if (seen.has(key)) errs.push(field.duplicate(newPath("status", "addresses").index(i), address));
    seen.add(key);
  });
  const oldCIDRs = old.spec?.podCIDRs ?? [];
  const newCIDRs = node.spec?.podCIDRs ?? [];
  const cidrMsg = 'node updates may not change podCIDR except from "" to valid';
  if (oldCIDRs.length > 0) {
    const changes =
      oldCIDRs.length !== newCIDRs.length ? 1 : oldCIDRs.filter((c, i) => c !== newCIDRs[i]).length;
    for (let i = 0; i < changes; i++) {
      errs.push(field.forbidden(newPath("spec", "podCIDRs"), cidrMsg));
    }
  }
  const oldProvider = old.spec?.providerID ?? "";
  if (oldProvider !== "" && oldProvider !== (node.spec?.providerID ?? "")) {
    errs.push(
      field.forbidden(
        newPath("spec", "providerID"),
        'node updates may not change providerID except from "" to valid',
      ),
    );
  }
  const taints = node.spec?.taints ?? [];
  if (taints.length > 0) errs.push(...validateNodeTaints(taints, newPath("metadata", "taints")));
  if (!sameValue(node.spec?.externalID ?? "", old.spec?.externalID ?? "")) {
    errs.push(field.forbidden(newPath("spec", "externalID"), "may not be updated"));
  }
  return errs;
}

/** `findNodeRoles`: `node-role.kubernetes.io/<role>` keys and the `kubernetes.io/role` value. */
export function nodeRoles(node: NodeObj): string[] {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata?.labels ?? {})) {
    if (key.startsWith(labelNodeRolePrefix)) {
      const role = key.slice(labelNodeRolePrefix.length);
      if (role.length > 0) roles.add(role);
    } else if (key === nodeLabelRole && value !== "") roles.add(value);
  }
  return [...roles].sort();
}

function nodeStatus(node: NodeObj): string {
  const ready = (node.status?.conditions ?? []).findLast((c) => c.type === "Ready");
  const status = ready ? [ready.status === "True" ? "Ready" : "NotReady"] : ["Unknown"];
  if (node.spec?.unschedulable === true) status.push("SchedulingDisabled");
  return status.join(",");
}

function nodeAddress(node: NodeObj, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? "<none>";
}

const orUnknown = (s: string | undefined) => (s === undefined || s === "" ? "<unknown>" : s);

export const nodeStrategy: Strategy<NodeObj> = {
  keepStatusOnCreate: true,
  defaults(node) {
    const status = node.status;
    if (status?.allocatable === undefined && status?.capacity !== undefined) {
      status.allocatable = { ...status.capacity };
    }
  },
  validate: validateNode,
  validateUpdate: (node, old) => [...validateNode(node), ...validateNodeUpdate(node, old)],
  validateStatusUpdate: validateNodeUpdate,
  selectableFields: (node) => ({ "spec.unschedulable": String(node.spec?.unschedulable === true) }),
  printer: {
    columns: [
      nameColumn(),
      column("Status", { description: "The status of the node" }),
      column("Roles", { description: "The roles of the node" }),
      ageColumn(),
      column("Version", { description: "Kubelet Version reported by the node." }),
      column("Internal-IP", {
        priority: 1,
        description: "List of addresses reachable to the node.",
      }),
      column("External-IP", {
        priority: 1,
        description: "List of addresses reachable to the node.",
      }),
      column("OS-Image", { priority: 1, description: "OS Image reported by the node." }),
      column("Kernel-Version", {
        priority: 1,
        description: "Kernel Version reported by the node.",
      }),
      column("Container-Runtime", {
        priority: 1,
        description: "ContainerRuntime Version reported by the node.",
      }),
    ],
    row: (node, now) => {
      const info = node.status?.nodeInfo;
      const roles = nodeRoles(node).join(",");
      return [
        nameOf(node),
        nodeStatus(node),
        roles === "" ? "<none>" : roles,
        ageOf(node, now),
        info?.kubeletVersion ?? "",
        nodeAddress(node, "InternalIP"),
        nodeAddress(node, "ExternalIP"),
        orUnknown(info?.osImage),
        orUnknown(info?.kernelVersion),
        orUnknown(info?.containerRuntimeVersion),
      ];
    },
  },
};

export const nodeResource: ResourceDefinition<NodeObj> = {
  group: "",
  version: "v1",
  kind: "Node",
  plural: "nodes",
  singular: "node",
  shortNames: ["no"],
  namespaced: false,
  subresources: ["status"],
  strategy: nodeStrategy,
};
