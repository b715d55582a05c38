/**
 * core/v1 ReplicationController (upstream `pkg/registry/core/replicationcontroller`): v1
 * defaults, validation, status reset on create, generation bumped by spec changes, the scale
 * subresource (its selector a plain label map), orphaning by default (v1's backwards-compatible
 * garbage-collection policy), the `status.replicas` field selector and the `kubectl get rc`
 * table.
 */
import { newPath } from "../../../machinery/field-path.ts";
import type { ReplicationController } from "../../generated/types.ts";
import { column, type Printer } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import { replicatedRow } from "./apps-printers.ts";
import { ageColumn, containerColumns, formatLabels, nameColumn, type Obj } from "./common.ts";
import { defaultPodTemplateSpec } from "./pod-defaults.ts";
import {
  replicationControllerWarnings,
  validateReplicationControllerSpec,
  validateReplicationControllerStatus,
} from "./replication-controller-validation.ts";

type ReplicationControllerObj = Obj<ReplicationController>;

/**
 * `SetDefaults_ReplicationController`: the selector and the labels default to the template's
 * labels (when the template has a label map at all), replicas to 1; then the template's pod spec.
 */
export function defaultReplicationController(rc: ReplicationController): void {
  rc.spec ??= {};
  const spec = rc.spec;
  const labels = spec.template?.metadata?.labels;
  if (labels !== undefined) {
    if (Object.keys(spec.selector ?? {}).length === 0) spec.selector = { ...labels };
    rc.metadata ??= {};
    if (Object.keys(rc.metadata.labels ?? {}).length === 0) rc.metadata.labels = { ...labels };
  }
  spec.replicas ??= 1;
  defaultPodTemplateSpec(spec.template);
}

/** `printReplicationController`. */
export const replicationControllerPrinter: Printer<ReplicationController> = {
  columns: [
    nameColumn(),
    column("Desired", {
      type: "integer",
      description:
        "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller",
    }),
    column("Current", {
      type: "integer",
      description:
        "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller",
    }),
    column("Ready", {
      type: "integer",
      description: "The number of ready replicas for this replication controller.",
    }),
    ageColumn(),
    ...containerColumns(),
    column("Selector", {
      priority: 1,
      description:
        "Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels#label-selectors",
    }),
  ],
  row: (rc, now) => replicatedRow(rc, now, formatLabels(rc.spec?.selector)),
};

export const replicationControllerResource: ResourceDefinition<ReplicationControllerObj> = {
  group: "",
  version: "v1",
  kind: "ReplicationController",
  plural: "replicationcontrollers",
  singular: "replicationcontroller",
  shortNames: ["rc"],
  categories: ["all"],
  namespaced: true,
  subresources: ["status", "scale"],
  scale: {
    specReplicasPath: "spec.replicas",
    statusReplicasPath: "status.replicas",
    labelSelectorPath: "spec.selector",
    labelSelectorIsMap: true,
  },
  strategy: {
    tracksGeneration: true,
    // core/v1 keeps the pre-garbage-collector behaviour: pods are orphaned unless asked
    // otherwise (kubectl asks for Background).
    defaultPropagation: "Orphan",
    defaults: defaultReplicationController,
    prepareForCreate(rc) {
      rc.status = { replicas: 0 };
    },
    validate: (rc) => validateReplicationControllerSpec(rc.spec, newPath("spec")),
    validateUpdate: (rc) => validateReplicationControllerSpec(rc.spec, newPath("spec")),
    validateStatusUpdate: (rc) => validateReplicationControllerStatus(rc.status, newPath("status")),
    warnings: (rc, old) => (old === undefined ? replicationControllerWarnings(rc) : []),
    selectableFields: (rc) => ({ "status.replicas": String(rc.status?.replicas ?? 0) }),
    printer: replicationControllerPrinter,
  },
};
