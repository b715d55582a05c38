/**
 * A Swagger 2.0 document (JSON) in gnostic's `openapi.v2.Document` protobuf encoding, the only form
 * in which kubectl and client-go read `/openapi/v2` (`Accept:
 * application/com.github.proto-openapi.spec.v2@v1.0+protobuf`, `proto.Unmarshal`). kubectl needs it
 * for client-side validation of `kind: List` files and as the validation and SMP fallback.
 *
 * gnostic keeps JSON maps as ordered (name, value) lists and vendor extensions (`x-…`) and free
 * values (`default`, `enum`, `example`) as YAML text in `Any.yaml`; JSON is valid YAML, so a value
 * is written as its JSON text.
 */
import protobuf from "protobufjs";
import { OPENAPI_V2_DESCRIPTOR } from "./openapi-v2-descriptor.ts";

/** The media type kubectl asks for (kube-openapi also accepts the `.v1.0` spelling). */
export const openAPIV2ProtobufTypes = [
  "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
  "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
] as const;

type Json = Record<string, unknown>;
type Message = Record<string, unknown>;

let documentType: protobuf.Type | undefined;

function documentMessage(): protobuf.Type {
  documentType ??= protobuf.Root.fromJSON(OPENAPI_V2_DESCRIPTOR).lookupType("openapi.v2.Document");
  return documentType;
}

/** Encodes a Swagger 2.0 document as gnostic's `openapi.v2.Document`. */
export function encodeOpenAPIV2(doc: Json): Uint8Array {
  const type = documentMessage();
  return type.encode(type.fromObject(documentOf(doc))).finish();
}

/** Decodes gnostic's `openapi.v2.Document` into its message form (tests, tools). */
export function decodeOpenAPIV2(bytes: Uint8Array): Message {
  const type = documentMessage();
  return type.toObject(type.decode(bytes), { longs: Number, defaults: false }) as Message;
}

const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const obj = (v: unknown): Json => (isObject(v) ? v : {});
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : undefined;
const anyOf = (v: unknown) => ({ yaml: `${JSON.stringify(v)}\n` });

/** Copies the listed keys that are present. */
function pick(from: Json, keys: readonly string[]): Message {
  const out: Message = {};
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}

function vendorExtension(from: Json): Message {
  const named = Object.entries(from)
    .filter(([k, v]) => k.startsWith("x-") && v !== undefined)
    .map(([name, value]) => ({ name, value: anyOf(value) }));
  return named.length > 0 ? { vendorExtension: named } : {};
}

function named<T>(from: unknown, value: (v: unknown) => T): { name: string; value: T }[] {
  return Object.entries(obj(from)).map(([name, v]) => ({ name, value: value(v) }));
}

function documentOf(doc: Json): Message {
  const info = obj(doc.info);
  return {
    ...pick(doc, ["swagger", "host", "basePath", "schemes", "consumes", "produces"]),
    ...(doc.info ? { info: { ...pick(info, ["title", "version", "description"]) } } : {}),
    ...(doc.paths
      ? {
          paths: {
            ...vendorExtension(obj(doc.paths)),
            path: named(
              Object.fromEntries(
                Object.entries(obj(doc.paths)).filter(([k]) => !k.startsWith("x-")),
              ),
              (v) => pathItemOf(obj(v)),
            ),
          },
        }
      : {}),
    ...(doc.definitions
      ? { definitions: { additionalProperties: named(doc.definitions, (v) => schemaOf(obj(v))) } }
      : {}),
    ...(Array.isArray(doc.security)
      ? {
          security: doc.security.map((req) => ({
            additionalProperties: named(req, (v) => ({ value: strings(v) ?? [] })),
          })),
        }
      : {}),
    ...(doc.securityDefinitions
      ? {
          securityDefinitions: {
            additionalProperties: named(doc.securityDefinitions, (v) => securityOf(obj(v))),
          },
        }
      : {}),
    ...vendorExtension(doc),
  };
}

function securityOf(s: Json): Message {
  // Only API keys (bearer tokens) are published; other kinds are left out.
  if (s.type !== "apiKey") return {};
  return {
    apiKeySecurity: { ...pick(s, ["type", "name", "in", "description"]), ...vendorExtension(s) },
  };
}

const methods = ["get", "put", "post", "delete", "options", "head", "patch"] as const;

function pathItemOf(item: Json): Message {
  const out: Message = { ...vendorExtension(item) };
  if (typeof item.$ref === "string") out.ref = item.$ref;
  for (const m of methods) if (isObject(item[m])) out[m] = operationOf(item[m]);
  if (Array.isArray(item.parameters))
    out.parameters = item.parameters.map((p) => parameterOf(obj(p)));
  return out;
}

function operationOf(op: Json): Message {
  return {
    ...pick(op, [
      "tags",
      "summary",
      "description",
      "operationId",
      "produces",
      "consumes",
      "schemes",
      "deprecated",
    ]),
    ...(Array.isArray(op.parameters)
      ? { parameters: op.parameters.map((p) => parameterOf(obj(p))) }
      : {}),
    ...(op.responses
      ? {
          responses: {
            responseCode: named(
              Object.fromEntries(
                Object.entries(obj(op.responses)).filter(([k]) => !k.startsWith("x-")),
              ),
              (v) => responseOf(obj(v)),
            ),
            ...vendorExtension(obj(op.responses)),
          },
        }
      : {}),
    ...vendorExtension(op),
  };
}

function responseOf(r: Json): Message {
  return {
    response: {
      ...pick(r, ["description"]),
      ...(isObject(r.schema) ? { schema: { schema: schemaOf(r.schema) } } : {}),
      ...vendorExtension(r),
    },
  };
}

const primitiveKeys = [
  "required",
  "in",
  "description",
  "name",
  "type",
  "format",
  "collectionFormat",
  "uniqueItems",
] as const;

function parameterOf(p: Json): Message {
  if (p.in === "body") {
    return {
      parameter: {
        bodyParameter: {
          ...pick(p, ["description", "name", "in", "required"]),
          ...(isObject(p.schema) ? { schema: schemaOf(p.schema) } : {}),
          ...vendorExtension(p),
        },
      },
    };
  }
  const sub = { ...pick(p, primitiveKeys), ...vendorExtension(p) };
  // Header and formData parameters never occur in a Kubernetes document.
  const nonBodyParameter =
    p.in === "path"
      ? { pathParameterSubSchema: sub }
      : { queryParameterSubSchema: { ...sub, ...pick(p, ["allowEmptyValue"]) } };
  return { parameter: { nonBodyParameter } };
}

const schemaScalars = [
  "format",
  "title",
  "description",
  "multipleOf",
  "maximum",
  "exclusiveMaximum",
  "minimum",
  "exclusiveMinimum",
  "maxLength",
  "minLength",
  "pattern",
  "maxItems",
  "minItems",
  "uniqueItems",
  "maxProperties",
  "minProperties",
  "required",
  "discriminator",
  "readOnly",
] as const;

function schemaOf(s: Json): Message {
  const out: Message = { ...pick(s, schemaScalars), ...vendorExtension(s) };
  if (typeof s.$ref === "string") out.ref = s.$ref;
  if (s.default !== undefined) out.default = anyOf(s.default);
  if (s.example !== undefined) out.example = anyOf(s.example);
  if (Array.isArray(s.enum)) out.enum = s.enum.map(anyOf);
  const type = strings(s.type);
  if (type) out.type = { value: type };
  if (Array.isArray(s.items)) out.items = { schema: s.items.map((i) => schemaOf(obj(i))) };
  else if (isObject(s.items)) out.items = { schema: [schemaOf(s.items)] };
  if (Array.isArray(s.allOf)) out.allOf = s.allOf.map((a) => schemaOf(obj(a)));
  if (isObject(s.properties)) {
    out.properties = { additionalProperties: named(s.properties, (v) => schemaOf(obj(v))) };
  }
  if (typeof s.additionalProperties === "boolean") {
    out.additionalProperties = { boolean: s.additionalProperties };
  } else if (isObject(s.additionalProperties)) {
    out.additionalProperties = { schema: schemaOf(s.additionalProperties) };
  }
  if (isObject(s.externalDocs)) out.externalDocs = pick(s.externalDocs, ["description", "url"]);
  return out;
}
