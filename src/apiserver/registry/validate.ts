/**
 * Validation every object gets (object meta, with the kind's name rule) plus the kind's own.
 */
import type { KubeObject } from "../../api/object.ts";
import type { ResourceDefinition } from "../../api/resource.ts";
import type { NameValidation } from "../../api/strategy.ts";
import type { FieldError } from "../../machinery/field-errors.ts";
import { validateObjectMeta, validateObjectMetaUpdate } from "../../machinery/object-meta.ts";
import {
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  type ValidateNameFunc,
  validatePathSegmentName,
} from "../../machinery/validation.ts";
import type { UpdateKind } from "./generic-registry.ts";

const nameValidators: Record<NameValidation, ValidateNameFunc> = {
  dns1123Subdomain: nameIsDNSSubdomain,
  dns1123Label: nameIsDNSLabel,
  dns1035Label: nameIsDNS1035Label,
  path: validatePathSegmentName,
};

export function validateForCreate(obj: KubeObject, def: ResourceDefinition): FieldError[] {
  const nameValidator = nameValidators[def.strategy.nameValidation ?? "dns1123Subdomain"];
  return [
    ...validateObjectMeta(obj.metadata ?? {}, { namespaced: def.namespaced, nameValidator }),
    ...(def.strategy.validate?.(obj) ?? []),
  ];
}

export function validateForUpdate(
  obj: KubeObject,
  old: KubeObject,
  def: ResourceDefinition,
  subresource: UpdateKind,
): FieldError[] {
  const meta = validateObjectMetaUpdate(obj.metadata ?? {}, old.metadata ?? {});
  if (subresource === "status") {
    return [...meta, ...(def.strategy.validateStatusUpdate?.(obj, old) ?? [])];
  }
  if (subresource === "ephemeralcontainers") {
    return [...meta, ...(def.strategy.validateEphemeralContainersUpdate?.(obj, old) ?? [])];
  }
  return [
    ...meta,
    ...(def.strategy.validateUpdate?.(obj, old) ?? def.strategy.validate?.(obj) ?? []),
  ];
}
