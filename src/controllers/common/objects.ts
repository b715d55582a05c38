/**
 * The generated API types as objects the client and informers handle (`KubeObject` adds the
 * index signature the generated interfaces lack).
 */
import type {
  Deployment as DeploymentType,
  Pod as PodType,
  ReplicaSet as ReplicaSetType,
} from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";

export type Pod = PodType & KubeObject;
export type ReplicaSet = ReplicaSetType & KubeObject;
export type Deployment = DeploymentType & KubeObject;
