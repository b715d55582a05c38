/**
 * The part of gnostic's `openapi.v2` protobuf schema (github.com/google/gnostic-models,
 * `openapiv2/OpenAPIv2.proto`) that a Kubernetes API server's `/openapi/v2` document uses, as a
 * protobufjs JSON descriptor: message names and field numbers only. kubectl reads `/openapi/v2`
 * only in this encoding (`Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`).
 *
 * Left out (never produced by Bosun): header and formData parameters, `$ref` parameters and
 * responses, file schemas, XML, OAuth2 and basic security, tags with external docs.
 */
import type { INamespace } from "protobufjs";

type Fields = Record<string, { type: string; id: number; rule?: "repeated" }>;

const one = (type: string, id: number) => ({ type, id });
const many = (type: string, id: number) => ({ type, id, rule: "repeated" as const });
const message = (fields: Fields) => ({ fields });

/** Fields shared by path and query parameters (`PathParameterSubSchema` numbering). */
function primitiveParameter(offset: 0 | 1): Fields {
  // QueryParameterSubSchema has allowEmptyValue at 5 and every later field one higher.
  const at = (id: number) => id + offset;
  return {
    required: one("bool", 1),
    in: one("string", 2),
    description: one("string", 3),
    name: one("string", 4),
    type: one("string", at(5)),
    format: one("string", at(6)),
    collectionFormat: one("string", at(8)),
    uniqueItems: one("bool", at(19)),
    vendorExtension: many("NamedAny", at(22)),
  };
}

export const OPENAPI_V2_DESCRIPTOR: INamespace = {
  nested: {
    openapi: {
      nested: {
        v2: {
          nested: {
            Any: message({ yaml: one("string", 2) }),
            NamedAny: message({ name: one("string", 1), value: one("Any", 2) }),
            Document: message({
              swagger: one("string", 1),
              info: one("Info", 2),
              host: one("string", 3),
              basePath: one("string", 4),
              schemes: many("string", 5),
              consumes: many("string", 6),
              produces: many("string", 7),
              paths: one("Paths", 8),
              definitions: one("Definitions", 9),
              security: many("SecurityRequirement", 12),
              securityDefinitions: one("SecurityDefinitions", 13),
              vendorExtension: many("NamedAny", 16),
            }),
            Info: message({
              title: one("string", 1),
              version: one("string", 2),
              description: one("string", 3),
              vendorExtension: many("NamedAny", 7),
            }),
            Paths: message({
              vendorExtension: many("NamedAny", 1),
              path: many("NamedPathItem", 2),
            }),
            NamedPathItem: message({ name: one("string", 1), value: one("PathItem", 2) }),
            PathItem: message({
              ref: one("string", 1),
              get: one("Operation", 2),
              put: one("Operation", 3),
              post: one("Operation", 4),
              delete: one("Operation", 5),
              options: one("Operation", 6),
              head: one("Operation", 7),
              patch: one("Operation", 8),
              parameters: many("ParametersItem", 9),
              vendorExtension: many("NamedAny", 10),
            }),
            Operation: message({
              tags: many("string", 1),
              summary: one("string", 2),
              description: one("string", 3),
              operationId: one("string", 5),
              produces: many("string", 6),
              consumes: many("string", 7),
              parameters: many("ParametersItem", 8),
              responses: one("Responses", 9),
              schemes: many("string", 10),
              deprecated: one("bool", 11),
              vendorExtension: many("NamedAny", 13),
            }),
            ParametersItem: message({ parameter: one("Parameter", 1) }),
            Parameter: message({
              bodyParameter: one("BodyParameter", 1),
              nonBodyParameter: one("NonBodyParameter", 2),
            }),
            BodyParameter: message({
              description: one("string", 1),
              name: one("string", 2),
              in: one("string", 3),
              required: one("bool", 4),
              schema: one("Schema", 5),
              vendorExtension: many("NamedAny", 6),
            }),
            NonBodyParameter: message({
              queryParameterSubSchema: one("QueryParameterSubSchema", 3),
              pathParameterSubSchema: one("PathParameterSubSchema", 4),
            }),
            QueryParameterSubSchema: message({
              ...primitiveParameter(1),
              allowEmptyValue: one("bool", 5),
            }),
            PathParameterSubSchema: message(primitiveParameter(0)),
            Responses: message({
              responseCode: many("NamedResponseValue", 1),
              vendorExtension: many("NamedAny", 2),
            }),
            NamedResponseValue: message({ name: one("string", 1), value: one("ResponseValue", 2) }),
            ResponseValue: message({ response: one("Response", 1) }),
            Response: message({
              description: one("string", 1),
              schema: one("SchemaItem", 2),
              vendorExtension: many("NamedAny", 5),
            }),
            SchemaItem: message({ schema: one("Schema", 1) }),
            Definitions: message({ additionalProperties: many("NamedSchema", 1) }),
            Properties: message({ additionalProperties: many("NamedSchema", 1) }),
            NamedSchema: message({ name: one("string", 1), value: one("Schema", 2) }),
            AdditionalPropertiesItem: message({
              schema: one("Schema", 1),
              boolean: one("bool", 2),
            }),
            TypeItem: message({ value: many("string", 1) }),
            ItemsItem: message({ schema: many("Schema", 1) }),
            ExternalDocs: message({ description: one("string", 1), url: one("string", 2) }),
            Schema: message({
              ref: one("string", 1),
              format: one("string", 2),
              title: one("string", 3),
              description: one("string", 4),
              default: one("Any", 5),
              multipleOf: one("double", 6),
              maximum: one("double", 7),
              exclusiveMaximum: one("bool", 8),
              minimum: one("double", 9),
              exclusiveMinimum: one("bool", 10),
              maxLength: one("int64", 11),
              minLength: one("int64", 12),
              pattern: one("string", 13),
              maxItems: one("int64", 14),
              minItems: one("int64", 15),
              uniqueItems: one("bool", 16),
              maxProperties: one("int64", 17),
              minProperties: one("int64", 18),
              required: many("string", 19),
              enum: many("Any", 20),
              additionalProperties: one("AdditionalPropertiesItem", 21),
              type: one("TypeItem", 22),
              items: one("ItemsItem", 23),
              allOf: many("Schema", 24),
              properties: one("Properties", 25),
              discriminator: one("string", 26),
              readOnly: one("bool", 27),
              externalDocs: one("ExternalDocs", 29),
              example: one("Any", 30),
              vendorExtension: many("NamedAny", 31),
            }),
            SecurityRequirement: message({ additionalProperties: many("NamedStringArray", 1) }),
            NamedStringArray: message({ name: one("string", 1), value: one("StringArray", 2) }),
            StringArray: message({ value: many("string", 1) }),
            SecurityDefinitions: message({
              additionalProperties: many("NamedSecurityDefinitionsItem", 1),
            }),
            NamedSecurityDefinitionsItem: message({
              name: one("string", 1),
              value: one("SecurityDefinitionsItem", 2),
            }),
            SecurityDefinitionsItem: message({ apiKeySecurity: one("ApiKeySecurity", 2) }),
            ApiKeySecurity: message({
              type: one("string", 1),
              name: one("string", 2),
              in: one("string", 3),
              description: one("string", 4),
              vendorExtension: many("NamedAny", 5),
            }),
          },
        },
      },
    },
  },
};
