/**
 * Probe validation (upstream `validateProbe`, `validateLivenessProbe`, `validateHandler`): exactly
 * one handler, non-negative timings, successThreshold 1 for liveness and startup probes.
 */

import * as field from "../../../machinery/field-errors.ts";
import type { FieldPath } from "../../../machinery/field-path.ts";
import type { IntOrString } from "../../../machinery/intstr.ts";
import { isValidPortName, isValidPortNum } from "../../../machinery/validation.ts";
import type { Probe } from "../../generated/types.ts";
import { type FieldErrors, validateNonnegativeField } from "./common.ts";

const handlers = ["exec", "httpGet", "tcpSocket", "grpc"] as const;

const timings = [
  "initialDelaySeconds",
  "timeoutSeconds",
  "periodSeconds",
  "successThreshold",
  "failureThreshold",
] as const;

export function validateProbe(
  probe: Probe | undefined,
  path: FieldPath,
  successMustBeOne: boolean,
): FieldErrors {
  if (!probe) return [];
  const errs = validateHandler(probe, path);
  for (const name of timings) {
    const v = probe[name];
    if (v !== undefined && v !== null) errs.push(...validateNonnegativeField(v, path.child(name)));
  }
  if (successMustBeOne && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    errs.push(field.invalid(path.child("successThreshold"), probe.successThreshold, "must be 1"));
  }
  return errs;
}

function validateHandler(probe: Probe, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  let count = 0;
  for (const name of handlers) {
    if (probe[name] === undefined || probe[name] === null) continue;
    if (count > 0) {
      errs.push(field.forbidden(path.child(name), "may not specify more than 1 handler type"));
    } else if (name === "httpGet" || name === "tcpSocket") {
      errs.push(...validatePortNumOrName(probe[name]?.port, path.child(name, "port")));
    } else if (name === "exec" && (probe.exec?.command ?? []).length === 0) {
      errs.push(field.required(path.child("exec", "command"), ""));
    }
    count++;
  }
  if (count === 0) errs.push(field.required(path, "must specify a handler type"));
  return errs;
}

function validatePortNumOrName(port: IntOrString | undefined, path: FieldPath): FieldErrors {
  if (typeof port === "number") {
    return isValidPortNum(port).map((msg) => field.invalid(path, port, msg));
  }
  const name = port ?? "";
  return isValidPortName(name).map((msg) => field.invalid(path, name, msg));
}
