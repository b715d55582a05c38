/**
 * The Node authorizer (upstream `plugin/pkg/auth/authorizer/node`): kubelets, as users
 * `system:node:<name>` in group `system:nodes`, may read the secrets, config maps, claims and
 * volumes of the pods bound to their node, create tokens for those pods' service accounts, write
 * their own Node, Lease and their pods' status, and otherwise hold the static `system:node` rules.
 * Everything else gets no opinion (`allowed: false`), with upstream's reason where it gives one.
 *
 * Stricter than upstream, where NodeRestriction admission does the rest: a node may update or
 * patch only its own Node, and delete, evict or write status only of pods bound to it.
 * Creating Nodes and (mirror) pods is allowed; admission must check the body.
 */
import { localPathNodeLabel } from "../../../api/storage/local-path.ts";
import { goQuote } from "../../../machinery/go-format.ts";
import type { UserInfo } from "../../authn/user.ts";
import type { RequestInfo } from "../../request-info.ts";
import type { Authorizer, Decision } from "../authorizer.ts";
import { type Attributes, attributesFromRequestInfo } from "../rbac/attributes.ts";
import { nodeRules } from "../rbac/bootstrap-system-roles.ts";
import { rulesAllow } from "../rbac/rule-match.ts";
import type { NodeGraphSource } from "./graph-source.ts";
import { NodeGraph, type VertexType } from "./node-graph.ts";

const nodeUserPrefix = "system:node:";
export const nodesGroup = "system:nodes";
export const nodeLeaseNamespace = "kube-node-lease";

/** `NodeIdentity`: the node name of a node user, "" for one without a name, else undefined. */
export function nodeIdentity(user: UserInfo): string | undefined {
  if (!user.username.startsWith(nodeUserPrefix)) return undefined;
  if (!user.groups.includes(nodesGroup)) return undefined;
  return user.username.slice(nodeUserPrefix.length);
}

const allow: Decision = { allowed: true };
const deny = (reason: string): Decision => ({ allowed: false, reason });
const noRelationship = (node: string) =>
  deny(`no relationship found between node '${node}' and this object`);

export class NodeAuthorizer implements Authorizer {
  readonly #graph: NodeGraph;

  constructor(source: NodeGraphSource) {
    this.#graph = new NodeGraph(source);
  }

  async authorize(user: UserInfo, info: RequestInfo): Promise<Decision> {
    return this.authorizeAttributes(user, attributesFromRequestInfo(info));
  }

  authorizeAttributes(user: UserInfo, attrs: Attributes): Decision {
    const node = nodeIdentity(user);
    if (node === undefined) return { allowed: false };
    if (node === "") return deny(`unknown node for user ${goQuote(user.username)}`);
    if (attrs.isResourceRequest) {
      const decision = this.#subdivided(node, attrs);
      if (decision !== undefined) return decision;
    }
    return rulesAllow(attrs, nodeRules) ? allow : { allowed: false };
  }

  /** Resources whose access depends on the node; undefined: use the static rules. */
  #subdivided(node: string, attrs: Attributes): Decision | undefined {
    const { apiGroup, resource, subresource } = attrs;
    if (apiGroup === "coordination.k8s.io" && resource === "leases") {
      return authorizeLease(node, attrs);
    }
    if (apiGroup !== "") return undefined;
    switch (resource) {
      case "secrets":
        if (isTLSSecretList(attrs)) return allow;
        return this.#readNamespacedObject(node, "secret", attrs);
      case "configmaps":
        return this.#readNamespacedObject(node, "configmap", attrs);
      case "persistentvolumeclaims":
        if (subresource === "status") return this.#statusUpdate(node, attrs);
        return this.#get(node, "persistentvolumeclaim", attrs);
      case "persistentvolumes":
        return this.#persistentVolume(node, attrs);
      case "serviceaccounts":
        return this.#createToken(node, attrs);
      case "pods":
        return this.#pod(node, attrs);
      case "nodes":
        return authorizeNode(node, attrs);
      default:
        return undefined;
    }
  }

  #related(node: string, type: VertexType, attrs: Attributes): Decision {
    if (attrs.name === "") return deny("No Object name found");
    const ok = this.#graph.hasPathFrom(node, type, attrs.namespace, attrs.name);
    return ok ? allow : noRelationship(node);
  }

  #readNamespacedObject(node: string, type: VertexType, attrs: Attributes): Decision {
    if (!["get", "list", "watch"].includes(attrs.verb)) {
      return deny("can only read resources of this type");
    }
    if (attrs.subresource) return deny("cannot read subresource");
    if (!attrs.namespace) return deny("can only read namespaced object of this type");
    return this.#related(node, type, attrs);
  }

  #get(node: string, type: VertexType, attrs: Attributes): Decision {
    if (attrs.verb !== "get") return deny("can only get individual resources of this type");
    if (attrs.subresource) return deny("cannot get subresource");
    return this.#related(node, type, attrs);
  }

  /**
   * Volumes: get one bound to a claim of the node's pods (upstream). Bosun's local-path
   * volumes on the node (labelled `local-path.bosun.dev/node=<node>`) may also be listed and
   * watched with exactly that label selector, read, and updated (NodeRestriction lets the node
   * remove only its cleanup finalizer): the agent creates and deletes their directories.
   */
  #persistentVolume(node: string, attrs: Attributes): Decision {
    const { verb, subresource } = attrs;
    if (subresource === "" && (verb === "list" || verb === "watch")) {
      const selector = (attrs.labelSelector ?? "").replaceAll(" ", "");
      const own = [`${localPathNodeLabel}=${node}`, `${localPathNodeLabel}==${node}`];
      if (attrs.name === "" && own.includes(selector)) return allow;
      return deny("can only get individual resources of this type");
    }
    if (subresource === "" && ["get", "update", "patch"].includes(verb) && attrs.name !== "") {
      if (this.#graph.localVolumeOnNode(node, attrs.name)) return allow;
      if (verb !== "get") return noRelationship(node);
    }
    return this.#get(node, "persistentvolume", attrs);
  }

  #statusUpdate(node: string, attrs: Attributes): Decision {
    if (attrs.verb !== "update" && attrs.verb !== "patch") {
      return deny("can only get/update/patch this type");
    }
    if (attrs.subresource !== "status") return deny("can only update status subresource");
    return this.#related(node, "persistentvolumeclaim", attrs);
  }

  #createToken(node: string, attrs: Attributes): Decision {
    if (attrs.verb !== "create" || attrs.name === "") {
      return deny("can only create tokens for individual service accounts");
    }
    if (attrs.subresource !== "token") {
      return deny("can only create token subresource of serviceaccount");
    }
    return this.#related(node, "serviceaccount", attrs);
  }

  /** Pods: read and create freely; delete, evict and write status of pods bound to the node. */
  #pod(node: string, attrs: Attributes): Decision | undefined {
    const { verb, subresource } = attrs;
    const own =
      (subresource === "" && verb === "delete") ||
      (subresource === "status" && (verb === "update" || verb === "patch")) ||
      (subresource === "eviction" && verb === "create");
    return own ? this.#related(node, "pod", attrs) : undefined;
  }
}

/** `authorizeLease`: the node's own Lease in kube-node-lease. */
function authorizeLease(node: string, attrs: Attributes): Decision {
  if (!["get", "create", "update", "patch", "delete"].includes(attrs.verb)) {
    return deny("can only get, create, update, patch, or delete a node lease");
  }
  if (attrs.namespace !== nodeLeaseNamespace) {
    return deny(`can only access leases in the "${nodeLeaseNamespace}" system namespace`);
  }
  // The name is unknown to authorization on create; NodeRestriction admission checks it.
  if (attrs.verb !== "create" && attrs.name !== node) {
    return deny("can only access node lease with the same name as the requesting node");
  }
  return allow;
}

/** Nodes: update and patch (of the object or its status) only of the node itself. */
function authorizeNode(node: string, attrs: Attributes): Decision | undefined {
  if (attrs.subresource !== "" && attrs.subresource !== "status") return undefined;
  if (attrs.verb !== "update" && attrs.verb !== "patch") return undefined;
  if (attrs.name === node) return allow;
  return deny(`node ${goQuote(node)} is not allowed to modify node ${goQuote(attrs.name)}`);
}

/**
 * Bosun: every node's agent terminates TLS for every Ingress (src/ingress/), so a node may list
 * and watch Secrets of type `kubernetes.io/tls` in all namespaces, with exactly that field
 * selector, and no others.
 */
function isTLSSecretList(attrs: Attributes): boolean {
  if (attrs.verb !== "list" && attrs.verb !== "watch") return false;
  if (attrs.subresource !== "" || attrs.name !== "" || attrs.namespace !== "") return false;
  const selector = (attrs.fieldSelector ?? "").replaceAll(" ", "");
  return selector === "type=kubernetes.io/tls" || selector === "type==kubernetes.io/tls";
}
