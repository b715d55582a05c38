import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { serverSideApply } from "../../machinery/apply/apply.ts";
import type { ApplySchema } from "../../machinery/apply/schema.ts";
import { applySchemaFor } from "./apply-schema.ts";
import { builtinSchema } from "./schema.ts";

const deployment = applySchemaFor({ group: "apps", version: "v1", kind: "Deployment" })!;

function walk(schema: ApplySchema, ...path: string[]): ApplySchema {
  let s = schema;
  for (const step of path) {
    const next = step === "[]" ? s.elements() : s.field(step);
    assert.ok(next, `no schema at ${path.join(".")} (${step})`);
    s = next;
  }
  return s;
}

describe("applySchemaFor", () => {
  it("reads list types, keys and key defaults", () => {
    const containers = walk(deployment, "spec", "template", "spec", "containers");
    assert.equal(containers.listType, "map");
    assert.deepEqual(containers.listMapKeys, ["name"]);
    const ports = walk(containers, "[]", "ports");
    assert.deepEqual(ports.listMapKeys, ["containerPort", "protocol"]);
    assert.deepEqual(ports.keyDefaults, { protocol: "TCP" });
    assert.equal(walk(containers, "[]", "args").listType, "atomic");
    assert.equal(walk(deployment, "metadata", "finalizers").listType, "set");
    assert.equal(walk(deployment, "metadata", "managedFields").listType, "atomic");
  });

  it("reads map types on fields and definitions", () => {
    assert.equal(walk(deployment, "metadata", "labels").kind, "map");
    assert.ok(!walk(deployment, "metadata", "labels").atomic);
    const nodeSelector = walk(deployment, "spec", "template", "spec", "nodeSelector");
    assert.equal(nodeSelector.kind, "map");
    assert.ok(nodeSelector.atomic);
    const selector = walk(deployment, "spec", "selector");
    assert.equal(selector.kind, "struct");
    assert.ok(selector.atomic, "LabelSelector is atomic by definition");
    const pv = applySchemaFor({ group: "", version: "v1", kind: "PersistentVolume" })!;
    assert.ok(!walk(pv, "spec", "claimRef").atomic, "the field's granular wins");
  });

  it("classifies scalars and free-form values", () => {
    assert.equal(walk(deployment, "spec", "replicas").kind, "scalar");
    assert.equal(walk(deployment, "metadata", "creationTimestamp").kind, "scalar");
    const requests = walk(deployment, "spec", "template", "spec", "containers", "[]", "resources");
    assert.equal(walk(requests, "limits", "[]").kind, "scalar");
    const revision = applySchemaFor({ group: "apps", version: "v1", kind: "ControllerRevision" })!;
    assert.equal(walk(revision, "data").kind, "untyped");
    assert.equal(deployment.field("bogus"), undefined);
    assert.equal(deployment.elements(), undefined);
  });

  it("honours preserve-unknown-fields in added definitions", () => {
    const table = builtinSchema().with({
      "io.example.v1.Widget": {
        type: "object",
        "x-kubernetes-group-version-kind": [{ group: "example.io", version: "v1", kind: "Widget" }],
        properties: {
          metadata: { $ref: "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" },
          spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true, properties: {} },
        },
      },
    });
    const widget = applySchemaFor(
      { group: "example.io", version: "v1", kind: "Widget" },
      { table },
    )!;
    assert.equal(walk(widget, "spec").elements()?.kind, "untyped");
    assert.equal(applySchemaFor({ group: "x", version: "v1", kind: "Nope" }), undefined);
  });
});

describe("server-side apply with the built-in schema", () => {
  const applyWith = (schema: ApplySchema, applied: Record<string, unknown>, apiVersion: string) =>
    serverSideApply({
      live: undefined,
      applied,
      manager: "kubectl",
      apiVersion,
      schema,
      now: new Date("2025-01-01T00:00:00Z"),
    });

  it("records a Deployment's fields as kubectl sees them upstream", () => {
    const result = applyWith(
      deployment,
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "default", labels: { app: "web" } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: {
              containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }] }],
            },
          },
        },
      },
      "apps/v1",
    );
    assert.equal(
      JSON.stringify(result.managedFields[0]?.fieldsV1),
      '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"web\\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{}}}}}}}}}',
    );
  });

  it("keys Service ports by port and protocol, selector atomic", () => {
    const service = applySchemaFor({ group: "", version: "v1", kind: "Service" })!;
    const result = applyWith(
      service,
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "web" },
        spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] },
      },
      "v1",
    );
    assert.deepEqual(result.managedFields[0]?.fieldsV1, {
      "f:spec": {
        "f:ports": {
          'k:{"port":80,"protocol":"TCP"}': { ".": {}, "f:port": {}, "f:targetPort": {} },
        },
        "f:selector": {},
      },
    });
  });

  it("rejects undeclared fields as upstream", () => {
    assert.throws(
      () =>
        applyWith(
          deployment,
          {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "x" },
            spec: { bogus: 1 },
          },
          "apps/v1",
        ),
      {
        message:
          "failed to create typed patch object (/x; apps/v1, Kind=Deployment): .spec.bogus: field not declared in schema",
      },
    );
  });
});
