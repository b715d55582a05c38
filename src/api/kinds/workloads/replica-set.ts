/**
 * apps/v1 ReplicaSet: defaults, validation (selector immutable on update), the scale subresource,
 * the `status.replicas` field selector and the `kubectl get replicasets` table.
 */

import { newPath } from "../../../machinery/field-path.ts";
import type { ReplicaSet } from "../../generated/types.ts";
import type { ResourceDefinition } from "../../resource.ts";
import { defaultReplicaSet } from "./apps-defaults.ts";
import { replicaSetPrinter } from "./apps-printers.ts";
import { validateReplicaSetSpec } from "./apps-validation.ts";
import {
  goLabelSelector,
  type Obj,
  validateImmutableField,
  validateStatusCounters,
} from "./common.ts";

type ReplicaSetObj = Obj<ReplicaSet>;

export const replicaSetResource: ResourceDefinition<ReplicaSetObj> = {
  group: "apps",
  version: "v1",
  kind: "ReplicaSet",
  plural: "replicasets",
  singular: "replicaset",
  shortNames: ["rs"],
  categories: ["all"],
  namespaced: true,
  subresources: ["status", "scale"],
  scale: {
    specReplicasPath: "spec.replicas",
    statusReplicasPath: "status.replicas",
    labelSelectorPath: "spec.selector",
  },
  strategy: {
    tracksGeneration: true,
    defaults: defaultReplicaSet,
    prepareForCreate(rs) {
      rs.status = { replicas: 0 };
    },
    validate: (rs) => validateReplicaSetSpec(rs.spec, newPath("spec")),
    validateUpdate: (rs, old) => [
      ...validateReplicaSetSpec(rs.spec, newPath("spec")),
      ...validateImmutableField(
        rs.spec?.selector,
        old.spec?.selector,
        newPath("spec", "selector"),
        goLabelSelector,
      ),
    ],
    validateStatusUpdate: (rs) =>
      validateStatusCounters(rs.status, [
        "replicas",
        "fullyLabeledReplicas",
        "readyReplicas",
        "availableReplicas",
        "terminatingReplicas",
        "observedGeneration",
      ]),
    selectableFields: (rs) => ({ "status.replicas": String(rs.status?.replicas ?? 0) }),
    printer: replicaSetPrinter,
  },
};
