/**
 * Every built-in resource the API server serves, in discovery order (the core group first).
 * The workload kinds (Pod, apps/v1, batch/v1) are being written; until they land, Deployment is
 * served with the generic strategy only.
 */
import type { ResourceDefinition } from "../resource.ts";
import { coreResources } from "./core/index.ts";

const interimDeployment: ResourceDefinition = {
  group: "apps",
  version: "v1",
  kind: "Deployment",
  plural: "deployments",
  singular: "deployment",
  shortNames: ["deploy"],
  categories: ["all"],
  namespaced: true,
  subresources: ["status", "scale"],
  scale: {
    specReplicasPath: "spec.replicas",
    statusReplicasPath: "status.replicas",
    labelSelectorPath: "spec.selector",
  },
  strategy: { tracksGeneration: true },
};

export const builtinResources: ResourceDefinition[] = [...coreResources, interimDeployment];
