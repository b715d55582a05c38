/**
 * Decodes `application/vnd.kubernetes.protobuf` request bodies (kubectl ≥ 1.32 and helm send them
 * for typed-client writes) into the plain JSON object the API server would have received as JSON.
 *
 * Wire format (apimachinery runtime/serializer/protobuf): the 4-byte magic `k8s\0`, then a
 * runtime.Unknown { 1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding,
 * 4: contentType }, where `raw` is the object's own message (k8s.io/api generated.proto).
 */
import type protobuf from "protobufjs";
import { ProtobufDecodeError } from "./errors.ts";
import { kubernetesProtobufSchema, type ProtobufSchema } from "./schema.ts";
import { type JsonObject, messageToJson, type ToJsonContext } from "./to-json.ts";

/** `k8s\0`: the prefix of every Kubernetes protobuf body. */
export const KUBERNETES_PROTOBUF_MAGIC: Uint8Array = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);
export const KUBERNETES_PROTOBUF_CONTENT_TYPE = "application/vnd.kubernetes.protobuf";

const UNKNOWN = "k8s.io.apimachinery.pkg.runtime.Unknown";

export interface DecodedObject {
  readonly apiVersion: string;
  readonly kind: string;
  /** The object as Kubernetes JSON, `kind` and `apiVersion` first. */
  readonly object: JsonObject;
}

export interface DecodeOptions {
  /**
   * The type the endpoint expects. Fills an empty apiVersion or kind in the envelope, as the
   * upstream decoder does with its default GVK (the request path's group/version and kind).
   */
  readonly expected?: { readonly apiVersion?: string; readonly kind?: string };
  /** Defaults to the built-in types (kubernetesProtobufSchema()). */
  readonly schema?: ProtobufSchema;
}

/** True when the body starts with the `k8s\0` magic. */
export function isKubernetesProtobuf(body: Uint8Array): boolean {
  return KUBERNETES_PROTOBUF_MAGIC.every((byte, i) => body[i] === byte);
}

/**
 * Decodes a protobuf request body. Throws ProtobufDecodeError: BadMagic, Truncated or Malformed
 * (answer 400) and UnknownKind or UnsupportedContent (answer 415).
 */
export function decodeKubernetesProtobuf(
  body: Uint8Array,
  options: DecodeOptions = {},
): DecodedObject {
  const schema = options.schema ?? kubernetesProtobufSchema();
  if (body.length <= KUBERNETES_PROTOBUF_MAGIC.length || !isKubernetesProtobuf(body)) {
    throw new ProtobufDecodeError(
      "BadMagic",
      body.length === 0
        ? "empty protobuf body"
        : 'protobuf body must start with the magic prefix "k8s\\x00"',
    );
  }
  const envelope = decodeMessage(
    schema.root.lookupType(UNKNOWN),
    body.subarray(KUBERNETES_PROTOBUF_MAGIC.length),
    "runtime.Unknown envelope",
  );
  const typeMeta = (envelope.typeMeta ?? {}) as Record<string, unknown>;
  const apiVersion = String(typeMeta.apiVersion || options.expected?.apiVersion || "");
  const kind = String(typeMeta.kind || options.expected?.kind || "");
  const where = { apiVersion, kind };
  const contentEncoding = String(envelope.contentEncoding ?? "");
  const contentType = String(envelope.contentType ?? "");
  if (contentEncoding !== "") {
    throw new ProtobufDecodeError(
      "UnsupportedContent",
      `unsupported contentEncoding ${JSON.stringify(contentEncoding)} in protobuf envelope`,
      where,
    );
  }
  const raw = envelope.raw instanceof Uint8Array ? envelope.raw : new Uint8Array();
  const fields =
    contentType === "application/json"
      ? parseJsonRaw(raw, where)
      : decodeRaw({ schema, raw, contentType, apiVersion, kind });
  return { apiVersion, kind, object: { kind, apiVersion, ...withoutTypeMeta(fields) } };
}

interface RawInput {
  readonly schema: ProtobufSchema;
  readonly raw: Uint8Array;
  readonly contentType: string;
  readonly apiVersion: string;
  readonly kind: string;
}

function decodeRaw({ schema, raw, contentType, apiVersion, kind }: RawInput): JsonObject {
  const where = { apiVersion, kind };
  if (contentType !== "" && contentType !== KUBERNETES_PROTOBUF_CONTENT_TYPE) {
    throw new ProtobufDecodeError(
      "UnsupportedContent",
      `unsupported contentType ${JSON.stringify(contentType)} in protobuf envelope`,
      where,
    );
  }
  const type = schema.lookupKind(apiVersion, kind);
  if (type === undefined) {
    const what =
      apiVersion || kind
        ? `${kind || "<no kind>"} in ${apiVersion || "<no apiVersion>"}`
        : "an object with no apiVersion and kind";
    throw new ProtobufDecodeError(
      "UnknownKind",
      `no protobuf message is known for ${what}; send it as application/json`,
      where,
    );
  }
  const message = decodeMessage(type, raw, `${kind} (${apiVersion})`);
  const ctx: ToJsonContext = {
    schema,
    decodeEmbedded: (embedded) => decodeKubernetesProtobuf(embedded, { schema }).object,
  };
  return messageToJson(type, message, ctx) as JsonObject;
}

function decodeMessage(
  type: protobuf.Type,
  bytes: Uint8Array,
  what: string,
): Record<string, unknown> {
  try {
    return type.decode(bytes) as unknown as Record<string, unknown>;
  } catch (cause) {
    const truncated = cause instanceof RangeError;
    throw new ProtobufDecodeError(
      truncated ? "Truncated" : "Malformed",
      truncated
        ? `protobuf body is truncated: ${what} ends in the middle of a field`
        : `protobuf body is not a valid ${what}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

function parseJsonRaw(raw: Uint8Array, where: { apiVersion: string; kind: string }): JsonObject {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw).toString("utf8"));
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      return value as JsonObject;
    }
  } catch (cause) {
    throw new ProtobufDecodeError("Malformed", "envelope raw is not valid JSON", {
      ...where,
      cause,
    });
  }
  throw new ProtobufDecodeError("Malformed", "envelope raw is not a JSON object", where);
}

function withoutTypeMeta(fields: JsonObject): JsonObject {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = fields;
  return rest;
}
