/**
 * OpenAPI v3 validation of custom resources against their CRD version's schema, with the
 * messages and paths upstream prints (kube-openapi's validator as converted by
 * apiextensions-apiserver's `ValidateCustomResource`):
 *
 *   spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"
 *   spec.size: Unsupported value: "XL": supported values: "S", "M"
 *   spec.name: Required value
 *
 * Paths name properties with dots and list items with `[i]`. Objects marked
 * `x-kubernetes-embedded-resource` must carry apiVersion and kind.
 */
import * as field from "../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../machinery/field-path.ts";
import { goQuote } from "../../machinery/go-format.ts";
import { matchesFormat } from "./formats.ts";
import {
  additionalOf,
  embeddedResource,
  goNumber,
  hasOwn,
  intOrString,
  isJsonObject,
  itemsOf,
  type JsonMap,
  jsonEqual,
  jsonTypeOf,
  propertyOf,
  type Schema,
} from "./json-schema.ts";

export interface ValidateValueOptions {
  /** Where errors go: a value named `a.b` is reported at `path.a.b` (default: the name alone). */
  readonly path?: FieldPath | null;
  /** The value's name in messages and paths; "" (default) for the object itself. */
  readonly name?: string;
}

interface Context {
  readonly base: FieldPath | null;
  readonly errs: field.FieldError[];
  /** Embedded-resource errors, reported after the schema's (upstream runs them as a second pass). */
  readonly meta: field.FieldError[];
}

/** Every way `value` breaks `schema`; empty when it validates. */
export function validateValue(
  value: unknown,
  schema: Schema,
  options: ValidateValueOptions = {},
): field.FieldError[] {
  const ctx: Context = { base: options.path ?? null, errs: [], meta: [] };
  validateNode(value, schema, options.name ?? "", ctx);
  return [...ctx.errs, ...ctx.meta];
}

function errPath(ctx: Context, name: string): FieldPath | null {
  if (name === "") return ctx.base;
  return ctx.base === null ? newPath(name) : ctx.base.child(name);
}

const subject = (name: string): string => (name === "" ? "in body" : `${name} in body`);
const childName = (name: string, key: string): string => (name === "" ? key : `${name}.${key}`);

function validateNode(value: unknown, s: Schema, name: string, ctx: Context): void {
  if (value === null || value === undefined) {
    if (!s.nullable) checkType(null, s, name, ctx);
    return;
  }
  checkType(value, s, name, ctx);
  checkJunctors(value, s, name, ctx);
  const type = jsonTypeOf(value);
  if (type === "string") checkString(value as string, s, name, ctx);
  else if (type === "integer" || type === "number") checkNumber(value as number, s, name, ctx);
  else if (type === "array") checkArray(value as unknown[], s, name, ctx);
  checkEnum(value, s, name, ctx);
  if (isJsonObject(value)) {
    checkObject(value, s, name, ctx);
    if (embeddedResource(s)) checkEmbedded(value, name, ctx);
  }
}

/** The types a node accepts; empty when any value goes. */
export function schemaTypes(s: Schema): string[] {
  if (intOrString(s)) return ["integer", "string"];
  return s.type === undefined || s.type === "" ? [] : [s.type];
}

function checkType(value: unknown, s: Schema, name: string, ctx: Context): void {
  const types = schemaTypes(s);
  if (types.length === 0) return;
  const actual = jsonTypeOf(value);
  if (types.includes(actual) || (actual === "integer" && types.includes("number"))) return;
  const expected = types.join(",");
  const detail = `${subject(name)} must be of type ${expected}: ${goQuote(actual)}`;
  ctx.errs.push(field.typeInvalid(errPath(ctx, name), actual, detail));
}

function composite(ctx: Context, name: string, detail: string): void {
  ctx.errs.push(field.invalid(errPath(ctx, name), "", `${name} ${detail}`.trimStart()));
}

/** Errors of `value` against one branch, collected apart. */
function branch(value: unknown, s: Schema, name: string, ctx: Context): field.FieldError[] {
  const sub: Context = { base: ctx.base, errs: [], meta: [] };
  validateNode(value, s, name, sub);
  return [...sub.errs, ...sub.meta];
}

function fewest(results: field.FieldError[][]): field.FieldError[] {
  return results.reduce((best, r) => (r.length < best.length ? r : best), results[0] ?? []);
}

function checkJunctors(value: unknown, s: Schema, name: string, ctx: Context): void {
  if (s.anyOf && s.anyOf.length > 0) {
    const results = s.anyOf.map((b) => branch(value, b, name, ctx));
    if (!results.some((r) => r.length === 0)) {
      composite(ctx, name, "must validate at least one schema (anyOf)");
      ctx.errs.push(...fewest(results));
    }
  }
  if (s.oneOf && s.oneOf.length > 0) {
    const results = s.oneOf.map((b) => branch(value, b, name, ctx));
    const valid = results.filter((r) => r.length === 0).length;
    if (valid !== 1) {
      const found = valid === 0 ? "Found none valid" : `Found ${valid} valid alternatives`;
      composite(ctx, name, `must validate one and only one schema (oneOf). ${found}`);
      if (valid === 0) ctx.errs.push(...fewest(results));
    }
  }
  if (s.allOf && s.allOf.length > 0) {
    const errs = s.allOf.flatMap((b) => branch(value, b, name, ctx));
    if (errs.length > 0) {
      ctx.errs.push(...errs);
      composite(ctx, name, "must validate all the schemas (allOf)");
    }
  }
  if (s.not && branch(value, s.not, name, ctx).length === 0) {
    composite(ctx, name, "must not validate the schema (not)");
  }
}

function checkString(value: string, s: Schema, name: string, ctx: Context): void {
  const path = errPath(ctx, name);
  const length = [...value].length;
  if (s.maxLength !== undefined && length > s.maxLength) {
    ctx.errs.push(field.tooLong(path, s.maxLength));
  }
  if (s.minLength !== undefined && length < s.minLength) {
    const detail = `${subject(name)} should be at least ${s.minLength} chars long`;
    ctx.errs.push(field.invalid(path, value, detail));
  }
  if (s.pattern !== undefined && !patternMatches(s.pattern, value)) {
    ctx.errs.push(field.invalid(path, value, `${subject(name)} should match '${s.pattern}'`));
  }
  if (s.format !== undefined && !matchesFormat(s.format, value)) {
    const detail = `${subject(name)} must be of type ${s.format}: ${goQuote(value)}`;
    ctx.errs.push(field.typeInvalid(path, value, detail));
  }
}

const patterns = new Map<string, RegExp | null>();

/** Go's RE2 syntax is (nearly) a subset of JavaScript's; a pattern that fails to compile matches. */
function patternMatches(pattern: string, value: string): boolean {
  let re = patterns.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern, "u");
    } catch {
      re = null;
    }
    patterns.set(pattern, re);
  }
  return re === null || re.test(value);
}

function checkNumber(value: number, s: Schema, name: string, ctx: Context): void {
  const path = errPath(ctx, name);
  const at = subject(name);
  if (s.multipleOf !== undefined && s.multipleOf !== 0) {
    const q = value / s.multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9) {
      ctx.errs.push(
        field.invalid(path, value, `${at} should be a multiple of ${goNumber(s.multipleOf)}`),
      );
    }
  }
  if (s.maximum !== undefined) {
    const max = goNumber(s.maximum);
    if (s.exclusiveMaximum === true ? value >= s.maximum : value > s.maximum) {
      const rule = s.exclusiveMaximum === true ? "less than" : "less than or equal to";
      ctx.errs.push(field.invalid(path, value, `${at} should be ${rule} ${max}`));
    }
  }
  if (s.minimum !== undefined) {
    const min = goNumber(s.minimum);
    if (s.exclusiveMinimum === true ? value <= s.minimum : value < s.minimum) {
      const rule = s.exclusiveMinimum === true ? "greater than" : "greater than or equal to";
      ctx.errs.push(field.invalid(path, value, `${at} should be ${rule} ${min}`));
    }
  }
}

function checkArray(value: unknown[], s: Schema, name: string, ctx: Context): void {
  const path = errPath(ctx, name);
  if (s.minItems !== undefined && value.length < s.minItems) {
    const detail = `${subject(name)} should have at least ${s.minItems} items`;
    ctx.errs.push(field.invalid(path, value.length, detail));
  }
  if (s.maxItems !== undefined && value.length > s.maxItems) {
    ctx.errs.push(field.tooMany(path, value.length, s.maxItems));
  }
  if (s.uniqueItems === true && value.some((v, i) => value.findIndex((w) => jsonEqual(v, w)) < i)) {
    ctx.errs.push(field.invalid(path, "", `${subject(name)} shouldn't contain duplicates`));
  }
  const items = itemsOf(s);
  if (items)
    value.forEach((item, i) => {
      validateNode(item, items, `${name}[${i}]`, ctx);
    });
}

function checkEnum(value: unknown, s: Schema, name: string, ctx: Context): void {
  if (s.enum === undefined || s.enum.length === 0) return;
  if (s.enum.some((allowed) => jsonEqual(allowed, value))) return;
  const supported = s.enum.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
  ctx.errs.push(field.notSupported(errPath(ctx, name), value as field.BadValue, supported));
}

function checkObject(value: JsonMap, s: Schema, name: string, ctx: Context): void {
  const path = errPath(ctx, name);
  const count = Object.keys(value).length;
  if (s.maxProperties !== undefined && count > s.maxProperties) {
    ctx.errs.push(field.tooMany(path, count, s.maxProperties));
  }
  if (s.minProperties !== undefined && count < s.minProperties) {
    const detail = `${subject(name)} should have at least ${s.minProperties} properties`;
    ctx.errs.push(field.invalid(path, count, detail));
  }
  for (const key of s.required ?? []) {
    if (!hasOwn(value, key)) ctx.errs.push(field.required(errPath(ctx, childName(name, key))));
  }
  const additional = additionalOf(s);
  for (const [key, v] of Object.entries(value)) {
    const prop = propertyOf(s, key) ?? additional;
    if (prop) validateNode(v, prop, childName(name, key), ctx);
  }
}

/** `objectmeta.Validate` for embedded resources: apiVersion and kind must be set. */
function checkEmbedded(value: JsonMap, name: string, ctx: Context): void {
  for (const key of ["apiVersion", "kind"]) {
    if (!hasOwn(value, key)) {
      ctx.meta.push(field.required(errPath(ctx, childName(name, key)), "must not be empty"));
    }
  }
}
