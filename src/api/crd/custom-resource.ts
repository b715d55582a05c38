/**
 * The served resource of one version of a CRD (upstream `crdHandler.getOrCreateServingInfoFor`
 * and `pkg/registry/customresource` strategy): names as accepted, scope, subresources (status,
 * scale), and a strategy that prunes unknown fields, applies schema defaults, validates against
 * the version's schema and the scale paths, and prints the version's columns.
 */
import * as field from "../../machinery/field-errors.ts";
import { newPath } from "../../machinery/field-path.ts";
import type {
  CustomResourceDefinition,
  CustomResourceDefinitionVersion,
  CustomResourceSubresourceScale,
} from "../generated/types.ts";
import type { KubeObject } from "../object.ts";
import type { ResourceDefinition, ScaleSpec, SubresourceName } from "../resource.ts";
import type { Strategy } from "../strategy.ts";
import { applyDefaults } from "./defaulting.ts";
import type { Schema } from "./json-schema.ts";
import { findResults, parseJSONPath, printResult } from "./jsonpath.ts";
import { customResourcePrinter } from "./printer-columns.ts";
import { prune } from "./pruning.ts";
import { validateValue } from "./schema-validator.ts";

/** The version `name` of `crd`; throws if the CRD has no such version. */
export function crdVersion(
  crd: CustomResourceDefinition,
  name: string,
): CustomResourceDefinitionVersion {
  const version = crd.spec.versions.find((v) => v.name === name);
  if (version === undefined) {
    throw new Error(
      `customresourcedefinition ${crd.metadata?.name ?? ""} has no version ${JSON.stringify(name)}`,
    );
  }
  return version;
}

/** The version's `openAPIV3Schema` (an open object when there is none). */
export function crdSchema(crd: CustomResourceDefinition, version: string): Schema {
  return (
    crdVersion(crd, version).schema?.openAPIV3Schema ?? {
      type: "object",
      "x-kubernetes-preserve-unknown-fields": true,
    }
  );
}

/** Prunes, then defaults, `obj` as the API server does with every custom resource it receives. */
export function normalizeCustomResource(obj: KubeObject, schema: Schema): string[] {
  const pruned = prune(obj, schema);
  applyDefaults(obj, schema);
  return pruned;
}

const goType = (value: unknown): string => {
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int64" : "float64";
  return Array.isArray(value) ? "[]interface {}" : "map[string]interface {}";
};

/** A replicas field at `path` (".spec.replicas") must be a non-negative int32 when present. */
function validateReplicas(obj: KubeObject, path: string): field.FieldError[] {
  const steps = parseJSONPath(path);
  if (steps instanceof Error) return [];
  const [value] = findResults(obj, steps);
  if (value === undefined || value === null) return [];
  const at = newPath(path);
  if (typeof value !== "number" || !Number.isInteger(value)) {
    const detail = `${path} accessor error: ${printResult(value)} is of the type ${goType(value)}, expected int64`;
    return [field.invalid(at, 0, detail)];
  }
  if (value < 0) return [field.invalid(at, value, "should be a non-negative integer")];
  if (value > 2147483647)
    return [field.invalid(at, value, "should be less than or equal to 2147483647")];
  return [];
}

function validateLabelSelector(obj: KubeObject, path: string | undefined): field.FieldError[] {
  const steps = path ? parseJSONPath(path) : [];
  if (!path || steps instanceof Error) return [];
  const [value] = findResults(obj, steps);
  if (value === undefined || value === null || typeof value === "string") return [];
  const detail = `${path} accessor error: ${printResult(value)} is of the type ${goType(value)}, expected string`;
  return [field.invalid(newPath(path), "", detail)];
}

/** Upstream `customResourceValidator.Validate` beyond object meta. */
export function validateCustomResource(
  obj: KubeObject,
  schema: Schema,
  scale?: CustomResourceSubresourceScale,
): field.FieldError[] {
  const errs = validateValue(obj, schema);
  if (scale === undefined) return errs;
  return [
    ...errs,
    ...validateReplicas(obj, scale.specReplicasPath),
    ...validateReplicas(obj, scale.statusReplicasPath),
    ...validateLabelSelector(obj, scale.labelSelectorPath),
  ];
}

/** The field-selector values of `selectableFields` (`spec.color` → "blue"). */
function selectableFieldsOf(version: CustomResourceDefinitionVersion) {
  const paths = (version.selectableFields ?? []).map(
    (f) => [f.jsonPath.replace(/^\./, ""), parseJSONPath(f.jsonPath)] as const,
  );
  if (paths.length === 0) return undefined;
  return (obj: KubeObject): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [name, steps] of paths) {
      const [value] = steps instanceof Error ? [] : findResults(obj, steps);
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
        out[name] = String(value);
    }
    return out;
  };
}

function strategyFor(
  crd: CustomResourceDefinition,
  version: CustomResourceDefinitionVersion,
): Strategy<KubeObject> {
  const schema = crdSchema(crd, version.name);
  const scale = version.subresources?.scale;
  const validate = (obj: KubeObject) => validateCustomResource(obj, schema, scale);
  const selectableFields = selectableFieldsOf(version);
  const warning = version.deprecated
    ? (version.deprecationWarning ??
      `${crd.spec.group}/${version.name} ${crd.spec.names.kind} is deprecated`)
    : undefined;
  return {
    tracksGeneration: true,
    defaults: (obj) => {
      normalizeCustomResource(obj, schema);
    },
    validate,
    validateUpdate: validate,
    validateStatusUpdate: validate,
    ...(warning !== undefined && { warnings: () => [warning] }),
    ...(selectableFields && { selectableFields }),
    printer: customResourcePrinter(version.additionalPrinterColumns),
  };
}

/** `.spec.replicas` → `spec.replicas` (the registry's ScaleSpec paths have no leading dot). */
const dotted = (path: string): string => path.replace(/^\./, "");

function scaleSpec(scale: CustomResourceSubresourceScale): ScaleSpec {
  const spec = {
    specReplicasPath: dotted(scale.specReplicasPath),
    statusReplicasPath: dotted(scale.statusReplicasPath),
  };
  return scale.labelSelectorPath
    ? { ...spec, labelSelectorPath: dotted(scale.labelSelectorPath) }
    : spec;
}

/**
 * The ResourceDefinition of one served version of `crd`. Names are `status.acceptedNames` once
 * the CRD is established (what upstream serves), `spec.names` before.
 */
export function customResourceDefinitionFor(
  crd: CustomResourceDefinition,
  versionName: string,
): ResourceDefinition {
  const version = crdVersion(crd, versionName);
  const accepted = crd.status?.acceptedNames;
  const names = accepted?.plural ? accepted : crd.spec.names;
  const subresources: SubresourceName[] = [];
  if (version.subresources?.status !== undefined) subresources.push("status");
  const scale = version.subresources?.scale;
  if (scale !== undefined) subresources.push("scale");
  return {
    group: crd.spec.group,
    version: version.name,
    kind: names.kind,
    plural: names.plural,
    singular: names.singular || names.kind.toLowerCase(),
    ...(names.shortNames?.length && { shortNames: [...names.shortNames] }),
    ...(names.categories?.length && { categories: [...names.categories] }),
    namespaced: crd.spec.scope === "Namespaced",
    ...(subresources.length > 0 && { subresources }),
    ...(scale !== undefined && { scale: scaleSpec(scale) }),
    strategy: strategyFor(crd, version),
  };
}
