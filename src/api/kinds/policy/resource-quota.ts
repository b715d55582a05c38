/**
 * core/v1 ResourceQuota (upstream `pkg/registry/core/resourcequota/strategy.go`,
 * `ValidateResourceQuota`, `printResourceQuota`). The spec holds the hard limits; the status
 * (written by the quota controller through the status subresource) holds hard and used.
 */

import type { ResourceQuota } from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import { ageColumn, ageOf, nameColumn, nameOf, type Obj, quantityString } from "../core/common.ts";
import {
  validateResourceQuota,
  validateResourceQuotaStatus,
  validateResourceQuotaUpdate,
} from "./resource-quota-validation.ts";

type ResourceQuotaObj = Obj<ResourceQuota>;

/**
 * The REQUEST and LIMIT cells: `name: used/hard` for every status.hard resource, sorted by name,
 * with `limits.*` resources in LIMIT and all others in REQUEST.
 */
export function quotaCells(rq: ResourceQuota): [string, string] {
  const hard = rq.status?.hard ?? {};
  const used = rq.status?.used ?? {};
  const requests: string[] = [];
  const limits: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const pieces = name.split(".");
    const into = pieces.length > 1 && pieces[0] === "limits" ? limits : requests;
    into.push(`${name}: ${quantityString(used[name])}/${quantityString(hard[name])}`);
  }
  return [requests.join(", "), limits.join(", ")];
}

export const resourceQuotaStrategy: Strategy<ResourceQuotaObj> = {
  validate: validateResourceQuota,
  validateUpdate: validateResourceQuotaUpdate,
  validateStatusUpdate: validateResourceQuotaStatus,
  printer: {
    columns: [
      nameColumn(),
      ageColumn(),
      column("Request", {
        description:
          "Request represents a minimum amount of cpu/memory that a container may consume.",
      }),
      column("Limit", {
        description:
          "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.",
      }),
    ],
    row: (rq, now) => [nameOf(rq), ageOf(rq, now), ...quotaCells(rq)],
  },
};

export const resourceQuotaResource: ResourceDefinition<ResourceQuotaObj> = {
  group: "",
  version: "v1",
  kind: "ResourceQuota",
  plural: "resourcequotas",
  singular: "resourcequota",
  shortNames: ["quota"],
  namespaced: true,
  subresources: ["status"],
  strategy: resourceQuotaStrategy,
};
