/**
 * core/v1 `bindings`: the legacy way to bind a pod to a node (POST a Binding naming the pod in its
 * own metadata), still served upstream and used by older custom schedulers. Answered by the
 * pods/binding handler, never stored.
 */
import type { ResourceDefinition } from "../../resource.ts";

export const bindingResource: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Binding",
  plural: "bindings",
  singular: "binding",
  namespaced: true,
  verbs: ["create"],
  virtual: true,
  strategy: {},
};
