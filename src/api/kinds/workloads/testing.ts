/** Test helpers: run a strategy the way the generic registry does, and print field errors. */
import type { FieldError } from "../../../machinery/field-errors.ts";
import { fieldErrorMessage } from "../../../machinery/field-errors.ts";
import type { KubeObject } from "../../object.ts";
import type { ResourceDefinition } from "../../resource.ts";

/** Defaults, status reset, prepareForCreate, uid/generation (keeping a uid already set). */
export function createLike<T extends KubeObject>(def: ResourceDefinition<T>, input: T): T {
  const obj = structuredClone(input);
  const s = def.strategy;
  s.defaults?.(obj);
  if (def.subresources?.includes("status")) delete obj.status;
  s.prepareForCreate?.(obj, Date.parse("2024-01-01T00:00:00Z"));
  obj.metadata ??= {};
  obj.metadata.uid ??= "00000000-0000-0000-0000-000000000001";
  obj.metadata.creationTimestamp = "2024-01-01T00:00:00Z";
  if (s.tracksGeneration) obj.metadata.generation = 1;
  return obj;
}

/** Defaults, status carried over, prepareForUpdate. */
export function updateLike<T extends KubeObject>(def: ResourceDefinition<T>, next: T, old: T): T {
  const obj = structuredClone(next);
  const s = def.strategy;
  s.defaults?.(obj);
  if (def.subresources?.includes("status")) {
    const target: KubeObject = obj;
    if (old.status === undefined) delete target.status;
    else target.status = structuredClone(old.status);
  }
  s.prepareForUpdate?.(obj, old);
  return obj;
}

export const messages = (errs: readonly FieldError[]): string[] => errs.map(fieldErrorMessage);

export function validateCreate<T extends KubeObject>(def: ResourceDefinition<T>, obj: T): string[] {
  return messages(def.strategy.validate?.(obj) ?? []);
}

export function validateUpdate<T extends KubeObject>(
  def: ResourceDefinition<T>,
  obj: T,
  old: T,
): string[] {
  return messages(def.strategy.validateUpdate?.(obj, old) ?? []);
}
