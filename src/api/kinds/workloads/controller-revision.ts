/**
 * apps/v1 ControllerRevision: an immutable snapshot of a workload's template (upstream
 * `ValidateControllerRevision`): data is required and may not change, revision is non-negative.
 */

import * as field from "../../../machinery/field-errors.ts";
import { newPath } from "../../../machinery/field-path.ts";
import type { ControllerRevision } from "../../generated/types.ts";
import type { ResourceDefinition } from "../../resource.ts";
import { controllerRevisionPrinter } from "./apps-printers.ts";
import {
  type FieldErrors,
  type Obj,
  validateImmutableField,
  validateNonnegativeField,
} from "./common.ts";

type ControllerRevisionObj = Obj<ControllerRevision>;

export function validateControllerRevision(rev: ControllerRevision): FieldErrors {
  const errs: FieldErrors = [];
  if (rev.data === undefined || rev.data === null) {
    errs.push(field.required(newPath("data"), "data is mandatory"));
  }
  errs.push(...validateNonnegativeField(rev.revision ?? 0, newPath("revision")));
  return errs;
}

export const controllerRevisionResource: ResourceDefinition<ControllerRevisionObj> = {
  group: "apps",
  version: "v1",
  kind: "ControllerRevision",
  plural: "controllerrevisions",
  singular: "controllerrevision",
  namespaced: true,
  strategy: {
    validate: validateControllerRevision,
    validateUpdate: (rev, old) => [
      ...validateControllerRevision(rev),
      ...validateImmutableField(rev.data, old.data, newPath("data")),
    ],
    printer: controllerRevisionPrinter,
  },
};
