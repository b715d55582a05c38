/**
 * The admissionregistration.k8s.io kinds this folder defines (ValidatingWebhookConfiguration,
 * MutatingWebhookConfiguration), as the resource table wants them. See README.md.
 */
import type { KubeObject } from "../../object.ts";
import type { ResourceDefinition } from "../../resource.ts";
import {
  mutatingWebhookConfigurationResource,
  validatingWebhookConfigurationResource,
} from "./webhook-configuration.ts";

/** Each definition is typed for its kind; the registry sees them as plain objects. */
const erase = <T extends KubeObject>(def: ResourceDefinition<T>): ResourceDefinition =>
  def as unknown as ResourceDefinition;

export const admissionResources: ResourceDefinition[] = [
  erase(mutatingWebhookConfigurationResource),
  erase(validatingWebhookConfigurationResource),
];
