/**
 * Container resource requirements: names and quantities valid, requests no more than limits
 * (`ValidateContainerResourceRequirements`), and the pod's QoS class (`ComputePodQOS`).
 */

import * as field from "../../../machinery/field-errors.ts";
import type { FieldPath } from "../../../machinery/field-path.ts";
import { isNegativeErrorMsg } from "../../../machinery/object-meta.ts";
import { type Quantity, quantityFromJSON } from "../../../machinery/quantity.ts";
import { isQualifiedName } from "../../../machinery/validation.ts";
import type { Container, PodSpec, ResourceRequirements } from "../../generated/types.ts";
import type { FieldErrors } from "./common.ts";

const standardContainerResources = new Set(["cpu", "memory", "ephemeral-storage"]);

const isHugePages = (name: string): boolean => name.startsWith("hugepages-");

/** Native: no domain, or a kubernetes.io one. */
const isNative = (name: string): boolean =>
  !name.includes("/") || name.split("/")[0]!.endsWith("kubernetes.io");

const isOvercommitAllowed = (name: string): boolean => isNative(name) && !isHugePages(name);

/** Quantities of extended resources must be whole numbers. */
const isIntegerResource = (name: string): boolean =>
  !isNative(name) && !name.startsWith("requests.");

function parse(value: unknown): Quantity | Error {
  try {
    return quantityFromJSON(value);
  } catch (err) {
    return err as Error;
  }
}

function validateResourceName(name: string, path: FieldPath): FieldErrors {
  const errs = isQualifiedName(name).map((msg) => field.invalid(path, name, msg));
  if (!name.includes("/")) {
    if (!standardContainerResources.has(name) && !isHugePages(name)) {
      errs.push(field.invalid(path, name, "must be a standard resource for containers"));
    }
  } else if (!isNative(name) && name.startsWith("requests.")) {
    errs.push(field.invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** Parses a list, reporting names, bad quantities, negatives and non-integers. */
function validateList(
  list: Record<string, unknown> | undefined,
  path: FieldPath,
): { errors: FieldErrors; values: Map<string, Quantity> } {
  const errors: FieldErrors = [];
  const values = new Map<string, Quantity>();
  for (const [name, raw] of Object.entries(list ?? {})) {
    const keyPath = path.key(name);
    errors.push(...validateResourceName(name, keyPath));
    const q = parse(raw);
    if (q instanceof Error) {
      errors.push(field.invalid(keyPath, String(raw), q.message));
      continue;
    }
    values.set(name, q);
    if (q.sign() < 0) errors.push(field.invalid(keyPath, q.toString(), isNegativeErrorMsg));
    if (isIntegerResource(name) && q.milliValue() % 1000 !== 0) {
      errors.push(field.invalid(keyPath, q.toString(), "must be an integer"));
    }
  }
  return { errors, values };
}

export function validateResourceRequirements(
  resources: ResourceRequirements | undefined,
  path: FieldPath,
): FieldErrors {
  const limPath = path.child("limits");
  const reqPath = path.child("requests");
  const limits = validateList(resources?.limits, limPath);
  const requests = validateList(resources?.requests, reqPath);
  const errs = [...limits.errors, ...requests.errors];
  for (const [name, req] of requests.values) {
    const limit = limits.values.get(name);
    if (limit !== undefined) {
      const cmp = req.cmp(limit);
      if (cmp !== 0 && !isOvercommitAllowed(name)) {
        errs.push(
          field.invalid(reqPath, req.toString(), `must be equal to ${name} limit of ${limit}`),
        );
      } else if (cmp > 0) {
        errs.push(
          field.invalid(
            reqPath,
            req.toString(),
            `must be less than or equal to ${name} limit of ${limit}`,
          ),
        );
      }
    } else if (!isOvercommitAllowed(name) && !(name in (resources?.limits ?? {}))) {
      errs.push(field.required(limPath, "Limit must be set for non overcommitable resources"));
    }
  }
  return errs;
}

const qosResources = ["cpu", "memory"];

function positive(list: Record<string, unknown> | undefined): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const [name, raw] of Object.entries(list ?? {})) {
    if (!qosResources.includes(name)) continue;
    const q = parse(raw);
    if (!(q instanceof Error) && q.sign() > 0) out.set(name, q);
  }
  return out;
}

function addInto(total: Map<string, Quantity>, more: Map<string, Quantity>): void {
  for (const [name, q] of more) {
    const sum = total.get(name);
    total.set(name, sum === undefined ? q : sum.add(q));
  }
}

/** `ComputePodQOS`: Guaranteed, Burstable or BestEffort from cpu and memory of all containers. */
export function computePodQOS(
  spec: PodSpec | undefined,
): "Guaranteed" | "Burstable" | "BestEffort" {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const all: Container[] = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  for (const c of all) {
    addInto(requests, positive(c.resources?.requests));
    const lim = positive(c.resources?.limits);
    addInto(limits, lim);
    if (!qosResources.every((r) => lim.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (lim === undefined || lim.cmp(req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? "Guaranteed" : "Burstable";
}
