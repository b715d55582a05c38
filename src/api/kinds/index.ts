/**
 * Every built-in resource the API server serves, in discovery order: the core group first, then
 * apps, batch and the other groups.
 */

import { customResourceDefinitionResource } from "../crd/index.ts";
import type { ResourceDefinition } from "../resource.ts";
import { admissionResources } from "./admission/index.ts";
import { reviewResources } from "./auth/index.ts";
import { certificateSigningRequestResource } from "./certificates/csr.ts";
import { coreResources } from "./core/index.ts";
import { metricsResources } from "./metrics/index.ts";
import { nodeResources } from "./node/index.ts";
import { policyResources } from "./policy/index.ts";
import { rbacResources } from "./rbac/index.ts";
import { storageResources } from "./storage/index.ts";
import { workloadResources } from "./workloads/index.ts";

const all = [
  ...coreResources,
  ...storageResources,
  ...workloadResources,
  customResourceDefinitionResource as unknown as ResourceDefinition,
  ...rbacResources,
  ...policyResources,
  ...nodeResources,
  ...reviewResources,
  certificateSigningRequestResource as unknown as ResourceDefinition,
  ...admissionResources,
  ...metricsResources,
];
const groupOrder = ["", "apps", "batch"];
const rank = (def: ResourceDefinition) => {
  const i = groupOrder.indexOf(def.group);
  return i < 0 ? groupOrder.length : i;
};

export const builtinResources: ResourceDefinition[] = all
  .map((def, index) => ({ def, index }))
  .sort((a, b) => rank(a.def) - rank(b.def) || a.index - b.index)
  .map(({ def }) => def);
