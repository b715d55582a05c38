/**
 * `metav1validation.ValidateLabelSelector` and the checks workloads make with a selector: that it
 * is present, not empty, parses, and matches the pod template's labels.
 */

import * as field from "../../../machinery/field-errors.ts";
import type { FieldPath } from "../../../machinery/field-path.ts";
import { type Selector, selectorFromLabelSelector } from "../../../machinery/labels.ts";
import { validateLabels } from "../../../machinery/object-meta.ts";
import { isQualifiedName, isValidLabelValue } from "../../../machinery/validation.ts";
import type { LabelSelector, LabelSelectorRequirement } from "../../generated/types.ts";
import { type FieldErrors, goLabelSelector, goStringMap } from "./common.ts";

export function validateLabelSelector(
  selector: LabelSelector | undefined,
  path: FieldPath,
): FieldErrors {
  if (!selector) return [];
  const errs = validateLabels(selector.matchLabels, path.child("matchLabels"));
  (selector.matchExpressions ?? []).forEach((expr, i) => {
    errs.push(...validateRequirement(expr, path.child("matchExpressions").index(i)));
  });
  return errs;
}

function validateRequirement(req: LabelSelectorRequirement, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  const values = req.values ?? [];
  switch (req.operator) {
    case "In":
    case "NotIn":
      if (values.length === 0) {
        errs.push(
          field.required(
            path.child("values"),
            "must be specified when `operator` is 'In' or 'NotIn'",
          ),
        );
      }
      break;
    case "Exists":
    case "DoesNotExist":
      if (values.length > 0) {
        errs.push(
          field.forbidden(
            path.child("values"),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        );
      }
      break;
    default:
      errs.push(
        field.invalid(path.child("operator"), req.operator, "not a valid selector operator"),
      );
  }
  for (const msg of isQualifiedName(req.key))
    errs.push(field.invalid(path.child("key"), req.key, msg));
  values.forEach((v, i) => {
    for (const msg of isValidLabelValue(v)) {
      errs.push(field.invalid(path.child("values").index(i), v, msg));
    }
  });
  return errs;
}

/** `LabelSelectorAsSelector`, or undefined when the selector does not parse. */
export function toSelector(selector: LabelSelector | undefined): Selector | undefined {
  try {
    return selectorFromLabelSelector(selector);
  } catch {
    return undefined;
  }
}

export interface WorkloadSelectorOptions {
  /** The word in "empty selector is invalid for <kind>". */
  readonly kind: string;
  /** Message for a selector that does not parse ("" for StatefulSet, as upstream). */
  readonly invalidMessage?: string;
}

/**
 * The selector checks Deployments, ReplicaSets and StatefulSets share: required, valid, non-empty.
 * Returns the parsed selector (undefined when it does not parse) with the errors.
 */
export function validateWorkloadSelector(
  selector: LabelSelector | undefined,
  path: FieldPath,
  options: WorkloadSelectorOptions,
): { errors: FieldErrors; selector: Selector | undefined } {
  const errors: FieldErrors = [];
  if (!selector) {
    errors.push(field.required(path, ""));
  } else {
    errors.push(...validateLabelSelector(selector, path));
    const count =
      Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length;
    if (count === 0) {
      errors.push(
        field.invalid(
          path,
          goLabelSelector(selector),
          `empty selector is invalid for ${options.kind}`,
        ),
      );
    }
  }
  const parsed = toSelector(selector);
  if (!parsed) {
    errors.push(
      field.invalid(
        path,
        goLabelSelector(selector),
        options.invalidMessage ?? "invalid label selector",
      ),
    );
  }
  return { errors, selector: parsed };
}

/** "`selector` does not match template `labels`" at `<template>.metadata.labels`. */
export function validateSelectorMatchesTemplate(
  selector: Selector,
  labels: Record<string, string> | undefined,
  templatePath: FieldPath,
): FieldErrors {
  if (selector.isEmpty() || selector.matches(labels ?? {})) return [];
  return [
    field.invalid(
      templatePath.child("metadata", "labels"),
      goStringMap(labels),
      "`selector` does not match template `labels`",
    ),
  ];
}
