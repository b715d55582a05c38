/**
 * Validation of an EncryptionConfiguration (upstream `apis/apiserver/validation`), returning field
 * errors whose messages match upstream's. Bosun departs in two places: `kms` providers are
 * rejected (there is no KMS plugin client), and a provider entry with zero or several providers
 * does not print its Go struct (which upstream prints with pointer addresses).
 */
import * as field from "../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../machinery/field-path.ts";
import type { EncryptionConfiguration, Key, ProviderConfiguration } from "./config.ts";

const aesKeySizes = [16, 24, 32];
const secretboxKeySizes = [32];

const msg = {
  moreThanOneElement:
    "more than one provider specified in a single element, should split into different list elements",
  noProvider:
    "provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity",
  base64: "secrets must be base64 encoded",
  eventsGroup:
    "'*.events.k8s.io' objects are stored using the 'events' API group in etcd. Use 'events' instead in the config file",
  extensionsGroup: "'extensions' group has been removed and cannot be used for encryption",
  starResource:
    "use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources",
  overlap:
    "using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked",
  nonRESTAPIResource: "resources which do not have REST API/s cannot be encrypted",
  resourceName: "resource name should not contain capital letters",
  resourceAcrossGroup: "encrypting the same resource across groups is not supported",
  duplicateResource: "the same resource cannot be specified multiple times",
  kms: "KMS providers are not supported by Bosun; use aesgcm, aescbc or secretbox",
};
const atLeastOne = (what: string) => `at least one ${what} is required`;

export interface GroupResourceName {
  readonly group: string;
  readonly resource: string;
}

/** `schema.ParseGroupResource`: `deployments.apps` → apps/deployments; `*.` → core/`*`. */
export function parseGroupResource(s: string): GroupResourceName {
  const dot = s.indexOf(".");
  return dot < 0
    ? { group: "", resource: s }
    : { group: s.slice(dot + 1), resource: s.slice(0, dot) };
}

/** Go's `base64.StdEncoding.DecodeString` (padding required; CR and LF ignored). */
export function decodeBase64Std(s: string): Uint8Array | undefined {
  const clean = s.replace(/[\r\n]/g, "");
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:=|==)?$/.test(clean)) return undefined;
  return new Uint8Array(Buffer.from(clean, "base64"));
}

export function validateEncryptionConfiguration(c: EncryptionConfiguration): field.FieldError[] {
  const root = newPath("resources");
  if (c.resources.length === 0) return [field.required(root, atLeastOne(root.toString()))];
  const errs: field.FieldError[] = [];
  c.resources.forEach((conf, i) => {
    const r = root.index(i).child("resources");
    const p = root.index(i).child("providers");
    if (conf.resources.length === 0) errs.push(field.required(r, atLeastOne(r.toString())));
    errs.push(...validateResourceOverlap(conf.resources, r));
    errs.push(...validateResourceNames(conf.resources, r));
    if (conf.providers.length === 0) errs.push(field.required(p, atLeastOne(p.toString())));
    conf.providers.forEach((provider, j) => {
      errs.push(...validateProvider(provider, p.index(j)));
    });
  });
  return errs;
}

function validateResourceOverlap(resources: string[], path: FieldPath): field.FieldError[] {
  if (resources.length < 2) return [];
  const grs = resources.map(parseGroupResource);
  let duplicate = false;
  let overlap = false;
  grs.forEach((a, i) => {
    grs.forEach((b, j) => {
      // Upstream's order: a pair counts as a duplicate once; later identical pairs may overlap.
      if (i === j) return;
      const same = a.group === b.group && a.resource === b.resource;
      if (same && !duplicate) duplicate = true;
      else if (overlap) return;
      else if (a.group === "*" && a.resource === "*") overlap = true;
      else if (a.group === b.group && (a.resource === "*" || b.resource === "*")) overlap = true;
    });
  });
  const errs: field.FieldError[] = [];
  if (duplicate) errs.push(field.invalid(path, resources, msg.duplicateResource));
  if (overlap) errs.push(field.invalid(path, resources, msg.overlap));
  return errs;
}

function resourceNameError(res: string): string | undefined {
  if (res.toLowerCase() !== res) return msg.resourceName;
  if (res === "*") return msg.starResource;
  if (["apiserveripinfo", "serviceipallocations", "servicenodeportallocations"].includes(res)) {
    return msg.nonRESTAPIResource;
  }
  const gr = parseGroupResource(res);
  if (gr.group === "events.k8s.io") return msg.eventsGroup;
  if (gr.group === "extensions") return msg.extensionsGroup;
  if (gr.group === "*" && gr.resource !== "*") return msg.resourceAcrossGroup;
  return undefined;
}

function validateResourceNames(resources: string[], path: FieldPath): field.FieldError[] {
  return resources.flatMap((res, j) => {
    const detail = resourceNameError(res);
    return detail ? [field.invalid(path.index(j), res, detail)] : [];
  });
}

function validateProvider(provider: ProviderConfiguration, path: FieldPath): field.FieldError[] {
  const found = (["kms", "aesgcm", "aescbc", "secretbox", "identity"] as const).filter(
    (name) => provider[name] !== undefined,
  );
  if (found.length === 0) return [field.invalid(path, field.omitValue, msg.noProvider)];
  if (found.length > 1) return [field.invalid(path, field.omitValue, msg.moreThanOneElement)];
  if (provider.kms) return [field.forbidden(path.child("kms"), msg.kms)];
  if (provider.aesgcm)
    return validateKeys(provider.aesgcm.keys, path.child("aesgcm", "keys"), aesKeySizes);
  if (provider.aescbc)
    return validateKeys(provider.aescbc.keys, path.child("aescbc", "keys"), aesKeySizes);
  if (provider.secretbox) {
    return validateKeys(
      provider.secretbox.keys,
      path.child("secretbox", "keys"),
      secretboxKeySizes,
    );
  }
  return [];
}

function validateKeys(keys: Key[], path: FieldPath, sizes: number[]): field.FieldError[] {
  if (keys.length === 0) return [field.required(path, atLeastOne("keys"))];
  return keys.flatMap((key, i) => validateKey(key, path.index(i), sizes));
}

function validateKey(key: Key, path: FieldPath, sizes: number[]): field.FieldError[] {
  const errs: field.FieldError[] = [];
  if (key.name === "") {
    errs.push(field.required(path.child("name"), "name is a mandatory field for a key"));
  }
  if (key.secret === "") {
    errs.push(field.required(path.child("secret"), "secret is a mandatory field for a key"));
    return errs;
  }
  const secret = decodeBase64Std(key.secret);
  if (!secret) {
    errs.push(field.invalid(path.child("secret"), "REDACTED", msg.base64));
  } else if (!sizes.includes(secret.length)) {
    const detail = `secret is not of the expected length, got ${secret.length}, expected one of [${sizes.join(" ")}]`;
    errs.push(field.invalid(path.child("secret"), "REDACTED", detail));
  }
  return errs;
}
