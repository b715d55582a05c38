/**
 * Pod spec validation (upstream `ValidatePodSpec`, `ValidatePodTemplateSpec`, `ValidatePodCreate`).
 * Expects a defaulted spec, as upstream's internal types always are.
 */

import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { validateAnnotations, validateLabels } from "../../../machinery/object-meta.ts";
import {
  inclusiveRangeError,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
} from "../../../machinery/validation.ts";
import type { Pod, PodSpec, PodTemplateSpec, Toleration } from "../../generated/types.ts";
import type { FieldErrors } from "./common.ts";
import {
  validateContainers,
  validateEnum,
  validateInitContainers,
} from "./pod-container-validation.ts";
import { validateVolumes } from "./pod-volume-validation.ts";

const maxInt32 = 2147483647;

export function validatePodSpec(spec: PodSpec | undefined, path: FieldPath): FieldErrors {
  const s: PodSpec = spec ?? { containers: [] };
  const { errors, names } = validateVolumes(s.volumes, path.child("volumes"));
  const errs = [...errors];
  errs.push(...validateContainers(s.containers, names, path.child("containers")));
  errs.push(
    ...validateInitContainers(s.initContainers, s.containers, names, path.child("initContainers")),
  );
  errs.push(
    ...validateEnum(s.restartPolicy, path.child("restartPolicy"), ["Always", "OnFailure", "Never"]),
  );
  errs.push(
    ...validateEnum(s.dnsPolicy, path.child("dnsPolicy"), [
      "ClusterFirstWithHostNet",
      "ClusterFirst",
      "Default",
      "None",
    ]),
  );
  if (s.dnsPolicy === "None" && !s.dnsConfig) {
    errs.push(
      field.required(path.child("dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None"),
    );
  }
  errs.push(...validateLabels(s.nodeSelector, path.child("nodeSelector")));
  errs.push(...validateNames(s, path));
  if (s.activeDeadlineSeconds !== undefined && s.activeDeadlineSeconds !== null) {
    const v = s.activeDeadlineSeconds;
    if (v < 1 || v > maxInt32) {
      errs.push(
        field.invalid(path.child("activeDeadlineSeconds"), v, inclusiveRangeError(1, maxInt32)),
      );
    }
  }
  if (s.tolerations && s.tolerations.length > 0) {
    errs.push(...validateTolerations(s.tolerations, path.child("tolerations")));
  }
  return errs;
}

/** The names a spec carries: service account, node, hostname, subdomain, priority class. */
function validateNames(s: PodSpec, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  const check = (value: string | undefined, name: string, fn: (v: string) => string[]) => {
    if (!value) return;
    for (const msg of fn(value)) errs.push(field.invalid(path.child(name), value, msg));
  };
  check(s.serviceAccountName, "serviceAccountName", isDNS1123Subdomain);
  check(s.nodeName, "nodeName", isDNS1123Subdomain);
  check(s.hostname, "hostname", isDNS1123Label);
  check(s.subdomain, "subdomain", isDNS1123Label);
  check(s.priorityClassName, "priorityClassName", isDNS1123Subdomain);
  return errs;
}

const taintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** `ValidateTolerations`. */
export function validateTolerations(
  tolerations: readonly Toleration[],
  path: FieldPath,
): FieldErrors {
  const errs: FieldErrors = [];
  tolerations.forEach((t, i) => {
    const idxPath = path.index(i);
    const key = t.key ?? "";
    for (const msg of key ? isQualifiedName(key) : []) {
      errs.push(field.invalid(idxPath.child("key"), key, msg));
    }
    if (!key && t.operator !== "Exists") {
      errs.push(
        field.invalid(
          idxPath.child("operator"),
          t.operator ?? "",
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (
      t.tolerationSeconds !== undefined &&
      t.tolerationSeconds !== null &&
      t.effect !== "NoExecute"
    ) {
      errs.push(
        field.invalid(
          idxPath.child("effect"),
          t.effect ?? "",
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
    }
    errs.push(...validateTolerationOperator(t, idxPath));
    if (t.effect && !taintEffects.includes(t.effect)) {
      errs.push(field.notSupported(idxPath.child("effect"), t.effect, taintEffects));
    }
  });
  return errs;
}

function validateTolerationOperator(t: Toleration, path: FieldPath): FieldErrors {
  const value = t.value ?? "";
  switch (t.operator ?? "") {
    case "Equal":
    case "": {
      const msgs = isValidLabelValue(value);
      return msgs.length > 0 ? [field.invalid(path.child("operator"), value, msgs.join(";"))] : [];
    }
    case "Exists":
      return value
        ? [
            field.invalid(
              path.child("operator"),
              t,
              "value must be empty when `operator` is 'Exists'",
            ),
          ]
        : [];
    default:
      return [field.notSupported(path.child("operator"), t.operator ?? "", ["Equal", "Exists"])];
  }
}

/**
 * `ValidatePodTemplateSpec`: the template's labels and annotations (at `<path>.labels` and
 * `<path>.annotations`, as upstream reports them) and its spec.
 */
export function validatePodTemplateSpec(
  template: PodTemplateSpec | undefined,
  path: FieldPath,
): FieldErrors {
  const errs = [
    ...validateLabels(template?.metadata?.labels, path.child("labels")),
    ...validateAnnotations(template?.metadata?.annotations, path.child("annotations")),
    ...validatePodSpec(template?.spec, path.child("spec")),
  ];
  if ((template?.spec?.ephemeralContainers ?? []).length > 0) {
    errs.push(
      field.forbidden(
        path.child("spec", "ephemeralContainers"),
        "ephemeral containers not allowed in pod template",
      ),
    );
  }
  return errs;
}

/** `ValidatePodCreate` without object meta (the registry validates that). */
export function validatePod(pod: Pod): FieldErrors {
  const specPath = newPath("spec");
  const errs = validatePodSpec(pod.spec, specPath);
  if ((pod.spec?.ephemeralContainers ?? []).length > 0) {
    errs.push(field.forbidden(specPath.child("ephemeralContainers"), "cannot be set on create"));
  }
  return errs;
}
