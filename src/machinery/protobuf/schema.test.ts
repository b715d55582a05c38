import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { goPointerFields } from "./pointer-fields.ts";
import { kubernetesProtobufSchema, protobufArtifact } from "./schema.ts";

const SCALARS = new Set(["string", "bool", "int32", "int64", "double", "float"]);

describe("the (apiVersion, kind) → message table", () => {
  const cases: [string, string, string][] = [
    ["v1", "Pod", "k8s.io.api.core.v1.Pod"],
    ["v1", "DeleteOptions", "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions"],
    ["apps/v1", "Deployment", "k8s.io.api.apps.v1.Deployment"],
    ["batch/v1", "CronJob", "k8s.io.api.batch.v1.CronJob"],
    ["networking.k8s.io/v1", "Ingress", "k8s.io.api.networking.v1.Ingress"],
    ["rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "k8s.io.api.rbac.v1.ClusterRoleBinding"],
    ["coordination.k8s.io/v1", "Lease", "k8s.io.api.coordination.v1.Lease"],
    ["discovery.k8s.io/v1", "EndpointSlice", "k8s.io.api.discovery.v1.EndpointSlice"],
    [
      "certificates.k8s.io/v1",
      "CertificateSigningRequest",
      "k8s.io.api.certificates.v1.CertificateSigningRequest",
    ],
    ["storage.k8s.io/v1", "StorageClass", "k8s.io.api.storage.v1.StorageClass"],
    ["policy/v1", "Eviction", "k8s.io.api.policy.v1.Eviction"],
    ["authentication.k8s.io/v1", "TokenRequest", "k8s.io.api.authentication.v1.TokenRequest"],
    [
      "authentication.k8s.io/v1",
      "SelfSubjectReview",
      "k8s.io.api.authentication.v1.SelfSubjectReview",
    ],
    [
      "authorization.k8s.io/v1",
      "SelfSubjectRulesReview",
      "k8s.io.api.authorization.v1.SelfSubjectRulesReview",
    ],
    ["autoscaling/v1", "Scale", "k8s.io.api.autoscaling.v1.Scale"],
    [
      "autoscaling/v2",
      "HorizontalPodAutoscaler",
      "k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler",
    ],
    ["events.k8s.io/v1", "Event", "k8s.io.api.events.v1.Event"],
    ["scheduling.k8s.io/v1", "PriorityClass", "k8s.io.api.scheduling.v1.PriorityClass"],
    ["node.k8s.io/v1", "RuntimeClass", "k8s.io.api.node.v1.RuntimeClass"],
    [
      "admissionregistration.k8s.io/v1",
      "ValidatingAdmissionPolicy",
      "k8s.io.api.admissionregistration.v1.ValidatingAdmissionPolicy",
    ],
    ["flowcontrol.apiserver.k8s.io/v1", "FlowSchema", "k8s.io.api.flowcontrol.v1.FlowSchema"],
    [
      "apidiscovery.k8s.io/v2",
      "APIGroupDiscoveryList",
      "k8s.io.api.apidiscovery.v2.APIGroupDiscoveryList",
    ],
    [
      "meta.k8s.io/v1",
      "PartialObjectMetadata",
      "k8s.io.apimachinery.pkg.apis.meta.v1.PartialObjectMetadata",
    ],
  ];
  for (const [apiVersion, kind, message] of cases) {
    it(`${apiVersion} ${kind} → ${message}`, () => {
      assert.equal(
        kubernetesProtobufSchema().lookupKind(apiVersion, kind)?.fullName,
        `.${message}`,
      );
    });
  }

  it("has no kinds for groups the descriptor lacks, nor for unserved versions", () => {
    const schema = kubernetesProtobufSchema();
    assert.equal(
      schema.lookupKind("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
      undefined,
    );
    assert.equal(schema.lookupKind("apps/v1beta1", "DeleteOptions"), undefined);
    assert.equal(schema.lookupKind("", "Pod"), undefined);
  });

  it("maps every kind to a message that exists", () => {
    const schema = kubernetesProtobufSchema();
    for (const [apiVersion, kinds] of Object.entries(protobufArtifact().kinds)) {
      for (const kind of Object.keys(kinds)) assert.ok(schema.lookupKind(apiVersion, kind), kind);
    }
  });
});

describe("pointer-fields.ts", () => {
  it("names only scalar fields that exist in the descriptor", () => {
    const root = kubernetesProtobufSchema().root;
    for (const [pkg, byMessage] of Object.entries(goPointerFields)) {
      for (const [message, fields] of Object.entries(byMessage)) {
        const type = root.lookupType(`${pkg}.${message}`);
        for (const name of fields) {
          const field = type.fields[name];
          assert.ok(
            field && SCALARS.has(field.type) && !field.repeated,
            `${pkg}.${message}.${name}`,
          );
        }
      }
    }
  });
});
