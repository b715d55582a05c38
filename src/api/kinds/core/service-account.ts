/**
 * core/v1 ServiceAccount (upstream `ValidateServiceAccount`: object meta only;
 * `printServiceAccount`).
 */
import type { ServiceAccount } from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import { ageColumn, ageOf, nameColumn, nameOf, type Obj } from "./common.ts";

type ServiceAccountObj = Obj<ServiceAccount>;

export const serviceAccountStrategy: Strategy<ServiceAccountObj> = {
  printer: {
    columns: [
      nameColumn(),
      column("Secrets", { description: "Secrets is a list of the secrets used by this account." }),
      ageColumn(),
    ],
    row: (sa, now) => [nameOf(sa), (sa.secrets ?? []).length, ageOf(sa, now)],
  },
};

export const serviceAccountResource: ResourceDefinition<ServiceAccountObj> = {
  group: "",
  version: "v1",
  kind: "ServiceAccount",
  plural: "serviceaccounts",
  singular: "serviceaccount",
  shortNames: ["sa"],
  namespaced: true,
  subresources: ["token"],
  strategy: serviceAccountStrategy,
};
