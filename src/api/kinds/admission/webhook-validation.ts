/**
 * Validation of ValidatingWebhookConfiguration and MutatingWebhookConfiguration (upstream
 * `pkg/apis/admissionregistration/validation`: `validateValidatingWebhook`,
 * `validateMutatingWebhook`, `validateAdmissionReviewVersions` and the configuration loop). An
 * update is checked as upstream checks it: rules that old objects may predate are relaxed when
 * the old object already broke them (side effects, review versions, unique names).
 */
import { isDeepStrictEqual } from "node:util";
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { isDNS1035Label, isDNS1123Subdomain } from "../../../machinery/validation.ts";
import type { MutatingWebhook, ValidatingWebhook } from "../../generated/types.ts";
import type { FieldErrors } from "../core/common.ts";
import { validateLabelSelector } from "../workloads/label-selector.ts";
import { validateClientConfig } from "./webhook-client-config.ts";
import { validateRuleWithOperations } from "./webhook-rules.ts";

/** Either kind of webhook; `reinvocationPolicy` is only the mutating one's. */
export type Webhook = ValidatingWebhook & Pick<MutatingWebhook, "reinvocationPolicy">;

/** The AdmissionReview versions this server speaks (`AcceptedAdmissionReviewVersions`). */
export const acceptedAdmissionReviewVersions = ["v1", "v1beta1"];

const failurePolicies = ["Fail", "Ignore"];
const matchPolicies = ["Equivalent", "Exact"];
const reinvocationPolicies = ["IfNeeded", "Never"];
const noSideEffectClasses = ["None", "NoneOnDryRun"];
const sideEffectClasses = ["None", "NoneOnDryRun", "Some", "Unknown"];

export const matchConditionsUnsupported = "CEL match conditions are not supported by this server";

export interface ValidationOptions {
  /** Match conditions unchanged on update: not checked again. */
  readonly ignoreMatchConditions: boolean;
  readonly requireNoSideEffects: boolean;
  readonly requireRecognizedAdmissionReviewVersion: boolean;
  readonly requireUniqueWebhookNames: boolean;
}

export const createOptions: ValidationOptions = {
  ignoreMatchConditions: false,
  requireNoSideEffects: true,
  requireRecognizedAdmissionReviewVersion: true,
  requireUniqueWebhookNames: true,
};

const isSet = <T>(v: T | undefined | null): v is T => v !== undefined && v !== null;

/** `IsFullyQualifiedName`: a DNS subdomain of at least three segments. */
function validateFullyQualifiedName(name: string, path: FieldPath): FieldErrors {
  if (name === "") return [field.required(path, "")];
  const errs = isDNS1123Subdomain(name);
  if (errs.length > 0) return [field.invalid(path, name, errs.join(","))];
  if (name.split(".").length < 3) {
    return [
      field.invalid(
        path,
        name,
        "should be a domain with at least three segments separated by dots",
      ),
    ];
  }
  return [];
}

/** `validateValidatingWebhook` and `validateMutatingWebhook` (`mutating` adds reinvocation). */
export function validateWebhook(
  hook: Webhook,
  opts: ValidationOptions & { readonly mutating: boolean },
  path: FieldPath,
): FieldErrors {
  const errs = validateFullyQualifiedName(hook.name ?? "", path.child("name"));
  (hook.rules ?? []).forEach((rule, i) => {
    errs.push(...validateRuleWithOperations(rule, path.child("rules").index(i)));
  });
  if (isSet(hook.failurePolicy) && !failurePolicies.includes(hook.failurePolicy)) {
    errs.push(field.notSupported(path.child("failurePolicy"), hook.failurePolicy, failurePolicies));
  }
  if (isSet(hook.matchPolicy) && !matchPolicies.includes(hook.matchPolicy)) {
    errs.push(field.notSupported(path.child("matchPolicy"), hook.matchPolicy, matchPolicies));
  }
  const allowedSideEffects = opts.requireNoSideEffects ? noSideEffectClasses : sideEffectClasses;
  if (!isSet(hook.sideEffects)) {
    errs.push(
      field.required(
        path.child("sideEffects"),
        `must specify one of ${allowedSideEffects.join(", ")}`,
      ),
    );
  } else if (!allowedSideEffects.includes(hook.sideEffects)) {
    errs.push(field.notSupported(path.child("sideEffects"), hook.sideEffects, allowedSideEffects));
  }
  const timeout = hook.timeoutSeconds;
  if (isSet(timeout) && (timeout > 30 || timeout < 1)) {
    errs.push(
      field.invalid(
        path.child("timeoutSeconds"),
        timeout,
        "the timeout value must be between 1 and 30 seconds",
      ),
    );
  }
  errs.push(...validateLabelSelector(hook.namespaceSelector, path.child("namespaceSelector")));
  errs.push(...validateLabelSelector(hook.objectSelector, path.child("objectSelector")));
  const reinvocation = hook.reinvocationPolicy;
  if (opts.mutating && isSet(reinvocation) && !reinvocationPolicies.includes(reinvocation)) {
    errs.push(
      field.notSupported(path.child("reinvocationPolicy"), reinvocation, reinvocationPolicies),
    );
  }
  errs.push(...validateClientConfig(hook.clientConfig, path.child("clientConfig")));
  // Upstream compiles and checks the CEL expressions; Bosun cannot evaluate them, so refuses them.
  if (!opts.ignoreMatchConditions && (hook.matchConditions ?? []).length > 0) {
    errs.push(field.forbidden(path.child("matchConditions"), matchConditionsUnsupported));
  }
  return errs;
}

/** `validateAdmissionReviewVersions`. */
function validateAdmissionReviewVersions(
  versions: readonly string[],
  requireRecognized: boolean,
  path: FieldPath,
): FieldErrors {
  const accepted = acceptedAdmissionReviewVersions.join(", ");
  if (versions.length === 0) return [field.required(path, `must specify one of ${accepted}`)];
  const errs: FieldErrors = [];
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    if (seen.has(v)) {
      errs.push(field.invalid(path.index(i), v, "duplicate version"));
      return;
    }
    seen.add(v);
    for (const msg of isDNS1035Label(v)) errs.push(field.invalid(path.index(i), v, msg));
  });
  if (requireRecognized && !versions.some((v) => acceptedAdmissionReviewVersions.includes(v))) {
    errs.push(field.invalid(path, versions, `must include at least one of ${accepted}`));
  }
  return errs;
}

/** `validateValidatingWebhookConfiguration` / `validateMutatingWebhookConfiguration`. */
export function validateWebhooks(
  webhooks: readonly Webhook[],
  opts: ValidationOptions & { readonly mutating: boolean },
): FieldErrors {
  const errs: FieldErrors = [];
  const names = new Set<string>();
  webhooks.forEach((hook, i) => {
    const path = newPath("webhooks").index(i);
    errs.push(...validateWebhook(hook, opts, path));
    errs.push(
      ...validateAdmissionReviewVersions(
        hook.admissionReviewVersions ?? [],
        opts.requireRecognizedAdmissionReviewVersion,
        path.child("admissionReviewVersions"),
      ),
    );
    const name = hook.name ?? "";
    if (!opts.requireUniqueWebhookNames || name === "") return;
    if (names.has(name)) errs.push(field.duplicate(path.child("name"), name));
    else names.add(name);
  });
  return errs;
}

/**
 * The options `Validate*WebhookConfigurationUpdate` derives from the old object: what the old
 * object already did wrong stays allowed.
 */
export function updateOptions(
  webhooks: readonly Webhook[],
  oldWebhooks: readonly Webhook[],
): ValidationOptions {
  const sameConditions =
    webhooks.length === oldWebhooks.length &&
    oldWebhooks.every((old, i) =>
      isDeepStrictEqual(webhooks[i]?.matchConditions ?? null, old.matchConditions ?? null),
    );
  const names = oldWebhooks.map((h) => h.name ?? "");
  return {
    ignoreMatchConditions: sameConditions,
    requireNoSideEffects: oldWebhooks.every(
      (h) => isSet(h.sideEffects) && noSideEffectClasses.includes(h.sideEffects),
    ),
    requireRecognizedAdmissionReviewVersion: oldWebhooks.every((h) => {
      const versions = h.admissionReviewVersions ?? [];
      return (
        versions.length === 0 || versions.some((v) => acceptedAdmissionReviewVersions.includes(v))
      );
    }),
    requireUniqueWebhookNames: new Set(names).size === names.length,
  };
}
