/**
 * core/v1 ConfigMap (upstream `ValidateConfigMap`, `ValidateConfigMapUpdate`, `printConfigMap`).
 * Keys are config keys, data and binaryData together hold at most 1 MiB, and an immutable
 * ConfigMap keeps its data for good.
 */
import * as field from "../../../machinery/field-errors.ts";
import { newPath } from "../../../machinery/field-path.ts";
import { byteLength } from "../../../machinery/go-format.ts";
import type { ConfigMap } from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import {
  ageColumn,
  ageOf,
  type FieldErrors,
  nameColumn,
  nameOf,
  type Obj,
  sameValue,
} from "./common.ts";
import { isConfigMapKey } from "./extra-validation.ts";

type ConfigMapObj = Obj<ConfigMap>;

/** `core.MaxSecretSize`: the most bytes of data a ConfigMap or Secret may hold. */
export const maxDataSize = 1024 * 1024;

export const immutableMsg = "field is immutable when `immutable` is set";

/** The decoded length of a base64 value (as upstream counts `[]byte` data). */
export function base64Length(value: string): number {
  return Buffer.from(value, "base64").length;
}

/** `ValidateConfigMap` beyond object meta. */
export function validateConfigMap(cm: ConfigMapObj): FieldErrors {
  const errs: FieldErrors = [];
  let total = 0;
  const binary = cm.binaryData ?? {};
  for (const [key, value] of Object.entries(cm.data ?? {})) {
    const path = newPath("data").key(key);
    for (const msg of isConfigMapKey(key)) errs.push(field.invalid(path, key, msg));
    if (Object.hasOwn(binary, key)) {
      errs.push(field.invalid(path, key, "duplicate of key present in binaryData"));
    }
    total += byteLength(value);
  }
  for (const [key, value] of Object.entries(binary)) {
    const path = newPath("binaryData").key(key);
    for (const msg of isConfigMapKey(key)) errs.push(field.invalid(path, key, msg));
    total += base64Length(value);
  }
  if (total > maxDataSize) {
    // Upstream reports the whole object, with an empty field path.
    const tooLong = field.tooLong(null, maxDataSize);
    errs.push({ ...tooLong, field: "" });
  }
  return errs;
}

/** `ValidateConfigMapUpdate`: an immutable ConfigMap stays immutable and keeps its data. */
export function validateConfigMapUpdate(cm: ConfigMapObj, old: ConfigMapObj): FieldErrors {
  const errs: FieldErrors = [];
  if (old.immutable === true) {
    if (cm.immutable !== true) errs.push(field.forbidden(newPath("immutable"), immutableMsg));
    if (!sameValue(cm.data, old.data)) errs.push(field.forbidden(newPath("data"), immutableMsg));
    if (!sameValue(cm.binaryData, old.binaryData)) {
      errs.push(field.forbidden(newPath("binaryData"), immutableMsg));
    }
  }
  return [...errs, ...validateConfigMap(cm)];
}

export const configMapStrategy: Strategy<ConfigMapObj> = {
  validate: validateConfigMap,
  validateUpdate: validateConfigMapUpdate,
  printer: {
    columns: [
      nameColumn(),
      column("Data", { description: "Data contains the configuration data." }),
      ageColumn(),
    ],
    row: (cm, now) => [
      nameOf(cm),
      Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
      ageOf(cm, now),
    ],
  },
};

export const configMapResource: ResourceDefinition<ConfigMapObj> = {
  group: "",
  version: "v1",
  kind: "ConfigMap",
  plural: "configmaps",
  singular: "configmap",
  shortNames: ["cm"],
  namespaced: true,
  strategy: configMapStrategy,
};
