/**
 * storage.k8s.io/v1 CSIDriver (upstream `SetDefaults_CSIDriver`, `ValidateCSIDriver`,
 * `printCSIDriver`). Cluster-scoped, named after the driver. Stored and served so that CSI driver
 * charts install and tools can list drivers; Bosun's kubelet has no CSI support, so nothing reads
 * these objects (no attach, no NodePublishVolume, no token requests).
 */
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import type { CSIDriver, CSIDriverSpec, StorageV1TokenRequest } from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import {
  ageColumn,
  ageOf,
  type FieldErrors,
  nameColumn,
  nameOf,
  type Obj,
  validateImmutableField,
} from "../core/common.ts";

type CSIDriverObj = Obj<CSIDriver>;

const fsGroupPolicies = ["File", "None", "ReadWriteOnceWithFSType"];
const lifecycleModes = ["Persistent", "Ephemeral"];
const minTokenSeconds = 10 * 60;
const maxTokenSeconds = 2 ** 32;

function requiredBool(value: boolean | undefined, path: FieldPath): FieldErrors {
  return value === undefined || value === null ? [field.required(path, "")] : [];
}

/** `validateTokenRequests`: audiences unique, expirations between 10 minutes and 2^32 seconds. */
function validateTokenRequests(requests: StorageV1TokenRequest[], path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  const audiences = new Set<string>();
  requests.forEach((request, i) => {
    const audience = request.audience ?? "";
    if (audiences.has(audience)) {
      errs.push(field.duplicate(path.index(i).child("audience"), audience));
      return;
    }
    audiences.add(audience);
    const seconds = request.expirationSeconds;
    if (seconds === undefined || seconds === null) return;
    const p = path.index(i).child("expirationSeconds");
    if (seconds < minTokenSeconds) {
      errs.push(field.invalid(p, seconds, "may not specify a duration less than 10 minutes"));
    }
    if (seconds > maxTokenSeconds) {
      errs.push(field.invalid(p, seconds, "may not specify a duration larger than 2^32 seconds"));
    }
  });
  return errs;
}

/** `validateCSIDriverSpec`, with upstream's `attachedRequired` spelling of the path. */
function validateCSIDriverSpec(spec: CSIDriverSpec): FieldErrors {
  const path = newPath("spec");
  const errs = [
    ...requiredBool(spec.attachRequired, path.child("attachedRequired")),
    ...requiredBool(spec.podInfoOnMount, path.child("podInfoOnMount")),
    ...requiredBool(spec.storageCapacity, path.child("storageCapacity")),
  ];
  const policy = spec.fsGroupPolicy;
  if (policy !== undefined && !fsGroupPolicies.includes(policy)) {
    errs.push(field.notSupported(path.child("fsGroupPolicy"), policy, fsGroupPolicies));
  }
  errs.push(...validateTokenRequests(spec.tokenRequests ?? [], path.child("tokenRequests")));
  for (const mode of spec.volumeLifecycleModes ?? []) {
    if (!lifecycleModes.includes(mode)) {
      errs.push(field.notSupported(path.child("volumeLifecycleModes"), mode, lifecycleModes));
    }
  }
  errs.push(...requiredBool(spec.seLinuxMount, path.child("seLinuxMount")));
  const period = spec.nodeAllocatableUpdatePeriodSeconds;
  if (period !== undefined && period !== null && period < 10) {
    errs.push(
      field.invalid(
        path.child("nodeAllocatableUpdatePeriodSeconds"),
        period,
        "must be greater than or equal to 10 seconds",
      ),
    );
  }
  return errs;
}

export function validateCSIDriver(driver: CSIDriverObj): FieldErrors {
  return validateCSIDriverSpec(driver.spec ?? {});
}

/**
 * `ValidateCSIDriverUpdate`: only attachRequired and volumeLifecycleModes are immutable in v1.34
 * (podInfoOnMount, storageCapacity, fsGroupPolicy, requiresRepublish and seLinuxMount may change).
 */
export function validateCSIDriverUpdate(driver: CSIDriverObj, old: CSIDriverObj): FieldErrors {
  const spec = driver.spec ?? {};
  const oldSpec = old.spec ?? {};
  return [
    ...validateCSIDriverSpec(spec),
    ...validateImmutableField(
      spec.attachRequired,
      oldSpec.attachRequired,
      newPath("spec", "attachedRequired"),
    ),
    ...validateImmutableField(
      spec.volumeLifecycleModes,
      oldSpec.volumeLifecycleModes,
      newPath("spec", "volumeLifecycleModes"),
    ),
  ];
}

/** `printCSIDriver`. */
function printRow(driver: CSIDriverObj, now: number) {
  const spec = driver.spec ?? {};
  const audiences = (spec.tokenRequests ?? []).map((t) => t.audience ?? "");
  const modes = (spec.volumeLifecycleModes ?? []).join(",");
  return [
    nameOf(driver),
    spec.attachRequired ?? true,
    spec.podInfoOnMount ?? false,
    spec.storageCapacity ?? false,
    audiences.length > 0 ? audiences.join(",") : "<unset>",
    spec.requiresRepublish ?? false,
    modes === "" ? "<none>" : modes,
    ageOf(driver, now),
  ];
}

export const csiDriverStrategy: Strategy<CSIDriverObj> = {
  /** `SetDefaults_CSIDriver` (with the SELinuxMountReadWriteOncePod gate on, as in v1.34). */
  defaults(driver) {
    driver.spec ??= {};
    const spec = driver.spec;
    spec.attachRequired ??= true;
    spec.podInfoOnMount ??= false;
    spec.storageCapacity ??= false;
    spec.fsGroupPolicy ??= "ReadWriteOnceWithFSType";
    if (!spec.volumeLifecycleModes || spec.volumeLifecycleModes.length === 0) {
      spec.volumeLifecycleModes = ["Persistent"];
    }
    spec.requiresRepublish ??= false;
    spec.seLinuxMount ??= false;
  },
  validate: validateCSIDriver,
  validateUpdate: validateCSIDriverUpdate,
  printer: {
    columns: [
      nameColumn(),
      column("AttachRequired", {
        type: "boolean",
        description:
          "attachRequired indicates this CSI volume driver requires an attach operation.",
      }),
      column("PodInfoOnMount", {
        type: "boolean",
        description:
          "podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations, if set to true.",
      }),
      column("StorageCapacity", {
        type: "boolean",
        description:
          "storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report by creating CSIStorageCapacity objects with capacity information, if set to true.",
      }),
      column("TokenRequests", {
        description:
          "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for to do necessary authentication.",
      }),
      column("RequiresRepublish", {
        type: "boolean",
        description:
          "requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume.",
      }),
      column("Modes", {
        description:
          "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.",
      }),
      ageColumn(),
    ],
    row: printRow,
  },
};

export const csiDriverResource: ResourceDefinition<CSIDriverObj> = {
  group: "storage.k8s.io",
  version: "v1",
  kind: "CSIDriver",
  plural: "csidrivers",
  singular: "csidriver",
  namespaced: false,
  strategy: csiDriverStrategy,
};
