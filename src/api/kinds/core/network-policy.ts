/**
 * networking.k8s.io/v1 NetworkPolicy (upstream `SetDefaults_NetworkPolicy`,
 * `ValidateNetworkPolicy`, `printNetworkPolicy`). Stored and served so that manifests and charts
 * that carry policies install; Bosun's bridge network does not enforce them (as a cluster whose
 * CNI plugin does not support policies).
 */
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { cidrContains, parseCIDRSloppy } from "../../../machinery/ip.ts";
import { isValidCIDR, isValidPortName, isValidPortNum } from "../../../machinery/validation.ts";
import type {
  IPBlock,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
} from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import { formatLabelSelector } from "../workloads/common.ts";
import { validateLabelSelector } from "../workloads/label-selector.ts";
import {
  ageColumn,
  ageOf,
  type FieldErrors,
  nameColumn,
  nameOf,
  type Obj,
  supportedPortProtocols,
} from "./common.ts";

type NetworkPolicyObj = Obj<NetworkPolicy>;

const policyTypes = ["Ingress", "Egress"];

/** `ValidateNetworkPolicyPort`. */
function validatePort(port: NetworkPolicyPort, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  if (port.protocol !== undefined && !supportedPortProtocols.includes(port.protocol)) {
    errs.push(
      field.notSupported(path.child("protocol"), port.protocol, [...supportedPortProtocols]),
    );
  }
  const p = port.port;
  if (p === undefined || p === null) {
    if (port.endPort !== undefined) {
      errs.push(
        field.invalid(
          path.child("endPort"),
          port.endPort,
          "may not be specified when `port` is not specified",
        ),
      );
    }
    return errs;
  }
  if (typeof p === "number") {
    for (const msg of isValidPortNum(p)) errs.push(field.invalid(path.child("port"), p, msg));
    if (port.endPort !== undefined) {
      if (port.endPort < p) {
        errs.push(
          field.invalid(path.child("endPort"), p, "must be greater than or equal to `port`"),
        );
      }
      for (const msg of isValidPortNum(port.endPort)) {
        errs.push(field.invalid(path.child("endPort"), port.endPort, msg));
      }
    }
    return errs;
  }
  if (port.endPort !== undefined) {
    errs.push(
      field.invalid(
        path.child("endPort"),
        port.endPort,
        "may not be specified when `port` is non-numeric",
      ),
    );
  }
  for (const msg of isValidPortName(p)) errs.push(field.invalid(path.child("port"), p, msg));
  return errs;
}

/** `ValidateIPBlock`: a CIDR, and exceptions strictly inside it. */
function validateIPBlock(block: IPBlock, path: FieldPath): FieldErrors {
  if (!block.cidr) return [field.required(path.child("cidr"), "")];
  const errs = isValidCIDR(path.child("cidr"), block.cidr);
  const cidr = parseCIDRSloppy(block.cidr);
  if (!cidr) return errs;
  (block.except ?? []).forEach((text, i) => {
    const exceptPath = path.child("except").index(i);
    errs.push(...isValidCIDR(exceptPath, text));
    const except = parseCIDRSloppy(text);
    if (!except) return;
    if (!cidrContains(cidr, except.ip) || cidr.prefixLength >= except.prefixLength) {
      errs.push(field.invalid(exceptPath, text, "must be a strict subset of `cidr`"));
    }
  });
  return errs;
}

/** `ValidateNetworkPolicyPeer`: exactly one kind of peer, ipBlock alone. */
function validatePeer(peer: NetworkPolicyPeer, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  let peers = 0;
  if (peer.podSelector) {
    peers++;
    errs.push(...validateLabelSelector(peer.podSelector, path.child("podSelector")));
  }
  if (peer.namespaceSelector) {
    peers++;
    errs.push(...validateLabelSelector(peer.namespaceSelector, path.child("namespaceSelector")));
  }
  if (peer.ipBlock) {
    peers++;
    errs.push(...validateIPBlock(peer.ipBlock, path.child("ipBlock")));
  }
  if (peers === 0) errs.push(field.required(path, "must specify a peer"));
  else if (peers > 1 && peer.ipBlock) {
    errs.push(field.forbidden(path, "may not specify both ipBlock and another peer"));
  }
  return errs;
}

/** `ValidateNetworkPolicySpec`. */
export function validateNetworkPolicy(np: NetworkPolicyObj): FieldErrors {
  const spec = np.spec ?? {};
  const path = newPath("spec");
  const errs = validateLabelSelector(spec.podSelector, path.child("podSelector"));
  const rules = [
    ["ingress", "from", spec.ingress ?? []],
    ["egress", "to", spec.egress ?? []],
  ] as const;
  for (const [name, peersField, list] of rules) {
    list.forEach((rule, i) => {
      const rulePath = path.child(name).index(i);
      (rule.ports ?? []).forEach((port, j) => {
        errs.push(...validatePort(port, rulePath.child("ports").index(j)));
      });
      const peers = (rule as Record<string, NetworkPolicyPeer[] | undefined>)[peersField] ?? [];
      peers.forEach((peer, j) => {
        errs.push(...validatePeer(peer, rulePath.child(peersField).index(j)));
      });
    });
  }
  const types = spec.policyTypes ?? [];
  if (types.length > policyTypes.length) {
    errs.push(
      field.invalid(path.child("policyTypes"), types, "may not specify more than two policyTypes"),
    );
    return errs;
  }
  types.forEach((t, i) => {
    if (!policyTypes.includes(t))
      errs.push(field.notSupported(path.child("policyTypes").index(i), t, policyTypes));
  });
  return errs;
}

export const networkPolicyStrategy: Strategy<NetworkPolicyObj> = {
  tracksGeneration: true,
  /** `SetDefaults_NetworkPolicy`: Ingress (and Egress with egress rules); ports default to TCP. */
  defaults(np) {
    const spec = np.spec;
    if (!spec) return;
    if (!spec.policyTypes || spec.policyTypes.length === 0) {
      spec.policyTypes =
        spec.egress && spec.egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
    }
    for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
      for (const port of rule.ports ?? []) port.protocol ??= "TCP";
    }
  },
  validate: validateNetworkPolicy,
  validateUpdate: (np) => validateNetworkPolicy(np),
  printer: {
    columns: [
      nameColumn(),
      column("Pod-Selector", { description: "The pods this policy applies to" }),
      ageColumn(),
    ],
    row: (np, now) => [nameOf(np), formatLabelSelector(np.spec?.podSelector), ageOf(np, now)],
  },
};

export const networkPolicyResource: ResourceDefinition<NetworkPolicyObj> = {
  group: "networking.k8s.io",
  version: "v1",
  kind: "NetworkPolicy",
  plural: "networkpolicies",
  singular: "networkpolicy",
  shortNames: ["netpol"],
  namespaced: true,
  strategy: networkPolicyStrategy,
};
