/**
 * Decoded protobuf message → the Kubernetes JSON Go's encoding/json would write for the same
 * struct: field order as declared, map keys sorted, zero scalars dropped unless the field is a Go
 * pointer or required, `bytes` as base64, int64 as numbers, and the apimachinery types in their
 * JSON forms (Quantity and IntOrString as scalars, Time/MicroTime/Duration as strings,
 * RawExtension and FieldsV1 as the embedded JSON).
 */
import type protobuf from "protobufjs";
import { ProtobufDecodeError } from "./errors.ts";
import { formatGoDuration, formatRFC3339, formatRFC3339Micro } from "./go-format.ts";
import type { ProtobufSchema } from "./schema.ts";

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A decoded protobufjs message: fields present on the wire are own properties. */
type Message = Record<string, unknown>;

export interface ToJsonContext {
  readonly schema: ProtobufSchema;
  /** Decodes an embedded `k8s\0` envelope (a RawExtension holding a protobuf object). */
  readonly decodeEmbedded: (body: Uint8Array) => JsonObject;
}

const META = "k8s.io.apimachinery.pkg.apis.meta.v1";
/** Fields Go writes with `omitzero`: a zero Time is left out instead of written as null. */
const OMIT_ZERO_TIME = new Set([`${META}.ObjectMeta.creationTimestamp`]);

/** Messages whose JSON form is not an object of their fields. */
const SPECIAL: Record<string, (m: Message, ctx: ToJsonContext) => JsonValue> = {
  "k8s.io.apimachinery.pkg.util.intstr.IntOrString": (m) =>
    toNumber(m.type ?? 0) === 1 ? String(m.strVal ?? "") : toNumber(m.intVal ?? 0),
  "k8s.io.apimachinery.pkg.api.resource.Quantity": (m) => String(m.string ?? "0"),
  "k8s.io.apimachinery.pkg.api.resource.QuantityValue": (m) => String(m.string ?? "0"),
  [`${META}.Time`]: (m) => (isZeroTime(m) ? null : formatRFC3339(toNumber(m.seconds ?? 0))),
  [`${META}.MicroTime`]: (m) =>
    isZeroTime(m) ? null : formatRFC3339Micro(toNumber(m.seconds ?? 0), toNumber(m.nanos ?? 0)),
  [`${META}.Duration`]: (m) => formatGoDuration(toBigInt(m.duration ?? 0)),
  [`${META}.FieldsV1`]: (m, ctx) => embeddedJson(m.Raw, ctx),
  "k8s.io.apimachinery.pkg.runtime.RawExtension": (m, ctx) => embeddedJson(m.raw, ctx),
};

/** Converts one decoded message of `type` to its JSON value. */
export function messageToJson(
  type: protobuf.Type,
  message: Message,
  ctx: ToJsonContext,
): JsonValue {
  const fullName = type.fullName.slice(1);
  const special = SPECIAL[fullName];
  if (special) return special(message, ctx);
  const shape = ctx.schema.shapeOf(fullName);
  if (shape.list) {
    const items = type.fields.items;
    return items ? ((fieldToJson(items, message, ctx, true) as JsonValue[] | undefined) ?? []) : [];
  }
  const out: JsonObject = {};
  for (const field of type.fieldsArray) {
    const value = fieldToJson(field, message, ctx, shape.keepZero.has(field.name));
    if (value === undefined) continue;
    if (shape.inline.has(field.name)) {
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        Object.assign(out, value);
      }
      continue;
    }
    if (value === null && OMIT_ZERO_TIME.has(`${fullName}.${field.name}`)) continue;
    out[shape.rename.get(field.name) ?? field.name] = value;
  }
  return out;
}

/** The JSON value of one field, or undefined when Go's encoder would leave it out. */
function fieldToJson(
  field: protobuf.Field,
  message: Message,
  ctx: ToJsonContext,
  keepZero: boolean,
): JsonValue | undefined {
  const value = message[field.name];
  if (field.map) {
    const entries = Object.entries((value ?? {}) as Record<string, unknown>);
    if (entries.length === 0) return undefined;
    // encoding/json sorts map keys by their bytes.
    entries.sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const out: JsonObject = {};
    for (const [key, v] of entries) out[key] = valueToJson(field, v, ctx);
    return out;
  }
  if (field.repeated) {
    const items = (value ?? []) as unknown[];
    return items.length === 0 ? undefined : items.map((v) => valueToJson(field, v, ctx));
  }
  if (!Object.hasOwn(message, field.name)) return undefined;
  const json = valueToJson(field, value, ctx);
  if (!keepZero && field.resolvedType === null && isZeroScalar(json)) return undefined;
  return json;
}

/** One value of a field (a scalar, a message, a map value or a list element). */
function valueToJson(field: protobuf.Field, value: unknown, ctx: ToJsonContext): JsonValue {
  const resolved = field.resolvedType;
  if (resolved !== null && "fieldsArray" in resolved) {
    return messageToJson(resolved, value as Message, ctx);
  }
  switch (field.type) {
    case "bytes":
      return Buffer.from(value as Uint8Array).toString("base64");
    case "int64":
    case "uint64":
    case "sint64":
    case "fixed64":
    case "sfixed64":
      return toNumber(value);
    default:
      return value as JsonValue;
  }
}

function isZeroScalar(value: JsonValue): boolean {
  return value === "" || value === 0 || value === false;
}

/** Go writes a zero Time as an empty message; a set Time always carries its seconds. */
function isZeroTime(m: Message): boolean {
  return !Object.hasOwn(m, "seconds") && !Object.hasOwn(m, "nanos");
}

/** RawExtension / FieldsV1 bytes: the embedded JSON, or an embedded protobuf envelope. */
function embeddedJson(raw: unknown, ctx: ToJsonContext): JsonValue {
  if (!(raw instanceof Uint8Array) || raw.length === 0) return null;
  if (raw[0] === 0x6b && raw[1] === 0x38 && raw[2] === 0x73 && raw[3] === 0x00) {
    return ctx.decodeEmbedded(raw);
  }
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("utf8");
  try {
    return JSON.parse(text) as JsonValue;
  } catch (cause) {
    throw new ProtobufDecodeError("Malformed", "embedded object is neither JSON nor protobuf", {
      cause,
    });
  }
}

/** protobufjs gives int64 as Long (or number when Long is absent). */
function toNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "object" && value !== null && "toNumber" in value) {
    return (value as { toNumber(): number }).toNumber();
  }
  return Number(value);
}

function toBigInt(value: unknown): bigint {
  if (typeof value === "number") return BigInt(value);
  if (typeof value === "object" && value !== null && "toString" in value) {
    return BigInt((value as { toString(): string }).toString());
  }
  return 0n;
}
