import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { JSONSchemaProps } from "../generated/types.ts";
import { customResourceDefinitionStrategy as strategy } from "./crd-strategy.ts";
import {
  validateCustomResourceDefinition as validate,
  validateCustomResourceDefinitionUpdate as validateUpdate,
} from "./crd-validation.ts";
import { messages, widgetCRD } from "./testing.ts";

const errorsOf = (crd: ReturnType<typeof widgetCRD>) => messages(validate(crd));
const schemaOf = (crd: ReturnType<typeof widgetCRD>) =>
  crd.spec.versions[0]!.schema!.openAPIV3Schema!;
const setSchema = (crd: ReturnType<typeof widgetCRD>, s: JSONSchemaProps) => {
  crd.spec.versions[0]!.schema = { openAPIV3Schema: s };
};

describe("CRD validation: metadata and spec", () => {
  test("a good CRD passes", () => {
    assert.deepEqual(errorsOf(widgetCRD()), []);
  });

  test("the name must be <plural>.<group>", () => {
    const crd = widgetCRD();
    crd.metadata!.name = "gadgets.example.com";
    assert.deepEqual(errorsOf(crd), [
      'metadata.name: Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group',
    ]);
  });

  test("the group is a DNS subdomain with a dot", () => {
    const crd = widgetCRD();
    crd.spec.group = "example";
    crd.metadata!.name = "widgets.example";
    assert.deepEqual(errorsOf(crd), [
      'spec.group: Invalid value: "example": should be a domain with at least one dot',
    ]);
    crd.spec.group = "";
    crd.metadata!.name = "widgets.";
    assert.ok(errorsOf(crd).includes("spec.group: Required value"));
  });

  test("scope is Cluster or Namespaced", () => {
    const crd = widgetCRD();
    crd.spec.scope = "Global";
    assert.deepEqual(errorsOf(crd), [
      'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
    ]);
  });

  test("exactly one storage version, unique version names", () => {
    const crd = widgetCRD();
    crd.spec.versions[0]!.storage = false;
    assert.deepEqual(errorsOf(crd), [
      "spec.versions: Invalid value: must have exactly one version marked as storage version",
    ]);
    const two = widgetCRD();
    two.spec.versions.push({ ...structuredClone(two.spec.versions[0]!) });
    assert.deepEqual(errorsOf(two), [
      "spec.versions: Invalid value: must contain unique version names",
      "spec.versions: Invalid value: must have exactly one version marked as storage version",
      // Upstream checks each storage version against storedVersions, deleting as it goes.
      'status.storedVersions: Invalid value: []string{"v1"}: must have the storage version v1',
    ]);
  });

  test("no versions at all", () => {
    const crd = widgetCRD();
    crd.spec.versions = [];
    assert.deepEqual(errorsOf(crd), [
      "spec.versions: Invalid value: must have exactly one version marked as storage version",
      'status.storedVersions[0]: Invalid value: "v1": missing from spec.versions; v1 was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in v1 and removes v1 from status.storedVersions',
    ]);
  });

  test("version names are DNS-1035 labels", () => {
    const crd = widgetCRD();
    crd.spec.versions[0]!.name = "V1";
    crd.status = { storedVersions: ["V1"] };
    assert.match(
      errorsOf(crd)[0]!,
      /^spec\.versions\[0\]\.name: Invalid value: "V1": a DNS-1035 label/,
    );
  });

  test("names: required, DNS labels, CamelCase kind, kind and listKind differ", () => {
    const crd = widgetCRD();
    crd.spec.names = {
      plural: "Widgets",
      kind: "Wid get",
      listKind: "Wid get",
      shortNames: ["w_1"],
    };
    crd.metadata!.name = "Widgets.example.com";
    const errs = errorsOf(crd);
    assert.ok(errs.includes("spec.names.singular: Required value"));
    assert.ok(
      errs.some((e) =>
        e.startsWith('spec.names.plural: Invalid value: "Widgets": a DNS-1035 label'),
      ),
    );
    assert.ok(
      errs.some((e) =>
        e.startsWith(
          'spec.names.kind: Invalid value: "Wid get": may have mixed case, but should otherwise match: a DNS-1035 label',
        ),
      ),
    );
    assert.ok(errs.some((e) => e.startsWith('spec.names.shortNames[0]: Invalid value: "w_1"')));
    assert.ok(
      errs.includes(
        'spec.names.listKind: Invalid value: "Wid get": kind and listKind may not be the same',
      ),
    );
  });

  test("every version needs a schema", () => {
    const crd = widgetCRD();
    delete crd.spec.versions[0]!.schema;
    assert.deepEqual(errorsOf(crd), [
      "spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required",
    ]);
  });

  test("Webhook conversion is refused with a clear message; webhook config needs Webhook", () => {
    const crd = widgetCRD();
    crd.spec.conversion = { strategy: "Webhook", webhook: { conversionReviewVersions: ["v1"] } };
    assert.deepEqual(errorsOf(crd), [
      'spec.conversion.strategy: Unsupported value: "Webhook": supported values: "None" (Bosun does not call conversion webhooks; versions are converted by changing apiVersion only)',
    ]);
    crd.spec.conversion = { strategy: "None", webhook: { conversionReviewVersions: ["v1"] } };
    assert.deepEqual(errorsOf(crd), [
      "spec.conversion.conversionReviewVersions: Forbidden: should not be set when strategy is not set to Webhook",
    ]);
    crd.spec.conversion = { strategy: "Magic" };
    assert.deepEqual(errorsOf(crd), [
      'spec.conversion.strategy: Unsupported value: "Magic": supported values: "None", "Webhook"',
    ]);
  });

  test("preserveUnknownFields must stay false in v1", () => {
    const crd = widgetCRD();
    crd.spec.preserveUnknownFields = true;
    assert.deepEqual(errorsOf(crd), [
      "spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead",
    ]);
  });

  test("stored versions must include the storage version", () => {
    const crd = widgetCRD();
    crd.status = { storedVersions: [] };
    assert.deepEqual(errorsOf(crd), [
      "status.storedVersions: Invalid value: []string(nil): must have at least one stored version",
    ]);
  });
});

describe("CRD validation: structural schemas", () => {
  test("one version: errors name the hoisted spec.validation", () => {
    const crd = widgetCRD();
    delete schemaOf(crd).properties!.spec!.type;
    assert.deepEqual(errorsOf(crd), [
      "spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields",
    ]);
  });

  test("versions with different schemas: errors name the version", () => {
    const crd = widgetCRD();
    const v2 = structuredClone(crd.spec.versions[0]!);
    v2.name = "v2";
    v2.storage = false;
    v2.schema!.openAPIV3Schema!.properties!.spec!.properties!.tags = { type: "array" };
    crd.spec.versions.push(v2);
    assert.deepEqual(errorsOf(crd), [
      "spec.versions[1].schema.openAPIV3Schema.properties[spec].properties[tags].items: Required value: must be specified",
    ]);
  });

  test("types everywhere except under preserve-unknown-fields or int-or-string", () => {
    const crd = widgetCRD();
    setSchema(crd, {
      properties: {
        a: { "x-kubernetes-preserve-unknown-fields": true },
        b: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
        c: { type: "array", items: { properties: {} } },
      },
    });
    assert.deepEqual(errorsOf(crd), [
      "spec.validation.openAPIV3Schema.properties[c].items.type: Required value: must not be empty for specified array items",
      "spec.validation.openAPIV3Schema.type: Required value: must not be empty at the root",
    ]);
  });

  test("the root is an object, without additionalProperties", () => {
    const crd = widgetCRD();
    crd.spec.versions[0]!.subresources = {};
    setSchema(crd, { type: "string", additionalProperties: { type: "string" } });
    assert.deepEqual(errorsOf(crd), [
      "spec.validation.openAPIV3Schema.additionalProperties: Forbidden: must not be used at the root",
      'spec.validation.openAPIV3Schema.type: Invalid value: "string": must be object at the root',
    ]);
  });

  test("additionalProperties and properties are exclusive", () => {
    const crd = widgetCRD();
    schemaOf(crd).properties!.spec!.additionalProperties = { type: "string" };
    assert.deepEqual(errorsOf(crd), [
      "spec.validation.openAPIV3Schema.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive",
    ]);
  });

  test("metadata may only restrict name and generateName", () => {
    const crd = widgetCRD();
    schemaOf(crd).properties!.metadata = {
      type: "object",
      properties: { name: { type: "string", maxLength: 10 } },
    };
    assert.deepEqual(errorsOf(crd), []);
    schemaOf(crd).properties!.metadata = {
      type: "object",
      properties: { labels: { type: "object" } },
    };
    assert.deepEqual(errorsOf(crd), [
      "spec.validation.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified",
    ]);
  });

  test("value validations may not add structure", () => {
    const crd = widgetCRD();
    schemaOf(crd).properties!.spec!.anyOf = [
      { type: "object", properties: { other: { minLength: 1 } } },
    ];
    assert.deepEqual(errorsOf(crd), [
      "spec.validation.openAPIV3Schema.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural",
      "spec.validation.openAPIV3Schema.properties[spec].properties[other]: Required value: because it is defined in spec.validation.openAPIV3Schema.properties[spec].anyOf[0].properties[other]",
    ]);
  });

  test("embedded resources are objects", () => {
    const crd = widgetCRD();
    schemaOf(crd).properties!.spec!.properties!.template = {
      "x-kubernetes-embedded-resource": true,
    };
    assert.deepEqual(errorsOf(crd), [
      "spec.validation.openAPIV3Schema.properties[spec].properties[template].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields",
      "spec.validation.openAPIV3Schema.properties[spec].properties[template].type: Required value: must be object if x-kubernetes-embedded-resource is true",
    ]);
  });

  test("unsupported keywords, types and preserve-unknown-fields false", () => {
    const crd = widgetCRD();
    const spec = schemaOf(crd).properties!.spec!.properties!;
    spec.a = { type: "null" };
    spec.b = { type: "int" };
    spec.c = { type: "object", "x-kubernetes-preserve-unknown-fields": false };
    spec.d = { type: "array", items: { type: "string" }, uniqueItems: true };
    spec.e = { type: "string", $ref: "#/definitions/x" };
    const errs = errorsOf(crd);
    const p = "spec.validation.openAPIV3Schema.properties[spec].properties";
    assert.deepEqual(errs, [
      `${p}[a].type: Forbidden: type cannot be set to null, use nullable as an alternative`,
      `${p}[b].type: Unsupported value: "int": supported values: "array", "boolean", "integer", "number", "object", "string"`,
      `${p}[c].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`,
      `${p}[d].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
      `${p}[e].$ref: Forbidden: $ref is not supported`,
    ]);
  });

  test("defaults must validate and must not be pruned", () => {
    const crd = widgetCRD();
    const spec = schemaOf(crd).properties!.spec!.properties!;
    spec.replicas!.default = "one";
    spec.color!.default = "red";
    assert.deepEqual(errorsOf(crd), [
      'spec.validation.openAPIV3Schema.properties[spec].properties[replicas].default: Invalid value: "string": in body must be of type integer: "string"',
    ]);
    spec.replicas!.default = 1;
    schemaOf(crd).properties!.spec!.default = { size: "S", extra: true };
    assert.deepEqual(errorsOf(crd), [
      'spec.validation.openAPIV3Schema.properties[spec].default: Invalid value: {"size":"S","extra":true}: must not have unknown fields',
    ]);
  });

  test("no defaults in top-level metadata", () => {
    const crd = widgetCRD();
    schemaOf(crd).properties!.metadata = {
      type: "object",
      properties: { name: { type: "string", default: "x" } },
    };
    assert.deepEqual(errorsOf(crd), [
      "spec.validation.openAPIV3Schema.properties[metadata].properties[name].default: Forbidden: must not be set in top-level metadata",
    ]);
  });

  test("list-type map needs keys that name required or defaulted item properties", () => {
    const crd = widgetCRD();
    schemaOf(crd).properties!.spec!.properties!.ports = {
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["port"],
      items: { type: "object", properties: { port: { type: "integer" } } },
    };
    assert.deepEqual(errorsOf(crd), [
      "spec.validation.openAPIV3Schema.properties[spec].properties[ports].items.properties[port].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property",
    ]);
  });

  test("with the status subresource the root may only hold some keywords", () => {
    const crd = widgetCRD();
    schemaOf(crd).anyOf = [{ required: ["spec"] }];
    assert.match(
      errorsOf(crd)[0]!,
      /^spec\.validation\.openAPIV3Schema: Invalid value: only \[Description Type Format .* XValidations\] fields are allowed at the root of the schema if the status subresource is enabled$/,
    );
  });
});

describe("CRD validation: subresources and printer columns", () => {
  test("scale paths live under .spec and .status", () => {
    const crd = widgetCRD();
    crd.spec.versions[0]!.subresources = {
      status: {},
      scale: {
        specReplicasPath: ".status.replicas",
        statusReplicasPath: "status.replicas",
        labelSelectorPath: ".x",
      },
    };
    assert.deepEqual(errorsOf(crd), [
      'spec.subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec',
      'spec.subresources.scale.statusReplicasPath: Invalid value: "status.replicas": must be a simple json path starting with .',
      'spec.subresources.scale.labelSelectorPath: Invalid value: ".x": should be a json path under either .spec or .status',
    ]);
  });

  test("printer columns: type, format and JSONPath", () => {
    const crd = widgetCRD();
    crd.spec.versions[0]!.additionalPrinterColumns = [
      { name: "", type: "float", format: "hex", jsonPath: "spec.size" },
      { name: "Size", type: "", jsonPath: "" },
    ];
    assert.deepEqual(errorsOf(crd), [
      "spec.additionalPrinterColumns[0].name: Required value",
      'spec.additionalPrinterColumns[0].type: Invalid value: "float": must be one of boolean,date,integer,number,string',
      'spec.additionalPrinterColumns[0].format: Invalid value: "hex": must be one of byte,date,date-time,double,float,int32,int64,password',
      'spec.additionalPrinterColumns[0].JSONPath: Invalid value: "spec.size": must be a simple json path starting with .',
      "spec.additionalPrinterColumns[1].type: Required value: must be one of boolean,date,integer,number,string",
      "spec.additionalPrinterColumns[1].JSONPath: Required value",
    ]);
  });

  test("selectable fields point at scalar fields outside metadata", () => {
    const crd = widgetCRD();
    crd.spec.versions[0]!.selectableFields = [
      { jsonPath: ".spec.color" },
      { jsonPath: ".spec" },
      { jsonPath: ".spec.nope" },
      { jsonPath: ".spec.color" },
    ];
    assert.deepEqual(errorsOf(crd), [
      'spec.versions[0].selectableFields[1].jsonPath: Invalid value: ".spec": must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.',
      'spec.versions[0].selectableFields[2].jsonPath: Invalid value: ".spec.nope": is an invalid path: does not refer to a valid field',
      'spec.versions[0].selectableFields[3].jsonPath: Duplicate value: ".spec.color"',
    ]);
  });
});

describe("CRD updates", () => {
  test("group and plural never change; scope and kind not once established", () => {
    const old = widgetCRD();
    old.status!.conditions = [{ type: "Established", status: "True" }];
    const crd = widgetCRD();
    crd.spec.scope = "Cluster";
    crd.spec.names.kind = "Gadget";
    crd.spec.names.listKind = "GadgetList";
    crd.spec.group = "example.org";
    assert.deepEqual(messages(validateUpdate(crd, old)), [
      'spec.scope: Invalid value: "Cluster": field is immutable',
      'spec.names.kind: Invalid value: "Gadget": field is immutable',
      'spec.group: Invalid value: "example.org": field is immutable',
    ]);
  });

  test("a new storage version is recorded in storedVersions", () => {
    const old = widgetCRD();
    const crd = widgetCRD();
    const v2 = structuredClone(crd.spec.versions[0]!);
    crd.spec.versions[0]!.storage = false;
    crd.spec.versions.push({ ...v2, name: "v2" });
    strategy.prepareForUpdate!(crd, old);
    assert.deepEqual(crd.status?.storedVersions, ["v1", "v2"]);
    assert.deepEqual(messages(validateUpdate(crd, old)), []);
  });
});
