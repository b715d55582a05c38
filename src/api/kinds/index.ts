/** Every built-in resource the API server serves. TEMPORARY minimal set while kinds are written. */
import type { ResourceDefinition } from "../resource.ts";

const namespace: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Namespace",
  plural: "namespaces",
  singular: "namespace",
  shortNames: ["ns"],
  namespaced: false,
  subresources: ["status", "finalize"],
  strategy: {
    nameValidation: "dns1123Label",
    prepareForCreate(obj) {
      obj.status = { phase: "Active" };
    },
  },
};

const configMap: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "ConfigMap",
  plural: "configmaps",
  singular: "configmap",
  shortNames: ["cm"],
  namespaced: true,
  strategy: {},
};

const deployment: ResourceDefinition = {
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

export const builtinResources: ResourceDefinition[] = [namespace, configMap, deployment];
