/** Fixtures for this folder's tests: a valid Widget CRD to break in small ways. */

import type { FieldError } from "../../machinery/field-errors.ts";
import { fieldErrorMessage } from "../../machinery/field-errors.ts";
import type { CRDObject } from "./crd-strategy.ts";
import type { Schema } from "./json-schema.ts";

export const widgetSchema = (): Schema => ({
  type: "object",
  properties: {
    spec: {
      type: "object",
      required: ["size"],
      properties: {
        replicas: { type: "integer", default: 1, minimum: 0 },
        size: { type: "string", enum: ["S", "M", "L"] },
        color: { type: "string" },
      },
    },
    status: { type: "object", properties: { replicas: { type: "integer" } } },
  },
});

/** widgets.example.com: namespaced, one served storage version v1 with the status subresource. */
export function widgetCRD(): CRDObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
      conversion: { strategy: "None" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: widgetSchema() },
          subresources: { status: {} },
        },
      ],
    },
    status: { storedVersions: ["v1"] },
  };
}

export const messages = (errs: readonly FieldError[]): string[] => errs.map(fieldErrorMessage);
