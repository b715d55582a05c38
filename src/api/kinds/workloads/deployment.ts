/**
 * apps/v1 Deployment: defaults, validation (selector immutable on update), generation bumped by
 * spec or annotation changes, the scale subresource and the `kubectl get deployments` table.
 */
import { isDeepStrictEqual } from "node:util";
import { newPath } from "../../../machinery/field-path.ts";
import type { Deployment } from "../../generated/types.ts";
import type { ResourceDefinition } from "../../resource.ts";
import { defaultDeployment } from "./apps-defaults.ts";
import { deploymentPrinter } from "./apps-printers.ts";
import { validateDeploymentSpec } from "./apps-validation.ts";
import {
  goLabelSelector,
  type Obj,
  validateImmutableField,
  validateStatusCounters,
} from "./common.ts";

type DeploymentObj = Obj<Deployment>;

export const deploymentResource: ResourceDefinition<DeploymentObj> = {
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
  strategy: {
    tracksGeneration: true,
    defaults: defaultDeployment,
    prepareForCreate(d) {
      d.status = {};
    },
    // Annotations are copied to ReplicaSets, so changing them is a new generation too.
    prepareForUpdate(d, old) {
      const meta = d.metadata;
      const annotationsChanged = !isDeepStrictEqual(
        meta?.annotations ?? {},
        old.metadata?.annotations ?? {},
      );
      if (meta && annotationsChanged && isDeepStrictEqual(d.spec, old.spec)) {
        meta.generation = (old.metadata?.generation ?? 1) + 1;
      }
    },
    validate: (d) => validateDeploymentSpec(d.spec, newPath("spec")),
    validateUpdate: (d, old) => [
      ...validateDeploymentSpec(d.spec, newPath("spec")),
      ...validateImmutableField(
        d.spec?.selector,
        old.spec?.selector,
        newPath("spec", "selector"),
        goLabelSelector,
      ),
    ],
    validateStatusUpdate: (d) =>
      validateStatusCounters(d.status, [
        "observedGeneration",
        "replicas",
        "updatedReplicas",
        "readyReplicas",
        "availableReplicas",
        "unavailableReplicas",
        "terminatingReplicas",
        "collisionCount",
      ]),
    printer: deploymentPrinter,
  },
};
