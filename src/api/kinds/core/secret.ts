/**
 * core/v1 Secret (upstream `SetDefaults_Secret`, the v1 → internal conversion that folds
 * `stringData` into `data`, `ValidateSecret`, `ValidateSecretUpdate`, `printSecret`).
 */
import * as field from "../../../machinery/field-errors.ts";
import { newPath } from "../../../machinery/field-path.ts";
import type { Secret } from "../../generated/types.ts";
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
  validateImmutableField,
} from "./common.ts";
import { base64Length, immutableMsg, maxDataSize } from "./config-map.ts";
import { isConfigMapKey } from "./extra-validation.ts";

type SecretObj = Obj<Secret>;

const dataPath = newPath("data");
const redacted = "<secret contents redacted>";

/** Go's `json.Unmarshal` into `map[string]interface{}`: the error text, or "" when it decodes. */
function jsonObjectError(text: string): string {
  if (text.trim() === "") return "unexpected end of JSON input";
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const first = text.trim()[0] ?? "";
    return /[[{"\-0-9tfn]/.test(first)
      ? (err as Error).message
      : `invalid character '${first}' looking for beginning of value`;
  }
  if (value === null || (typeof value === "object" && !Array.isArray(value))) return "";
  const kind = Array.isArray(value) ? "array" : typeof value === "boolean" ? "bool" : typeof value;
  return `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`;
}

function validateDockerConfig(secret: SecretObj, key: string): FieldErrors {
  const value = secret.data?.[key];
  if (value === undefined) return [field.required(dataPath.key(key))];
  const error = jsonObjectError(Buffer.from(value, "base64").toString("utf8"));
  return error === "" ? [] : [field.invalid(dataPath.key(key), redacted, error)];
}

/** The keys each well-known secret type requires. */
function validateSecretType(secret: SecretObj): FieldErrors {
  const data = secret.data ?? {};
  const has = (key: string) => Object.hasOwn(data, key);
  switch (secret.type ?? "") {
    case "kubernetes.io/service-account-token": {
      const key = "kubernetes.io/service-account.name";
      const name = secret.metadata?.annotations?.[key] ?? "";
      return name === "" ? [field.required(newPath("metadata", "annotations").key(key))] : [];
    }
    case "kubernetes.io/dockercfg":
      return validateDockerConfig(secret, ".dockercfg");
    case "kubernetes.io/dockerconfigjson":
      return validateDockerConfig(secret, ".dockerconfigjson");
    case "kubernetes.io/basic-auth":
      return has("username") || has("password")
        ? []
        : [field.required(dataPath.key("username")), field.required(dataPath.key("password"))];
    case "kubernetes.io/ssh-auth":
      return base64Length(data["ssh-privatekey"] ?? "") === 0
        ? [field.required(dataPath.key("ssh-privatekey"))]
        : [];
    case "kubernetes.io/tls":
      return ["tls.crt", "tls.key"]
        .filter((k) => !has(k))
        .map((k) => field.required(dataPath.key(k)));
    default:
      return [];
  }
}

/** `ValidateSecret` beyond object meta. */
export function validateSecret(secret: SecretObj): FieldErrors {
  const errs: FieldErrors = [];
  let total = 0;
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    for (const msg of isConfigMapKey(key)) errs.push(field.invalid(dataPath.key(key), key, msg));
    total += base64Length(value);
  }
  if (total > maxDataSize) errs.push(field.tooLong(dataPath, maxDataSize));
  return [...errs, ...validateSecretType(secret)];
}

/** `ValidateSecretUpdate`: the type never changes; an immutable secret keeps its data. */
export function validateSecretUpdate(secret: SecretObj, old: SecretObj): FieldErrors {
  const errs = validateImmutableField(secret.type, old.type, newPath("type"));
  if (old.immutable === true) {
    if (secret.immutable !== true) errs.push(field.forbidden(newPath("immutable"), immutableMsg));
    if (!sameValue(secret.data, old.data)) errs.push(field.forbidden(dataPath, immutableMsg));
  }
  return [...errs, ...validateSecret(secret)];
}

/** Defaults the type and folds `stringData` into `data` (base64), as decoding does upstream. */
export function defaultSecret(secret: SecretObj): void {
  if ((secret.type ?? "") === "") secret.type = "Opaque";
  const stringData = secret.stringData;
  if (stringData === undefined) return;
  delete secret.stringData;
  if (Object.keys(stringData).length === 0) return;
  const data = { ...(secret.data ?? {}) };
  for (const [key, value] of Object.entries(stringData)) {
    data[key] = Buffer.from(value, "utf8").toString("base64");
  }
  secret.data = data;
}

export const secretStrategy: Strategy<SecretObj> = {
  defaults: defaultSecret,
  validate: validateSecret,
  validateUpdate: validateSecretUpdate,
  selectableFields: (secret) => ({ type: secret.type ?? "" }),
  printer: {
    columns: [
      nameColumn(),
      column("Type", { description: "Used to facilitate programmatic handling of secret data." }),
      column("Data", { description: "Data contains the secret data." }),
      ageColumn(),
    ],
    row: (secret, now) => [
      nameOf(secret),
      secret.type ?? "",
      Object.keys(secret.data ?? {}).length,
      ageOf(secret, now),
    ],
  },
};

export const secretResource: ResourceDefinition<SecretObj> = {
  group: "",
  version: "v1",
  kind: "Secret",
  plural: "secrets",
  singular: "secret",
  namespaced: true,
  strategy: secretStrategy,
};
