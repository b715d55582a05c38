/**
 * Test-only: short calls of `serverSideApply` / `updateManagedFields` against the Deployment-like
 * schema, and readers of the resulting managed fields.
 */
import type { ManagedFieldsEntry } from "../../managed-fields.ts";
import type { JsonObject } from "../../patch/json-value.ts";
import { type ServerSideApplyOptions, serverSideApply } from "../apply.ts";
import { FieldSet } from "../field-set.ts";
import { pathString } from "../path.ts";
import { type UpdateManagedFieldsOptions, updateManagedFields } from "../update.ts";
import { deploymentSchema } from "./deployment-schema.ts";

export const t0 = new Date("2025-06-01T10:00:00.123Z");
export const at = (seconds: number): Date => new Date(t0.getTime() + seconds * 1000);

export function apply(
  live: JsonObject | undefined,
  applied: JsonObject,
  manager: string,
  more: Partial<ServerSideApplyOptions> = {},
): JsonObject {
  return serverSideApply({
    live,
    applied,
    manager,
    apiVersion: "apps/v1",
    schema: deploymentSchema,
    now: t0,
    ...more,
  }).object;
}

export function update(
  old: JsonObject | undefined,
  updated: JsonObject,
  manager: string,
  more: Partial<UpdateManagedFieldsOptions> = {},
): JsonObject {
  return updateManagedFields({
    old,
    updated,
    manager,
    apiVersion: "apps/v1",
    schema: deploymentSchema,
    now: t0,
    ...more,
  }).object;
}

export function entries(object: JsonObject): ManagedFieldsEntry[] {
  const metadata = object.metadata as JsonObject | undefined;
  return (metadata?.managedFields as ManagedFieldsEntry[] | undefined) ?? [];
}

export function entryOf(object: JsonObject, manager: string): ManagedFieldsEntry | undefined {
  return entries(object).find((e) => e.manager === manager);
}

/** The fields a manager owns, as upstream prints paths; [] when it has no entry. */
export function owned(object: JsonObject, manager: string): string[] {
  const entry = entryOf(object, manager);
  return entry ? FieldSet.fromFieldsV1(entry.fieldsV1).paths().map(pathString) : [];
}

/** A minimal Deployment configuration. */
export function deployment(spec: JsonObject, metadata: JsonObject = {}): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", ...metadata },
    spec,
  };
}

/** A pod template with the given containers. */
export function template(containers: JsonObject[], podSpec: JsonObject = {}): JsonObject {
  return { template: { spec: { containers, ...podSpec } } };
}
