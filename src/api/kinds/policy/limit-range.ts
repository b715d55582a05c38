/**
 * core/v1 LimitRange (upstream `SetDefaults_LimitRangeItem`, `ValidateLimitRange`, the default
 * NAME / CREATED AT table). Each item constrains one type (Pod, Container or
 * PersistentVolumeClaim); for containers, min ≤ defaultRequest ≤ default ≤ max must hold.
 */
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { newQuantity, type Quantity } from "../../../machinery/quantity.ts";
import { isQualifiedName } from "../../../machinery/validation.ts";
import type { LimitRange, LimitRangeItem } from "../../generated/types.ts";
import { defaultPrinter } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import type { FieldErrors, Obj } from "../core/common.ts";
import {
  isNativeResource,
  parseStored,
  quantityValue,
  validateContainerResourceName,
  validateResourceName,
} from "./resource-names.ts";

type LimitRangeObj = Obj<LimitRange>;

export const limitTypes = ["Pod", "Container", "PersistentVolumeClaim"];

/** `SetDefaults_LimitRangeItem`: container defaults fall back to max, then to min. */
export function defaultLimitRangeItem(item: LimitRangeItem): void {
  if (item.type !== "Container") return;
  const defaults = { ...item.default };
  for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in defaults)) defaults[k] = v;
  const requests = { ...item.defaultRequest };
  for (const [k, v] of Object.entries(defaults)) if (!(k in requests)) requests[k] = v;
  for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in requests)) requests[k] = v;
  if (Object.keys(defaults).length > 0) item.default = defaults;
  if (Object.keys(requests).length > 0) item.defaultRequest = requests;
}

function validateTypeName(value: string, path: FieldPath): FieldErrors {
  const errs = isQualifiedName(value).map((msg) => field.invalid(path, value, msg));
  if (errs.length === 0 && !value.includes("/") && !limitTypes.includes(value)) {
    errs.push(field.invalid(path, value, "must be a standard limit type or fully qualified"));
  }
  return errs;
}

function validateLimitResourceName(type: string, name: string, path: FieldPath): FieldErrors {
  return type === "Pod" || type === "Container"
    ? validateContainerResourceName(name, path)
    : validateResourceName(name, path);
}

type Lists = Record<"min" | "max" | "default" | "defaultRequest" | "ratio", Map<string, Quantity>>;

/** Validates the names of one list and collects its parsed quantities. */
function collect(
  item: LimitRangeItem,
  list: "min" | "max" | "default" | "defaultRequest" | "maxLimitRequestRatio",
  path: FieldPath,
  into: Map<string, Quantity>,
): FieldErrors {
  const errs: FieldErrors = [];
  for (const [name, raw] of Object.entries(item[list] ?? {})) {
    const keyPath = path.child(list).key(name);
    errs.push(...validateLimitResourceName(item.type, name, keyPath));
    const q = parseStored(raw);
    if (q instanceof Error) errs.push(field.invalid(keyPath, String(raw), q.message));
    else into.set(name, q);
  }
  return errs;
}

/** The ordering checks between an item's lists for one resource (`min ≤ ... ≤ max`). */
function validateOrdering(name: string, l: Lists, isOvercommit: boolean, path: FieldPath) {
  const errs: FieldErrors = [];
  const [min, max, def, req, ratio] = [
    l.min.get(name),
    l.max.get(name),
    l.default.get(name),
    l.defaultRequest.get(name),
    l.ratio.get(name),
  ];
  const bad = (list: string, value: Quantity, msg: string) =>
    errs.push(field.invalid(path.child(list).key(name), quantityValue(value), msg));
  if (min && max && min.cmp(max) > 0)
    bad("min", min, `min value ${min} is greater than max value ${max}`);
  if (req && min && min.cmp(req) > 0) {
    bad("defaultRequest", req, `min value ${min} is greater than default request value ${req}`);
  }
  if (req && max && req.cmp(max) > 0) {
    bad("defaultRequest", req, `default request value ${req} is greater than max value ${max}`);
  }
  if (req && def && req.cmp(def) > 0) {
    bad(
      "defaultRequest",
      req,
      `default request value ${req} is greater than default limit value ${def}`,
    );
  }
  if (def && min && min.cmp(def) > 0)
    bad("default", min, `min value ${min} is greater than default value ${def}`);
  if (def && max && def.cmp(max) > 0)
    bad("default", max, `default value ${def} is greater than max value ${max}`);
  if (ratio && ratio.cmp(newQuantity(1, "DecimalSI")) < 0) {
    bad("maxLimitRequestRatio", ratio, `ratio ${ratio} is less than 1`);
  }
  if (ratio && min && max) {
    const limit = max.milliValue() / min.milliValue();
    if (ratio.milliValue() / 1000 > limit) {
      bad(
        "maxLimitRequestRatio",
        ratio,
        `ratio ${ratio} is greater than max/min = ${limit.toFixed(6)}`,
      );
    }
  }
  if (!isOvercommit && def && req && def.cmp(req) !== 0) {
    bad(
      "defaultRequest",
      req,
      `default value ${def} must equal to defaultRequest value ${req} in ${name}`,
    );
  }
  return errs;
}

const isOvercommitAllowed = (name: string) =>
  isNativeResource(name) && !name.startsWith("hugepages-");

function validateItem(item: LimitRangeItem, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  const lists: Lists = {
    min: new Map(),
    max: new Map(),
    default: new Map(),
    defaultRequest: new Map(),
    ratio: new Map(),
  };
  errs.push(...collect(item, "max", path, lists.max), ...collect(item, "min", path, lists.min));
  if (item.type === "Pod") {
    const msg = "may not be specified when `type` is 'Pod'";
    if (Object.keys(item.default ?? {}).length > 0)
      errs.push(field.forbidden(path.child("default"), msg));
    if (Object.keys(item.defaultRequest ?? {}).length > 0) {
      errs.push(field.forbidden(path.child("defaultRequest"), msg));
    }
  } else {
    errs.push(...collect(item, "default", path, lists.default));
    errs.push(...collect(item, "defaultRequest", path, lists.defaultRequest));
  }
  if (item.type === "PersistentVolumeClaim" && !item.min?.storage && !item.max?.storage) {
    errs.push(
      field.required(
        path.child("limits"),
        "either minimum or maximum storage value is required, but neither was provided",
      ),
    );
  }
  errs.push(...collect(item, "maxLimitRequestRatio", path, lists.ratio));
  const names = new Set(Object.values(lists).flatMap((m) => [...m.keys()]));
  for (const name of [...names].sort()) {
    errs.push(...validateOrdering(name, lists, isOvercommitAllowed(name), path));
  }
  return errs;
}

/** `ValidateLimitRange` beyond object meta: valid types (each once) and consistent values. */
export function validateLimitRange(lr: LimitRangeObj): FieldErrors {
  const errs: FieldErrors = [];
  const seen = new Set<string>();
  (lr.spec?.limits ?? []).forEach((item, i) => {
    const path = newPath("spec", "limits").index(i);
    errs.push(...validateTypeName(item.type, path.child("type")));
    if (seen.has(item.type)) errs.push(field.duplicate(path.child("type"), item.type));
    seen.add(item.type);
    errs.push(...validateItem(item, path));
  });
  return errs;
}

export const limitRangeStrategy: Strategy<LimitRangeObj> = {
  defaults: (lr) => {
    for (const item of lr.spec?.limits ?? []) defaultLimitRangeItem(item);
  },
  validate: validateLimitRange,
  printer: defaultPrinter,
};

export const limitRangeResource: ResourceDefinition<LimitRangeObj> = {
  group: "",
  version: "v1",
  kind: "LimitRange",
  plural: "limitranges",
  singular: "limitrange",
  shortNames: ["limits"],
  namespaced: true,
  strategy: limitRangeStrategy,
};
