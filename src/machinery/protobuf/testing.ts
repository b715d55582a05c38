/**
 * Builds protobuf request bodies the way client-go does, for tests here and in the API server.
 *
 * Objects are given in protobuf layout (proto field names, embedded structs as their own field,
 * Time as {seconds, nanos}, IntOrString as {type, intVal, strVal}, Quantity as {string}).
 * `goMarshal` adds what Go's generated Marshal writes that a hand-written object leaves out: the
 * zero value of every non-pointer scalar field (`generateName: ""`, `generation: 0`, ...).
 */
import type protobuf from "protobufjs";
import { KUBERNETES_PROTOBUF_MAGIC } from "./decode.ts";
import { goPointerFields } from "./pointer-fields.ts";
import { kubernetesProtobufSchema } from "./schema.ts";

export type ProtoObject = { [field: string]: unknown };

export interface EnvelopeInput {
  readonly apiVersion: string;
  readonly kind: string;
  readonly raw: Uint8Array;
  readonly contentEncoding?: string;
  readonly contentType?: string;
}

/** `k8s\0` + runtime.Unknown, with every field written (as Go does). */
export function encodeEnvelope(input: EnvelopeInput): Uint8Array {
  const unknown = kubernetesProtobufSchema().root.lookupType(
    "k8s.io.apimachinery.pkg.runtime.Unknown",
  );
  const body = unknown
    .encode({
      typeMeta: { apiVersion: input.apiVersion, kind: input.kind },
      raw: input.raw,
      contentEncoding: input.contentEncoding ?? "",
      contentType: input.contentType ?? "",
    })
    .finish();
  return Buffer.concat([KUBERNETES_PROTOBUF_MAGIC, body]);
}

/** The body client-go sends for `object` of (apiVersion, kind), zero fields filled as Go does. */
export function encodeKubernetesObject(
  apiVersion: string,
  kind: string,
  object: ProtoObject,
): Uint8Array {
  const type = kubernetesProtobufSchema().lookupKind(apiVersion, kind);
  if (!type) throw new Error(`no protobuf message for ${apiVersion} ${kind}`);
  const raw = type.encode(goMarshal(type, object)).finish();
  return encodeEnvelope({ apiVersion, kind, raw });
}

const SCALAR_ZERO: Record<string, unknown> = {
  string: "",
  bool: false,
  int32: 0,
  int64: 0,
  uint32: 0,
  uint64: 0,
  double: 0,
  float: 0,
};
/** Zero Time/MicroTime are written as empty messages, not as {seconds: 0, nanos: 0}. */
const EMPTY_WHEN_ZERO = new Set([
  ".k8s.io.apimachinery.pkg.apis.meta.v1.Time",
  ".k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime",
]);

/** A copy of `object` with the zero of every non-pointer scalar field that is missing. */
export function goMarshal(type: protobuf.Type, object: ProtoObject): ProtoObject {
  if (EMPTY_WHEN_ZERO.has(type.fullName) && Object.keys(object).length === 0) return object;
  const pointers = new Set(goPointerFields[type.parent?.fullName.slice(1) ?? ""]?.[type.name]);
  const out: ProtoObject = { ...object };
  for (const field of type.fieldsArray) {
    const value = out[field.name];
    const resolved = field.resolvedType;
    const nested = resolved !== null && "fieldsArray" in resolved ? resolved : undefined;
    if (value === undefined) {
      const zero = SCALAR_ZERO[field.type];
      if (
        !field.repeated &&
        !field.map &&
        !nested &&
        zero !== undefined &&
        !pointers.has(field.name)
      ) {
        out[field.name] = zero;
      }
    } else if (nested && field.map) {
      const entries = Object.entries(value as Record<string, ProtoObject>);
      out[field.name] = Object.fromEntries(entries.map(([k, v]) => [k, goMarshal(nested, v)]));
    } else if (nested && field.repeated) {
      out[field.name] = (value as ProtoObject[]).map((v) => goMarshal(nested, v));
    } else if (nested) {
      out[field.name] = goMarshal(nested, value as ProtoObject);
    }
  }
  return out;
}
