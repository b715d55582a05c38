/**
 * apiextensions.k8s.io/v1 CustomResourceDefinition as a served resource (upstream
 * `pkg/registry/customresourcedefinition` strategy and `SetDefaults_CustomResourceDefinition*`):
 * cluster-scoped, with a status subresource; defaults for names and conversion; stored versions
 * kept on create and update; the default Name / Created At table. `acceptedStatus` is what
 * upstream's naming and establishing controllers write once the names are free.
 */

import { formatTime } from "../../machinery/time.ts";
import type {
  CustomResourceDefinition,
  CustomResourceDefinitionCondition,
  CustomResourceDefinitionNames,
  CustomResourceDefinitionStatus,
} from "../generated/types.ts";
import type { KubeObject } from "../object.ts";
import { defaultPrinter, type Printer } from "../printer.ts";
import type { ResourceDefinition } from "../resource.ts";
import type { Strategy } from "../strategy.ts";
import {
  validateCustomResourceDefinition,
  validateCustomResourceDefinitionStatus,
  validateCustomResourceDefinitionUpdate,
} from "./crd-validation.ts";

export type CRDObject = CustomResourceDefinition & KubeObject;

/** `SetDefaults_CustomResourceDefinitionSpec` (v1). */
export function defaultCustomResourceDefinition(crd: CRDObject): void {
  const spec = crd.spec;
  if (spec === undefined) return;
  const names = spec.names;
  if (names !== undefined) {
    if (!names.singular && names.kind) names.singular = names.kind.toLowerCase();
    if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  }
  spec.conversion ??= { strategy: "None" };
  spec.preserveUnknownFields ??= false;
}

/** The storage version appended to `status.storedVersions` if it is not there yet. */
function recordStorageVersion(crd: CRDObject): void {
  const storage = crd.spec?.versions?.find((v) => v.storage);
  if (storage === undefined) return;
  crd.status ??= {};
  const stored = crd.status.storedVersions ?? [];
  if (!stored.includes(storage.name)) crd.status.storedVersions = [...stored, storage.name];
}

function namesOf(names: CustomResourceDefinitionNames): CustomResourceDefinitionNames {
  return structuredClone(names);
}

/** Sets `condition` in `conditions`, keeping lastTransitionTime when the status did not change. */
function setCondition(
  conditions: CustomResourceDefinitionCondition[],
  condition: CustomResourceDefinitionCondition,
): void {
  const i = conditions.findIndex((c) => c.type === condition.type);
  const old = conditions[i];
  if (old === undefined) conditions.push(condition);
  else {
    const lastTransitionTime =
      old.status === condition.status ? old.lastTransitionTime : condition.lastTransitionTime;
    conditions[i] = { ...condition, ...(lastTransitionTime && { lastTransitionTime }) };
  }
}

export interface AcceptedStatusOptions {
  /** A name clash found by the caller (e.g. `"widgets" is already in use`): names not accepted. */
  readonly conflict?: string;
}

/**
 * The status upstream's NamingConditionController and EstablishingController write: accepted
 * names equal to spec.names, NamesAccepted=True (NoConflicts) and Established=True
 * (InitialNamesAccepted). With a conflict, NamesAccepted=False (NameConflict) and a CRD that was
 * not established yet stays unestablished (NotAccepted). `now` is milliseconds since the epoch.
 */
export function acceptedStatus(
  crd: CustomResourceDefinition,
  now: number,
  options: AcceptedStatusOptions = {},
): CustomResourceDefinitionStatus {
  const at = formatTime(now);
  const conditions = structuredClone(crd.status?.conditions ?? []);
  const established = conditions.some((c) => c.type === "Established" && c.status === "True");
  const storage = crd.spec.versions.find((v) => v.storage)?.name;
  const storedVersions = crd.status?.storedVersions ?? (storage === undefined ? [] : [storage]);
  if (options.conflict !== undefined) {
    const message = options.conflict;
    setCondition(conditions, {
      type: "NamesAccepted",
      status: "False",
      reason: "NameConflict",
      message,
      lastTransitionTime: at,
    });
    if (!established) {
      setCondition(conditions, {
        type: "Established",
        status: "False",
        reason: "NotAccepted",
        message: "not all names are accepted",
        lastTransitionTime: at,
      });
    }
    const acceptedNames = crd.status?.acceptedNames ?? { plural: "", kind: "" };
    return { acceptedNames, conditions, storedVersions };
  }
  setCondition(conditions, {
    type: "NamesAccepted",
    status: "True",
    reason: "NoConflicts",
    message: "no conflicts found",
    lastTransitionTime: at,
  });
  setCondition(conditions, {
    type: "Established",
    status: "True",
    reason: "InitialNamesAccepted",
    message: "the initial names have been accepted",
    lastTransitionTime: at,
  });
  return { acceptedNames: namesOf(crd.spec.names), conditions, storedVersions };
}

export const customResourceDefinitionStrategy: Strategy<CRDObject> = {
  tracksGeneration: true,
  defaults: defaultCustomResourceDefinition,
  prepareForCreate(crd) {
    crd.status = {};
    recordStorageVersion(crd);
  },
  prepareForUpdate(crd) {
    recordStorageVersion(crd);
  },
  validate: validateCustomResourceDefinition,
  validateUpdate: validateCustomResourceDefinitionUpdate,
  validateStatusUpdate: validateCustomResourceDefinitionStatus,
  printer: defaultPrinter as Printer<CRDObject>,
};

export const customResourceDefinitionResource: ResourceDefinition<CRDObject> = {
  group: "apiextensions.k8s.io",
  version: "v1",
  kind: "CustomResourceDefinition",
  plural: "customresourcedefinitions",
  singular: "customresourcedefinition",
  shortNames: ["crd", "crds"],
  categories: ["api-extensions"],
  namespaced: false,
  subresources: ["status"],
  strategy: customResourceDefinitionStrategy,
};
