/**
 * admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration and
 * MutatingWebhookConfiguration (upstream `pkg/apis/admissionregistration/v1/defaults.go`,
 * `pkg/registry/admissionregistration/*webhookconfiguration/strategy.go`,
 * `printValidatingWebhook` / `printMutatingWebhook`). Cluster-scoped, generation bumped when the
 * webhooks change. Which webhooks are called, and how, is the API server's admission chain's.
 */
import type {
  MutatingWebhook,
  MutatingWebhookConfiguration,
  ValidatingWebhook,
  ValidatingWebhookConfiguration,
} from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import { ageColumn, ageOf, nameColumn, nameOf, type Obj } from "../core/common.ts";
import {
  createOptions,
  updateOptions,
  validateWebhooks,
  type Webhook,
} from "./webhook-validation.ts";

type ValidatingObj = Obj<ValidatingWebhookConfiguration>;
type MutatingObj = Obj<MutatingWebhookConfiguration>;

/**
 * `SetDefaults_ValidatingWebhook` (and `SetDefaults_Rule`, `SetDefaults_ServiceReference`).
 * v1 has no default for sideEffects or admissionReviewVersions: both are required.
 */
export function setDefaultsWebhook(hook: ValidatingWebhook): void {
  hook.failurePolicy ??= "Fail";
  hook.matchPolicy ??= "Equivalent";
  hook.namespaceSelector ??= {};
  hook.objectSelector ??= {};
  hook.timeoutSeconds ??= 10;
  for (const rule of hook.rules ?? []) rule.scope ??= "*";
  const service = hook.clientConfig?.service;
  if (service) service.port ??= 443;
}

/** `SetDefaults_MutatingWebhook`: the validating defaults and reinvocationPolicy Never. */
export function setDefaultsMutatingWebhook(hook: MutatingWebhook): void {
  setDefaultsWebhook(hook);
  hook.reinvocationPolicy ??= "Never";
}

const webhooksDescription =
  "Webhooks indicates the number of webhooks registered in this configuration";

function webhookStrategy<T extends ValidatingObj | MutatingObj>(mutating: boolean): Strategy<T> {
  const webhooksOf = (obj: T): Webhook[] => (obj.webhooks ?? []) as Webhook[];
  return {
    tracksGeneration: true,
    defaults(obj) {
      for (const hook of webhooksOf(obj)) {
        if (mutating) setDefaultsMutatingWebhook(hook);
        else setDefaultsWebhook(hook);
      }
    },
    validate: (obj) => validateWebhooks(webhooksOf(obj), { ...createOptions, mutating }),
    validateUpdate: (obj, old) =>
      validateWebhooks(webhooksOf(obj), {
        ...updateOptions(webhooksOf(obj), webhooksOf(old)),
        mutating,
      }),
    printer: {
      columns: [
        nameColumn(),
        column("Webhooks", { type: "integer", description: webhooksDescription }),
        ageColumn(),
      ],
      row: (obj, now) => [nameOf(obj), webhooksOf(obj).length, ageOf(obj, now)],
    },
  };
}

export const validatingWebhookConfigurationResource: ResourceDefinition<ValidatingObj> = {
  group: "admissionregistration.k8s.io",
  version: "v1",
  kind: "ValidatingWebhookConfiguration",
  plural: "validatingwebhookconfigurations",
  singular: "validatingwebhookconfiguration",
  categories: ["api-extensions"],
  namespaced: false,
  strategy: webhookStrategy<ValidatingObj>(false),
};

export const mutatingWebhookConfigurationResource: ResourceDefinition<MutatingObj> = {
  group: "admissionregistration.k8s.io",
  version: "v1",
  kind: "MutatingWebhookConfiguration",
  plural: "mutatingwebhookconfigurations",
  singular: "mutatingwebhookconfiguration",
  categories: ["api-extensions"],
  namespaced: false,
  strategy: webhookStrategy<MutatingObj>(true),
};
