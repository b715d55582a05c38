/**
 * What a pod update may change (upstream `ValidatePodUpdate`): container images, a lower
 * activeDeadlineSeconds, added tolerations, removed scheduling gates, and terminationGracePeriod
 * from negative to 1. Anything else is one Forbidden error at `spec`.
 */
import { isDeepStrictEqual } from "node:util";
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import {
  inclusiveRangeError,
  isDNS1123Subdomain,
  isValidIP,
} from "../../../machinery/validation.ts";
import type { Container, Pod, PodSpec, Toleration } from "../../generated/types.ts";
import type { FieldErrors } from "./common.ts";
import { validateContainerCommon } from "./pod-container-validation.ts";
import { validatePodSpec, validateTolerations } from "./pod-validation.ts";

export const podUpdateForbiddenMessage =
  "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

const maxInt32 = 2147483647;

/** The new pod's spec validated, then what changed against the old one. */
export function validatePodUpdate(pod: Pod, old: Pod): FieldErrors {
  const specPath = newPath("spec");
  const errs = validatePodSpec(pod.spec, specPath);
  const spec: PodSpec = pod.spec ?? { containers: [] };
  const oldSpec: PodSpec = old.spec ?? { containers: [] };
  for (const [name, next, prev] of [
    ["containers", spec.containers, oldSpec.containers],
    ["initContainers", spec.initContainers, oldSpec.initContainers],
  ] as const) {
    const result = validateContainerUpdates(next ?? [], prev ?? [], specPath.child(name));
    errs.push(...result.errors);
    if (result.stop) return errs;
  }
  const deadline = validateActiveDeadlineUpdate(spec, oldSpec, specPath);
  errs.push(...deadline.errors);
  if (deadline.stop) return errs;
  errs.push(...validateOnlyAddedTolerations(spec.tolerations, oldSpec.tolerations, specPath));
  errs.push(...validateOnlyDeletedSchedulingGates(spec, oldSpec, specPath));
  if (isDeepStrictEqual(spec, oldSpec)) return errs;
  if (!isDeepStrictEqual(mungeSpec(spec, oldSpec), oldSpec)) {
    errs.push(field.forbidden(specPath, podUpdateForbiddenMessage));
  }
  return errs;
}

function validateContainerUpdates(
  next: readonly Container[],
  prev: readonly Container[],
  path: FieldPath,
): { errors: FieldErrors; stop: boolean } {
  if (next.length !== prev.length) {
    return {
      errors: [field.forbidden(path, "pod updates may not add or remove containers")],
      stop: true,
    };
  }
  const errors: FieldErrors = [];
  next.forEach((c, i) => {
    if (!c.image) errors.push(field.required(path.index(i).child("image"), ""));
  });
  return { errors, stop: false };
}

function validateActiveDeadlineUpdate(spec: PodSpec, oldSpec: PodSpec, specPath: FieldPath) {
  const path = specPath.child("activeDeadlineSeconds");
  const next = spec.activeDeadlineSeconds ?? undefined;
  const prev = oldSpec.activeDeadlineSeconds ?? undefined;
  if (next !== undefined) {
    if (next < 0 || next > maxInt32) {
      return { errors: [field.invalid(path, next, inclusiveRangeError(0, maxInt32))], stop: true };
    }
    if (prev !== undefined && prev < next) {
      return {
        errors: [field.invalid(path, next, "must be less than or equal to previous value")],
        stop: true,
      };
    }
  } else if (prev !== undefined) {
    return {
      errors: [field.invalid(path, null, "must not update from a positive integer to nil value")],
      stop: false,
    };
  }
  return { errors: [], stop: false };
}

function validateOnlyAddedTolerations(
  next: readonly Toleration[] | undefined,
  prev: readonly Toleration[] | undefined,
  specPath: FieldPath,
): FieldErrors {
  const path = specPath.child("tolerations");
  const withoutSeconds = ({ tolerationSeconds: _, ...rest }: Toleration) => rest;
  for (const old of prev ?? []) {
    const found = (next ?? []).some((t) =>
      isDeepStrictEqual(withoutSeconds(old), withoutSeconds(t)),
    );
    if (!found) {
      return [
        field.forbidden(
          path,
          "existing toleration can not be modified except its tolerationSeconds",
        ),
      ];
    }
  }
  return validateTolerations(next ?? [], path);
}

function validateOnlyDeletedSchedulingGates(
  spec: PodSpec,
  oldSpec: PodSpec,
  specPath: FieldPath,
): FieldErrors {
  const next = spec.schedulingGates ?? [];
  if (next.length === 0) return [];
  const old = new Set((oldSpec.schedulingGates ?? []).map((g) => g.name));
  const path = specPath.child("schedulingGates");
  return next
    .filter((g) => !old.has(g.name))
    .map((g) =>
      field.forbidden(path, `only deletion is allowed, but found new scheduling gate '${g.name}'`),
    );
}

/** The new spec with every field an update may change taken from the old one. */
function mungeSpec(spec: PodSpec, oldSpec: PodSpec): PodSpec {
  const munged: PodSpec = structuredClone(spec);
  const keepImages = (list: Container[] | undefined, old: Container[] | undefined) =>
    list?.map((c, i) => {
      const image = old?.[i]?.image;
      const copy = { ...c };
      if (image === undefined) delete copy.image;
      else copy.image = image;
      return copy;
    });
  setOrDelete(munged, "containers", keepImages(munged.containers, oldSpec.containers) ?? []);
  setOrDelete(munged, "initContainers", keepImages(munged.initContainers, oldSpec.initContainers));
  setOrDelete(munged, "activeDeadlineSeconds", oldSpec.activeDeadlineSeconds);
  setOrDelete(munged, "schedulingGates", oldSpec.schedulingGates);
  setOrDelete(munged, "tolerations", oldSpec.tolerations);
  const oldGrace = oldSpec.terminationGracePeriodSeconds;
  if (oldGrace !== undefined && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldGrace;
  }
  return munged;
}

function setOrDelete<K extends keyof PodSpec>(
  spec: PodSpec,
  key: K,
  value: PodSpec[K] | undefined,
) {
  if (value === undefined) delete spec[key];
  else spec[key] = value;
}

/** `ValidatePodStatusUpdate` (the parts a status write can get wrong). */
export function validatePodStatusUpdate(pod: Pod, old: Pod): FieldErrors {
  const path = newPath("status");
  const errs: FieldErrors = [];
  const nominated = pod.status?.nominatedNodeName ?? "";
  if (nominated && nominated !== (old.status?.nominatedNodeName ?? "")) {
    for (const msg of isDNS1123Subdomain(nominated)) {
      errs.push(field.invalid(path.child("nominatedNodeName"), nominated, msg));
    }
  }
  (pod.status?.podIPs ?? []).forEach((ip, i) => {
    errs.push(...isValidIP(path.child("podIPs").index(i), ip.ip));
  });
  if (pod.status?.podIP && !pod.status.podIPs) {
    errs.push(...isValidIP(path.child("podIP"), pod.status.podIP));
  }
  return errs;
}

/** What an ephemeral container may carry: no ports, probes, lifecycle or resources (upstream's allow list). */
const ephemeralFields = new Set([
  "name",
  "image",
  "command",
  "args",
  "workingDir",
  "envFrom",
  "env",
  "volumeMounts",
  "volumeDevices",
  "terminationMessagePath",
  "terminationMessagePolicy",
  "imagePullPolicy",
  "securityContext",
  "stdin",
  "stdinOnce",
  "tty",
  "targetContainerName",
]);

/** Go's zero value as JSON decodes it: `resources: {}` is as good as no resources. */
function isZero(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === "" || value === 0) {
    return true;
  }
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.values(value).every(isZero);
}

/** `validateEphemeralContainers`: each one as a container, then what only they must obey. */
function validateEphemeralContainers(spec: PodSpec, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  const others = new Set(
    [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.name),
  );
  const all = new Set(others);
  const volumes = new Set((spec.volumes ?? []).map((v) => v.name));
  (spec.ephemeralContainers ?? []).forEach((ec, i) => {
    const idxPath = path.index(i);
    errs.push(...validateContainerCommon(ec as Container, volumes, idxPath));
    if (all.has(ec.name)) errs.push(field.duplicate(idxPath.child("name"), ec.name));
    else all.add(ec.name);
    if (ec.targetContainerName && !others.has(ec.targetContainerName)) {
      errs.push(field.notFound(idxPath.child("targetContainerName"), ec.targetContainerName));
    }
    for (const [key, value] of Object.entries(ec)) {
      if (ephemeralFields.has(key) || isZero(value)) continue;
      errs.push(field.forbidden(idxPath.child(key), "cannot be set for an Ephemeral Container"));
    }
    (ec.volumeMounts ?? []).forEach((vm, j) => {
      for (const sub of ["subPath", "subPathExpr"] as const) {
        if (vm[sub]) {
          errs.push(
            field.forbidden(
              idxPath.child("volumeMounts").index(j).child(sub),
              "cannot be set for an Ephemeral Container",
            ),
          );
        }
      }
    });
  });
  return errs;
}

/**
 * `ValidatePodEphemeralContainersUpdate` (the pods/ephemeralcontainers subresource, `kubectl
 * debug`): the new ones valid, the existing ones neither removed nor changed, never on a static
 * pod.
 */
export function validateEphemeralContainersUpdate(pod: Pod, old: Pod): FieldErrors {
  const path = newPath("spec", "ephemeralContainers");
  if (old.metadata?.annotations?.["kubernetes.io/config.mirror"] !== undefined) {
    return [field.forbidden(path, "static pods do not support ephemeral containers")];
  }
  const errs = validateEphemeralContainers(pod.spec ?? { containers: [] }, path);
  const next = new Map((pod.spec?.ephemeralContainers ?? []).map((c) => [c.name, c]));
  for (const prev of old.spec?.ephemeralContainers ?? []) {
    const now = next.get(prev.name);
    if (!now) {
      errs.push(
        field.forbidden(path, `existing ephemeral containers "${prev.name}" may not be removed\n`),
      );
    } else if (!isDeepStrictEqual(now, prev)) {
      errs.push(
        field.forbidden(path, `existing ephemeral containers "${prev.name}" may not be changed\n`),
      );
    }
  }
  return errs;
}
