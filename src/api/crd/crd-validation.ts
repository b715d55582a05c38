/**
 * apiextensions.k8s.io/v1 CustomResourceDefinition validation (upstream
 * `ValidateCustomResourceDefinition` / `...Update` with v1's options: schemas required and
 * structural, defaults allowed). Object metadata is the registry's; this adds the name rule
 * (`<plural>.<group>`), the spec, the accepted names and the stored versions.
 *
 * Like upstream, which validates the internal version: when every version carries the same
 * schema (or subresources, or printer columns), errors name the hoisted top-level field
 * (`spec.validation.openAPIV3Schema…`, `spec.subresources…`, `spec.additionalPrinterColumns[i]…`).
 */
import { isDeepStrictEqual } from "node:util";
import * as field from "../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../machinery/field-path.ts";
import { isDNS1035Label, isDNS1123Subdomain } from "../../machinery/validation.ts";
import type {
  CustomResourceConversion,
  CustomResourceDefinition,
  CustomResourceDefinitionSpec,
  CustomResourceDefinitionVersion,
} from "../generated/types.ts";
import { validateNames, validateSpecNames } from "./crd-names.ts";
import {
  validateColumn,
  validateSelectableFields,
  validateSubresources,
  validateVersionSchema,
} from "./crd-version-validation.ts";

type Errors = field.FieldError[];

/** `validateCustomResourceDefinition` beyond object meta. */
export function validateCustomResourceDefinition(crd: CustomResourceDefinition): Errors {
  const name = crd.metadata?.name ?? "";
  const errs: Errors = [];
  if (name !== "" && name !== `${crd.spec.names.plural}.${crd.spec.group}`) {
    const detail = `must be spec.names.plural+"."+spec.group`;
    errs.push(field.invalid(newPath("metadata", "name"), name, detail));
  }
  return [...errs, ...validateSpec(crd.spec, newPath("spec")), ...validateStatusOf(crd)];
}

/** `validateCustomResourceDefinitionUpdate` beyond object meta. */
export function validateCustomResourceDefinitionUpdate(
  crd: CustomResourceDefinition,
  old: CustomResourceDefinition,
): Errors {
  const errs = validateSpec(crd.spec, newPath("spec"));
  const spec = newPath("spec");
  const immutable = (next: string, prev: string, path: FieldPath) => {
    if (next !== prev) errs.push(field.invalid(path, next, "field is immutable"));
  };
  if (isEstablished(old)) {
    immutable(crd.spec.scope, old.spec.scope, spec.child("scope"));
    immutable(crd.spec.names.kind, old.spec.names.kind, spec.child("names", "kind"));
  }
  immutable(crd.spec.group, old.spec.group, spec.child("group"));
  immutable(crd.spec.names.plural, old.spec.names.plural, spec.child("names", "plural"));
  return [...errs, ...validateStatusOf(crd)];
}

/** Status-subresource updates: the accepted names. */
export function validateCustomResourceDefinitionStatus(crd: CustomResourceDefinition): Errors {
  const accepted = crd.status?.acceptedNames;
  return accepted ? validateNames(accepted, newPath("status", "acceptedNames")) : [];
}

export function isEstablished(crd: CustomResourceDefinition): boolean {
  return (crd.status?.conditions ?? []).some(
    (c) => c.type === "Established" && c.status === "True",
  );
}

function validateStatusOf(crd: CustomResourceDefinition): Errors {
  return [
    ...validateCustomResourceDefinitionStatus(crd),
    ...validateStoredVersions(crd.status?.storedVersions ?? [], crd.spec.versions ?? []),
  ];
}

/** `ValidateCustomResourceDefinitionStoredVersions`. */
export function validateStoredVersions(
  stored: readonly string[],
  versions: readonly CustomResourceDefinitionVersion[],
): Errors {
  const path = newPath("status", "storedVersions");
  if (stored.length === 0)
    return [field.invalid(path, [], "must have at least one stored version")];
  const errs: Errors = [];
  const remaining = new Map(stored.map((v, i) => [v, i] as const));
  for (const v of versions) {
    if (v.storage && !remaining.has(v.name)) {
      errs.push(field.invalid(path, [...stored], `must have the storage version ${v.name}`));
    }
    remaining.delete(v.name);
  }
  for (const [v, i] of remaining) {
    const detail = `missing from spec.versions; ${v} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${v} and removes ${v} from status.storedVersions`;
    errs.push(field.invalid(path.index(i), v, detail));
  }
  return errs;
}

function validateGroup(group: string, path: FieldPath): Errors {
  if (group === "") return [field.required(path, "")];
  const msgs = isDNS1123Subdomain(group);
  if (msgs.length > 0) return [field.invalid(path, group, msgs.join(","))];
  if (!group.includes("."))
    return [field.invalid(path, group, "should be a domain with at least one dot")];
  return [];
}

function validateEnumString(value: string, accepted: string[], path: FieldPath): Errors {
  if (value === "") return [field.required(path, "")];
  return accepted.includes(value) ? [] : [field.notSupported(path, value, accepted)];
}

/** The identical non-empty value every version holds, if they all hold one (upstream hoists it). */
function shared<T>(
  versions: readonly CustomResourceDefinitionVersion[],
  get: (v: CustomResourceDefinitionVersion) => T | undefined,
): T | undefined {
  const first = versions[0] === undefined ? undefined : get(versions[0]);
  if (first === undefined) return undefined;
  return versions.every((v) => isDeepStrictEqual(get(v), first)) ? first : undefined;
}

function validateSpec(spec: CustomResourceDefinitionSpec, path: FieldPath): Errors {
  const errs = [
    ...validateGroup(spec.group ?? "", path.child("group")),
    ...validateEnumString(spec.scope ?? "", ["Cluster", "Namespaced"], path.child("scope")),
  ];
  const versions = spec.versions ?? [];
  versions.forEach((v, i) => {
    if (v.schema?.openAPIV3Schema === undefined) {
      const p = path.child("versions").index(i).child("schema").child("openAPIV3Schema");
      errs.push(field.required(p, "schemas are required"));
    }
  });
  errs.push(...validateVersions(spec, path));
  errs.push(...validateSpecNames(spec.names, path.child("names")));
  errs.push(...validateConversion(spec.conversion, path.child("conversion")));
  if (spec.preserveUnknownFields === true) {
    const detail =
      "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead";
    errs.push(field.invalid(path.child("preserveUnknownFields"), true, detail));
  }
  return errs;
}

function validateVersions(spec: CustomResourceDefinitionSpec, path: FieldPath): Errors {
  const errs: Errors = [];
  const versions = spec.versions ?? [];
  const schema = shared(versions, (v) => v.schema?.openAPIV3Schema);
  const subresources = shared(versions, (v) => v.subresources);
  const columns = shared(versions, (v) =>
    v.additionalPrinterColumns?.length ? v.additionalPrinterColumns : undefined,
  );
  const anyStatus = versions.some((v) => v.subresources?.status !== undefined);
  versions.forEach((v, i) => {
    const vp = path.child("versions").index(i);
    errs.push(
      ...isDNS1035Label(v.name ?? "").map((m) => field.invalid(vp.child("name"), v.name ?? "", m)),
    );
    errs.push(
      ...validateVersion(v, vp, {
        schema: schema === undefined,
        subresources: subresources === undefined,
        columns: columns === undefined,
      }),
    );
  });
  if (schema) errs.push(...validateVersionSchema(schema, anyStatus, path.child("validation")));
  if (subresources) errs.push(...validateSubresources(subresources, path.child("subresources")));
  for (const [j, c] of (columns ?? []).entries()) {
    errs.push(...validateColumn(c, path.child("additionalPrinterColumns").index(j)));
  }
  const names = versions.map((v) => v.name);
  if (new Set(names).size !== names.length) {
    errs.push(
      field.invalid(path.child("versions"), field.omitValue, "must contain unique version names"),
    );
  }
  if (versions.filter((v) => v.storage).length !== 1) {
    const detail = "must have exactly one version marked as storage version";
    errs.push(field.invalid(path.child("versions"), field.omitValue, detail));
  }
  return errs;
}

interface PerVersion {
  readonly schema: boolean;
  readonly subresources: boolean;
  readonly columns: boolean;
}

/** `validateCustomResourceDefinitionVersion`, for what was not hoisted to the top level. */
function validateVersion(
  v: CustomResourceDefinitionVersion,
  path: FieldPath,
  own: PerVersion,
): Errors {
  const errs: Errors = [];
  if (v.deprecationWarning !== undefined) {
    const p = path.child("deprecationWarning");
    if (!v.deprecated)
      errs.push(field.invalid(p, v.deprecationWarning, "can only be set for deprecated versions"));
    else if (v.deprecationWarning.length > 256)
      errs.push(field.invalid(p, v.deprecationWarning, "must be <= 256 characters long"));
    else if (v.deprecationWarning === "")
      errs.push(field.invalid(p, "", "must not be an empty string"));
  }
  const schema = v.schema?.openAPIV3Schema;
  if (own.schema && schema)
    errs.push(
      ...validateVersionSchema(schema, v.subresources?.status !== undefined, path.child("schema")),
    );
  if (own.subresources)
    errs.push(...validateSubresources(v.subresources, path.child("subresources")));
  if (own.columns) {
    for (const [j, c] of (v.additionalPrinterColumns ?? []).entries()) {
      errs.push(...validateColumn(c, path.child("additionalPrinterColumns").index(j)));
    }
  }
  if (v.selectableFields?.length)
    errs.push(
      ...validateSelectableFields(v.selectableFields, schema, path.child("selectableFields")),
    );
  return errs;
}

/** Bosun converts between versions by relabelling only: conversion webhooks are refused. */
export const webhookUnsupported = `supported values: "None" (Bosun does not call conversion webhooks; versions are converted by changing apiVersion only)`;

function validateConversion(
  conversion: CustomResourceConversion | undefined,
  path: FieldPath,
): Errors {
  if (conversion === undefined) return [];
  const strategyPath = path.child("strategy");
  const strategy = conversion.strategy ?? "";
  if (strategy === "Webhook") {
    return [
      { ...field.notSupported(strategyPath, strategy, ["None"]), detail: webhookUnsupported },
    ];
  }
  const errs = validateEnumString(strategy, ["None", "Webhook"], strategyPath);
  const forbidden = "should not be set when strategy is not set to Webhook";
  if (conversion.webhook?.clientConfig)
    errs.push(field.forbidden(path.child("webhookClientConfig"), forbidden));
  if (conversion.webhook?.conversionReviewVersions?.length) {
    errs.push(field.forbidden(path.child("conversionReviewVersions"), forbidden));
  }
  return errs;
}
