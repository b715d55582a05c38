/**
 * Test helpers for the plugins: admission attributes for a resource, and bare resource
 * definitions (plugins only look at group, plural and namespaced).
 */
import type { KubeObject } from "../../../api/object.ts";
import type { ResourceDefinition } from "../../../api/resource.ts";
import type { UserInfo } from "../../authn/user.ts";
import type { AdmissionAttributes, Operation } from "../admission.ts";

export function resourceDef(group: string, plural: string, kind: string, namespaced = true) {
  const def: ResourceDefinition = {
    group,
    version: "v1",
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    strategy: {},
  };
  return def;
}

export const podsDef = resourceDef("", "pods", "Pod");
export const pvcsDef = resourceDef("", "persistentvolumeclaims", "PersistentVolumeClaim");
export const nodesDef = resourceDef("", "nodes", "Node", false);

export const adminUser: UserInfo = { username: "admin", groups: ["system:masters"] };

export interface AttrsInput {
  operation?: Operation;
  resource: ResourceDefinition;
  subresource?: string;
  namespace?: string;
  name?: string;
  object?: KubeObject;
  oldObject?: KubeObject;
  user?: UserInfo;
}

/** Attributes with a `warnings` array, as the API server will pass them. */
export function attrs(input: AttrsInput): AdmissionAttributes & { warnings: string[] } {
  return {
    operation: input.operation ?? "CREATE",
    resource: input.resource,
    subresource: input.subresource ?? "",
    namespace: input.namespace ?? "ns",
    name: input.name ?? input.object?.metadata?.name ?? "",
    object: input.object,
    oldObject: input.oldObject,
    user: input.user ?? adminUser,
    dryRun: false,
    warnings: [],
  };
}
