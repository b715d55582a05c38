/**
 * A served resource: its names (as discovery publishes them), scope, subresources, and the
 * strategy that holds everything kind-specific. The generic registry does the rest.
 */
import type { ApplySchema } from "../machinery/apply/schema.ts";
import type { KubeObject } from "./object.ts";
import type { ResourceSpec } from "./schema/openapi-paths.ts";
import type { SchemaNode } from "./schema/schema.ts";
import type { Strategy } from "./strategy.ts";

export type SubresourceName =
  | "status"
  | "scale"
  | "log"
  | "exec"
  | "attach"
  | "portforward"
  | "binding"
  | "eviction"
  | "ephemeralcontainers"
  | "token"
  | "finalize"
  | "approval"
  | "proxy";

export interface ScaleSpec {
  /** JSON paths (dotted) of the replica fields and the label selector. */
  readonly specReplicasPath: string;
  readonly statusReplicasPath: string;
  readonly labelSelectorPath?: string;
  /**
   * The field at labelSelectorPath is a plain label map (ReplicationController's `spec.selector`,
   * printed as `labels.SelectorFromSet`), not a LabelSelector or a selector string.
   */
  readonly labelSelectorIsMap?: boolean;
}

export interface SharedStorage<T extends KubeObject> {
  /** The resource whose storage this one shares (events.k8s.io events live with core events). */
  readonly group: string;
  readonly resource: string;
  toStorage(obj: T): KubeObject;
  fromStorage(obj: KubeObject): T;
}

export interface ResourceDefinition<T extends KubeObject = KubeObject> {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  readonly namespaced: boolean;
  /** Discovery verbs; absent: all of create, delete, deletecollection, get, list, patch, update, watch. */
  readonly verbs?: readonly string[];
  readonly subresources?: readonly SubresourceName[];
  readonly scale?: ScaleSpec;
  readonly storage?: SharedStorage<T>;
  /**
   * Not stored: a create is answered by a handler of the API server (TokenReview,
   * SubjectAccessReview and the other reviews).
   */
  readonly virtual?: boolean;
  /**
   * The server-side-apply schema (list types, map keys). Built-in kinds leave it out and get
   * theirs from the OpenAPI table; custom resources supply one from their CRD.
   */
  readonly applySchema?: () => ApplySchema | undefined;
  /**
   * For custom resources: the OpenAPI definitions and resource spec to publish (built-in kinds
   * come from the generated table). Custom resources also refuse strategic merge patches.
   */
  readonly openapi?: {
    readonly definitions: Readonly<Record<string, SchemaNode>>;
    readonly resource: ResourceSpec;
  };
  readonly strategy: Strategy<T>;
}

export function listKindOf(def: ResourceDefinition<KubeObject>): string {
  return `${def.kind}List`;
}
