/**
 * networking.k8s.io/v1 IngressClass (upstream `SetDefaults_IngressClass`,
 * `ValidateIngressClass`, `ValidateIngressClassUpdate`, `printIngressClass`). Cluster-scoped.
 */
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { byteLength } from "../../../machinery/go-format.ts";
import { nameIsDNSLabel } from "../../../machinery/validation.ts";
import type { IngressClass, IngressClassParametersReference } from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import {
  ageColumn,
  ageOf,
  type FieldErrors,
  invalidEach,
  nameColumn,
  nameOf,
  type Obj,
  validateImmutableField,
} from "./common.ts";
import { isDomainPrefixedPath } from "./extra-validation.ts";
import { validateTypedLocalObjectReference } from "./ingress-validation.ts";

type IngressClassObj = Obj<IngressClass>;

const maxControllerLength = 250;
const scopes = ["Cluster", "Namespace"];

function validateParameters(params: IngressClassParametersReference, path: FieldPath): FieldErrors {
  const errs = validateTypedLocalObjectReference(params, path);
  if (params.scope === undefined) return [...errs, field.required(path.child("scope"))];
  if (!scopes.includes(params.scope)) {
    return [...errs, field.notSupported(path.child("scope"), params.scope, scopes)];
  }
  const namespacePath = path.child("namespace");
  if (params.scope === "Namespace") {
    if (params.namespace === undefined) {
      errs.push(field.required(namespacePath, "`parameters.scope` is set to 'Namespace'"));
    } else {
      errs.push(
        ...invalidEach(namespacePath, params.namespace, nameIsDNSLabel(params.namespace, false)),
      );
    }
  }
  if (params.scope === "Cluster" && params.namespace !== undefined) {
    errs.push(field.forbidden(namespacePath, "`parameters.scope` is set to 'Cluster'"));
  }
  return errs;
}

/** `ValidateIngressClass` beyond object meta. */
export function validateIngressClass(ic: IngressClassObj): FieldErrors {
  const path = newPath("spec");
  const errs: FieldErrors = [];
  const controller = ic.spec?.controller ?? "";
  if (controller === "") errs.push(field.required(path.child("controller")));
  else {
    if (byteLength(controller) > maxControllerLength) {
      errs.push(field.tooLong(path.child("controller"), maxControllerLength));
    }
    errs.push(...isDomainPrefixedPath(path.child("controller"), controller));
  }
  if (ic.spec?.parameters)
    errs.push(...validateParameters(ic.spec.parameters, path.child("parameters")));
  return errs;
}

function formatParameters(params: IngressClassParametersReference | undefined): string {
  if (params === undefined) return "<none>";
  const kind = params.apiGroup !== undefined ? `${params.kind}.${params.apiGroup}` : params.kind;
  return `${kind}/${params.name}`;
}

export const ingressClassStrategy: Strategy<IngressClassObj> = {
  tracksGeneration: true,
  defaults(ic) {
    const params = ic.spec?.parameters;
    if (params !== undefined) params.scope ??= "Cluster";
  },
  validate: validateIngressClass,
  validateUpdate: (ic, old) => [
    ...validateImmutableField(
      ic.spec?.controller,
      old.spec?.controller,
      newPath("spec", "controller"),
    ),
    ...validateIngressClass(ic),
  ],
  printer: {
    columns: [
      nameColumn(),
      column("Controller", {
        description: "Controller that is responsible for handling this class",
      }),
      column("Parameters", { description: "A reference to a resource with additional parameters" }),
      ageColumn(),
    ],
    row: (ic, now) => [
      nameOf(ic),
      ic.spec?.controller ?? "",
      formatParameters(ic.spec?.parameters),
      ageOf(ic, now),
    ],
  },
};

export const ingressClassResource: ResourceDefinition<IngressClassObj> = {
  group: "networking.k8s.io",
  version: "v1",
  kind: "IngressClass",
  plural: "ingressclasses",
  singular: "ingressclass",
  namespaced: false,
  strategy: ingressClassStrategy,
};
