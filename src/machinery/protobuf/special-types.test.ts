import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeKubernetesProtobuf } from "./decode.ts";
import { kubernetesProtobufSchema } from "./schema.ts";
import { encodeKubernetesObject, type ProtoObject } from "./testing.ts";

const decode = (apiVersion: string, kind: string, proto: ProtoObject) =>
  decodeKubernetesProtobuf(encodeKubernetesObject(apiVersion, kind, proto)).object;
const meta = { name: "x", creationTimestamp: {} };

describe("apimachinery types in their JSON forms", () => {
  it("writes a zero Time as null, except metadata.creationTimestamp which is left out", () => {
    const pod = decode("v1", "Pod", {
      metadata: meta,
      spec: {},
      status: {
        conditions: [
          {
            type: "Ready",
            status: "True",
            lastProbeTime: {},
            lastTransitionTime: { seconds: 0, nanos: 0 },
          },
        ],
        startTime: { seconds: 1704164645, nanos: 999_999_999 },
      },
    });
    assert.deepEqual(pod.metadata, { name: "x" });
    assert.deepEqual(pod.status, {
      conditions: [
        {
          type: "Ready",
          status: "True",
          lastProbeTime: null,
          lastTransitionTime: "1970-01-01T00:00:00Z",
        },
      ],
      startTime: "2024-01-02T03:04:05Z",
    });
  });

  it("writes MicroTime with six fractional digits (Lease renewTime)", () => {
    const lease = decode("coordination.k8s.io/v1", "Lease", {
      metadata: meta,
      spec: {
        holderIdentity: "node-1",
        leaseDurationSeconds: 40,
        renewTime: { seconds: 1704164645, nanos: 123_456_789 },
        leaseTransitions: 0,
      },
    });
    assert.deepEqual(lease.spec, {
      holderIdentity: "node-1",
      leaseDurationSeconds: 40,
      renewTime: "2024-01-02T03:04:05.123456Z",
      leaseTransitions: 0,
    });
  });

  it("writes events.k8s.io Event eventTime as MicroTime and a zero one as null", () => {
    const event = decode("events.k8s.io/v1", "Event", {
      metadata: meta,
      eventTime: { seconds: 1704164645, nanos: 5000 },
      series: { count: 2, lastObservedTime: {} },
      reason: "Started",
      regarding: { kind: "Pod", name: "p" },
      deprecatedFirstTimestamp: {},
      deprecatedLastTimestamp: {},
    });
    assert.equal(event.eventTime, "2024-01-02T03:04:05.000005Z");
    assert.deepEqual(event.series, { count: 2, lastObservedTime: null });
    assert.equal(event.deprecatedFirstTimestamp, null);
  });

  it("embeds RawExtension JSON (ControllerRevision data) and nested protobuf envelopes", () => {
    const data = Buffer.from('{"spec":{"template":{"metadata":{"labels":{"a":"b"}}}}}');
    const revision = decode("apps/v1", "ControllerRevision", {
      metadata: meta,
      data: { raw: data },
      revision: 2,
    });
    assert.deepEqual(revision.data, { spec: { template: { metadata: { labels: { a: "b" } } } } });
    assert.equal(revision.revision, 2);

    const inner = encodeKubernetesObject("v1", "ConfigMap", { metadata: meta, data: { k: "v" } });
    const list = decode("v1", "List", { metadata: {}, items: [{ raw: inner }, { raw: data }] });
    assert.deepEqual(list.items, [
      { kind: "ConfigMap", apiVersion: "v1", metadata: { name: "x" }, data: { k: "v" } },
      { spec: { template: { metadata: { labels: { a: "b" } } } } },
    ]);
  });

  it("embeds managedFields fieldsV1 as JSON", () => {
    const cm = decode("v1", "ConfigMap", {
      metadata: {
        ...meta,
        managedFields: [
          {
            manager: "kubectl",
            operation: "Update",
            apiVersion: "v1",
            time: { seconds: 1704164645, nanos: 0 },
            fieldsType: "FieldsV1",
            fieldsV1: { Raw: Buffer.from('{"f:data":{"f:k":{}}}') },
          },
        ],
      },
    });
    assert.deepEqual(cm.metadata, {
      name: "x",
      managedFields: [
        {
          manager: "kubectl",
          operation: "Update",
          apiVersion: "v1",
          time: "2024-01-02T03:04:05Z",
          fieldsType: "FieldsV1",
          fieldsV1: { "f:data": { "f:k": {} } },
        },
      ],
    });
  });

  it("writes named slice types (ExtraValue) as arrays and int64 as numbers", () => {
    const review = decode("authorization.k8s.io/v1", "SubjectAccessReview", {
      metadata: meta,
      spec: {
        user: "alice",
        groups: ["dev"],
        extra: { "scopes.example.com": { items: ["read", "write"] } },
        nonResourceAttributes: { path: "/healthz", verb: "get" },
      },
      status: { allowed: true },
    });
    assert.deepEqual(review.spec, {
      nonResourceAttributes: { path: "/healthz", verb: "get" },
      user: "alice",
      groups: ["dev"],
      extra: { "scopes.example.com": ["read", "write"] },
    });
    const token = decode("authentication.k8s.io/v1", "TokenRequest", {
      metadata: meta,
      spec: { audiences: ["api"], expirationSeconds: 3600 },
      status: { expirationTimestamp: {} },
    });
    assert.deepEqual(token.spec, { audiences: ["api"], expirationSeconds: 3600 });
  });

  it("uses JSON names where they differ from proto names, and inlines embedded rules", () => {
    const ingressClass = decode("networking.k8s.io/v1", "IngressClass", {
      metadata: meta,
      spec: {
        controller: "example.com/ingress",
        parameters: { aPIGroup: "", kind: "Params", name: "p" },
      },
    });
    assert.deepEqual(ingressClass.spec, {
      controller: "example.com/ingress",
      parameters: { apiGroup: "", kind: "Params", name: "p" },
    });
    const webhooks = decode("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", {
      metadata: meta,
      Webhooks: [
        {
          name: "check.example.com",
          clientConfig: { url: "https://hook" },
          rules: [
            {
              operations: ["CREATE"],
              rule: { apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] },
            },
          ],
          sideEffects: "None",
          admissionReviewVersions: ["v1"],
          timeoutSeconds: 0,
        },
      ],
    });
    assert.deepEqual(webhooks.webhooks, [
      {
        name: "check.example.com",
        clientConfig: { url: "https://hook" },
        rules: [
          { operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] },
        ],
        sideEffects: "None",
        timeoutSeconds: 0,
        admissionReviewVersions: ["v1"],
      },
    ]);
  });

  it("restores the `options` fields the reference descriptor lost", () => {
    const type = kubernetesProtobufSchema().root.lookupType("k8s.io.api.core.v1.PodDNSConfig");
    assert.equal(type.fields.options?.id, 3);
    const pod = decode("v1", "Pod", {
      metadata: meta,
      spec: { dnsConfig: { nameservers: ["1.1.1.1"], options: [{ name: "ndots", value: "2" }] } },
      status: {},
    });
    assert.deepEqual(pod.spec, {
      dnsConfig: { nameservers: ["1.1.1.1"], options: [{ name: "ndots", value: "2" }] },
    });
  });
});
