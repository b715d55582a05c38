/**
 * The node.k8s.io kinds this folder defines (RuntimeClass), as the resource table wants them.
 * See README.md.
 */
import type { ResourceDefinition } from "../../resource.ts";
import { runtimeClassResource } from "./runtime-class.ts";

export const nodeResources: ResourceDefinition[] = [
  runtimeClassResource as unknown as ResourceDefinition,
];
