/**
 * Test helpers: run a definition's strategy the way the generic registry does (create: defaults →
 * status reset → prepareForCreate → validate; update: defaults → status from old →
 * prepareForUpdate → validateUpdate; status update: prepareForStatusUpdate → validateStatusUpdate), and read field errors as the messages kubectl prints.
 */
import { type FieldError, fieldErrorMessage } from "../../../machinery/field-errors.ts";
import type { KubeObject } from "../../object.ts";
import type { ResourceDefinition } from "../../resource.ts";

export const messages = (errors: readonly FieldError[]): string[] => errors.map(fieldErrorMessage);

export interface Outcome<T> {
  readonly obj: T;
  readonly errors: string[];
}

export function simulateCreate<T extends KubeObject>(
  def: ResourceDefinition<T>,
  input: T,
): Outcome<T> {
  const obj = structuredClone(input);
  const strategy = def.strategy;
  strategy.defaults?.(obj);
  if (def.subresources?.includes("status")) delete obj.status;
  strategy.prepareForCreate?.(obj, t0);
  return { obj, errors: messages(strategy.validate?.(obj) ?? []) };
}

export function simulateUpdate<T extends KubeObject>(
  def: ResourceDefinition<T>,
  input: T,
  old: T,
): Outcome<T> {
  const obj = structuredClone(input);
  const strategy = def.strategy;
  strategy.defaults?.(obj);
  if (def.subresources?.includes("status")) {
    const target: KubeObject = obj;
    if (old.status === undefined) delete target.status;
    else target.status = structuredClone(old.status);
  }
  strategy.prepareForUpdate?.(obj, old);
  const errors = strategy.validateUpdate?.(obj, old) ?? strategy.validate?.(obj) ?? [];
  return { obj, errors: messages(errors) };
}

/** A status-subresource update: only the status of `input` is taken. */
export function simulateStatusUpdate<T extends KubeObject>(
  def: ResourceDefinition<T>,
  input: T,
  old: T,
  now = t0,
): Outcome<T> {
  const obj = { ...structuredClone(old), status: structuredClone(input.status) };
  def.strategy.prepareForStatusUpdate?.(obj, old, now);
  return { obj, errors: messages(def.strategy.validateStatusUpdate?.(obj, old) ?? []) };
}

/** The printer's column names and the cells of one row. */
export function printRow<T extends KubeObject>(
  def: ResourceDefinition<T>,
  obj: T,
  now: number,
): Record<string, unknown> {
  const printer = def.strategy.printer;
  if (printer === undefined) throw new Error(`${def.kind} has no printer`);
  const cells = printer.row(obj, now);
  return Object.fromEntries(printer.columns.map((c, i) => [c.name, cells[i]]));
}

export const t0 = Date.parse("2026-01-01T00:00:00Z");
export const created = "2026-01-01T00:00:00Z";
