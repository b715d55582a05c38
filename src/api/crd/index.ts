/**
 * CustomResourceDefinitions: the CRD kind itself (defaults, validation, stored versions, the
 * status its controllers write) and everything one served version of a CRD defines (the
 * ResourceDefinition with pruning, defaulting, schema validation and printer columns; the
 * OpenAPI definitions). Pure functions: the API server does the registration, discovery and
 * OpenAPI refresh. See README.md.
 */
export {
  type AcceptedStatusOptions,
  acceptedStatus,
  type CRDObject,
  customResourceDefinitionResource,
  customResourceDefinitionStrategy,
  defaultCustomResourceDefinition,
} from "./crd-strategy.ts";
export {
  isEstablished,
  validateCustomResourceDefinition,
  validateCustomResourceDefinitionStatus,
  validateCustomResourceDefinitionUpdate,
} from "./crd-validation.ts";
export {
  crdSchema,
  crdVersion,
  customResourceDefinitionFor,
  normalizeCustomResource,
  validateCustomResource,
} from "./custom-resource.ts";
export { applyDefaults } from "./defaulting.ts";
export {
  type CRDOpenAPI,
  crdDefinitionName,
  crdOpenAPIDefinitions,
  toSchemaNode,
} from "./openapi.ts";
export { customResourcePrinter } from "./printer-columns.ts";
export { prune } from "./pruning.ts";
export { validateValue } from "./schema-validator.ts";
export { validateStructural } from "./structural.ts";
