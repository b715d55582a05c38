import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { findTypeErrors, findUnknownFields } from "./field-validation.ts";
import { builtinSchema } from "./schema.ts";

const DEPLOYMENT = { group: "apps", version: "v1", kind: "Deployment" };

type Loose = any;

function deployment(patch: (d: Loose) => void = () => {}): Loose {
  const d: Loose = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "web",
      labels: { "app.kubernetes.io/name": "web" },
      annotations: { "example.com/anything": "x" },
      creationTimestamp: null,
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [
            {
              name: "main",
              image: "nginx",
              ports: [{ containerPort: 80, protocol: "TCP" }],
              resources: { limits: { cpu: 1, memory: "1Gi" }, requests: { cpu: "250m" } },
              env: [{ name: "A", value: "1" }],
            },
          ],
        },
      },
    },
    status: {},
  };
  patch(d);
  return d;
}

describe("findUnknownFields", () => {
  test("a valid Deployment has none", () => {
    assert.deepEqual(findUnknownFields(deployment(), DEPLOYMENT), []);
  });

  test("reports unknown fields with upstream paths", () => {
    const d = deployment((d) => {
      d.spec.foo = "bar";
      d.spec.template.spec.containers[0].imagePullPolicyy = "Always";
      d.spec.template.spec.containers[0].ports[0].hostname = "x";
      d.metadata.labelz = {};
      d.extra = 1;
    });
    assert.deepEqual(findUnknownFields(d, DEPLOYMENT), [
      "metadata.labelz",
      "spec.template.spec.containers[0].ports[0].hostname",
      "spec.template.spec.containers[0].imagePullPolicyy",
      "spec.foo",
      "extra",
    ]);
  });

  test("does not look into free-form values", () => {
    const revision = {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: {
        name: "r",
        managedFields: [{ manager: "m", fieldsV1: { "f:spec": { any: 1 } } }],
      },
      data: { whatever: { nested: true } },
      revision: 1,
    };
    const gvk = { group: "apps", version: "v1", kind: "ControllerRevision" };
    assert.deepEqual(findUnknownFields(revision, gvk), []);
  });

  test("honours x-kubernetes-preserve-unknown-fields and embedded resources", () => {
    const table = builtinSchema().with({
      "com.example.v1.Widget": {
        type: "object",
        properties: {
          spec: {
            type: "object",
            properties: {
              size: { type: "integer" },
              config: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              template: {
                type: "object",
                "x-kubernetes-embedded-resource": true,
                properties: { spec: { type: "object", properties: {} } },
              },
            },
          },
        },
        "x-kubernetes-group-version-kind": [
          { group: "example.com", version: "v1", kind: "Widget" },
        ],
      },
    });
    const widget = {
      spec: {
        size: 1,
        config: { anything: { goes: [1, 2] } },
        template: { apiVersion: "v1", kind: "Pod", metadata: {}, spec: { nope: 1 } },
        colour: "red",
      },
    };
    const gvk = { group: "example.com", version: "v1", kind: "Widget" };
    assert.deepEqual(findUnknownFields(widget, gvk, { table }), [
      "spec.template.spec.nope",
      "spec.colour",
    ]);
  });

  test("kinds without a schema report nothing", () => {
    assert.deepEqual(findUnknownFields({ a: 1 }, { group: "x", version: "v1", kind: "Y" }), []);
  });
});

describe("findTypeErrors", () => {
  test("a valid Deployment has none (int-or-string, quantities, null)", () => {
    assert.deepEqual(findTypeErrors(deployment(), DEPLOYMENT), []);
  });

  test("reports the Go decoder's message for a wrong scalar", () => {
    const errors = findTypeErrors(
      deployment((d) => {
        d.spec.replicas = "3";
      }),
      DEPLOYMENT,
    );
    assert.deepEqual(errors, [
      {
        path: "spec.replicas",
        message:
          "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32",
      },
    ]);
  });

  test("names the innermost struct and Go types of lists, maps and structs", () => {
    const errors = findTypeErrors(
      deployment((d) => {
        d.metadata.labels = ["a"];
        d.spec.template.spec.containers[0].ports[0].containerPort = 80.5;
        d.spec.template.spec.containers[0].env = { A: "1" };
        d.spec.template.spec.containers[0].stdin = "yes";
        d.spec.strategy.rollingUpdate.maxSurge = true;
        d.spec.template.spec.containers[0].resources.limits.cpu = { m: 1 };
        d.status = "ok";
      }),
      DEPLOYMENT,
    );
    const goPrefix = "json: cannot unmarshal";
    assert.deepEqual(errors, [
      {
        path: "metadata.labels",
        message: `${goPrefix} array into Go struct field ObjectMeta.metadata.labels of type map[string]string`,
      },
      {
        path: "spec.strategy.rollingUpdate.maxSurge",
        message: `${goPrefix} bool into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32`,
      },
      {
        path: "spec.template.spec.containers[0].ports[0].containerPort",
        message: `${goPrefix} number 80.5 into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32`,
      },
      {
        path: "spec.template.spec.containers[0].resources.limits.cpu",
        message:
          "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      },
      {
        path: "spec.template.spec.containers[0].env",
        message: `${goPrefix} object into Go struct field Container.spec.template.spec.containers.env of type []v1.EnvVar`,
      },
      {
        path: "spec.template.spec.containers[0].stdin",
        message: `${goPrefix} string into Go struct field Container.spec.template.spec.containers.stdin of type bool`,
      },
      {
        path: "status",
        message: `${goPrefix} string into Go struct field Deployment.status of type v1.DeploymentStatus`,
      },
    ]);
  });

  test("a body that is not an object", () => {
    assert.deepEqual(findTypeErrors([], DEPLOYMENT), [
      { path: "", message: "json: cannot unmarshal array into Go value of type v1.Deployment" },
    ]);
  });

  test("byte fields, int64 ranges and free-form values", () => {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      data: { a: 1 },
      metadata: { generation: 2 ** 53 },
    };
    assert.deepEqual(findTypeErrors(secret, { group: "", version: "v1", kind: "Secret" }), [
      {
        path: "data.a",
        message: "json: cannot unmarshal number into Go struct field Secret.data of type []uint8",
      },
    ]);
    const revision = { data: [1, "two"], revision: 3 };
    const gvk = { group: "apps", version: "v1", kind: "ControllerRevision" };
    assert.deepEqual(findTypeErrors(revision, gvk), []);
  });
});
