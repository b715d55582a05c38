import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeKubernetesProtobuf, isKubernetesProtobuf } from "./decode.ts";
import { isProtobufDecodeError, ProtobufDecodeError } from "./errors.ts";
import { kubernetesProtobufSchema } from "./schema.ts";
import { encodeEnvelope, encodeKubernetesObject } from "./testing.ts";

const hex = (s: string): Uint8Array => Buffer.from(s.replace(/\s+/g, ""), "hex");

/** The DeleteOptions body helm sends on uninstall, byte for byte (wire-protocol note §4.2). */
const HELM_DELETE_OPTIONS = hex(`
  6b 38 73 00
  0a 13 0a 02 76 31 12 0d 44 65 6c 65 74 65 4f 70 74 69 6f 6e 73
  12 00 1a 00 22 00`);

function decodeError(body: Uint8Array, options = {}): ProtobufDecodeError {
  try {
    decodeKubernetesProtobuf(body, options);
  } catch (err) {
    if (err instanceof ProtobufDecodeError) return err;
    throw err;
  }
  assert.fail("expected a ProtobufDecodeError");
}

describe("decodeKubernetesProtobuf: envelope", () => {
  it("decodes helm's empty DeleteOptions (apiVersion v1)", () => {
    assert.equal(HELM_DELETE_OPTIONS.length, 31);
    assert.ok(isKubernetesProtobuf(HELM_DELETE_OPTIONS));
    assert.deepEqual(decodeKubernetesProtobuf(HELM_DELETE_OPTIONS), {
      apiVersion: "v1",
      kind: "DeleteOptions",
      object: { kind: "DeleteOptions", apiVersion: "v1" },
    });
  });

  it("keeps gracePeriodSeconds: 0 and the propagation policy of a DeleteOptions", () => {
    const body = encodeKubernetesObject("v1", "DeleteOptions", {
      gracePeriodSeconds: 0,
      preconditions: { uid: "1234" },
      propagationPolicy: "Foreground",
      dryRun: ["All"],
    });
    assert.deepEqual(decodeKubernetesProtobuf(body).object, {
      kind: "DeleteOptions",
      apiVersion: "v1",
      gracePeriodSeconds: 0,
      preconditions: { uid: "1234" },
      propagationPolicy: "Foreground",
      dryRun: ["All"],
    });
  });

  it("decodes DeleteOptions in any served group version, and in an Eviction", () => {
    const eviction = encodeKubernetesObject("policy/v1", "Eviction", {
      metadata: { name: "web-0", namespace: "prod", creationTimestamp: {} },
      deleteOptions: { gracePeriodSeconds: 30 },
    });
    assert.deepEqual(decodeKubernetesProtobuf(eviction).object, {
      kind: "Eviction",
      apiVersion: "policy/v1",
      metadata: { name: "web-0", namespace: "prod" },
      deleteOptions: { gracePeriodSeconds: 30 },
    });
    const options = encodeKubernetesObject("apps/v1", "DeleteOptions", {});
    assert.equal(decodeKubernetesProtobuf(options).kind, "DeleteOptions");
  });

  it("decodes the SelfSubjectAccessReview `kubectl auth can-i` sends", () => {
    const body = encodeKubernetesObject("authorization.k8s.io/v1", "SelfSubjectAccessReview", {
      metadata: { creationTimestamp: {} },
      spec: { resourceAttributes: { namespace: "default", verb: "create", resource: "pods" } },
      status: { allowed: false },
    });
    assert.deepEqual(decodeKubernetesProtobuf(body).object, {
      kind: "SelfSubjectAccessReview",
      apiVersion: "authorization.k8s.io/v1",
      metadata: {},
      spec: { resourceAttributes: { namespace: "default", verb: "create", resource: "pods" } },
      status: { allowed: false },
    });
  });

  it("fills an empty apiVersion/kind from the endpoint's expected type", () => {
    const type = kubernetesProtobufSchema().lookupKind("v1", "ConfigMap");
    assert.ok(type);
    const raw = type.encode({ metadata: { name: "x" }, data: { k: "v" } }).finish();
    const body = encodeEnvelope({ apiVersion: "", kind: "", raw });
    const decoded = decodeKubernetesProtobuf(body, {
      expected: { apiVersion: "v1", kind: "ConfigMap" },
    });
    assert.deepEqual(decoded.object, {
      kind: "ConfigMap",
      apiVersion: "v1",
      metadata: { name: "x" },
      data: { k: "v" },
    });
  });

  it("accepts a JSON raw when the envelope says application/json", () => {
    const raw = Buffer.from('{"metadata":{"name":"j"},"data":{"a":"b"}}');
    const body = encodeEnvelope({
      apiVersion: "v1",
      kind: "ConfigMap",
      raw,
      contentType: "application/json",
    });
    assert.deepEqual(decodeKubernetesProtobuf(body).object, {
      kind: "ConfigMap",
      apiVersion: "v1",
      metadata: { name: "j" },
      data: { a: "b" },
    });
  });
});

describe("decodeKubernetesProtobuf: errors", () => {
  it("rejects a body without the magic prefix with 400 BadMagic", () => {
    for (const body of [new Uint8Array(), Buffer.from('{"kind":"Pod"}'), hex("6b387300")]) {
      const err = decodeError(body);
      assert.equal(err.reason, "BadMagic");
      assert.equal(err.code, 400);
    }
  });

  it("rejects a truncated body with 400 Truncated", () => {
    const body = encodeKubernetesObject("v1", "ConfigMap", {
      metadata: { name: "big", creationTimestamp: {} },
      data: { k: "v".repeat(100) },
    });
    for (const end of [6, 20, body.length - 1]) {
      const err = decodeError(body.subarray(0, end));
      assert.ok(isProtobufDecodeError(err, "Truncated"), `cut at ${end}: ${err.reason}`);
      assert.equal(err.code, 400);
      assert.match(err.message, /truncated/);
    }
  });

  it("rejects kinds with no built-in message with 415 UnknownKind", () => {
    const body = encodeEnvelope({
      apiVersion: "example.com/v1",
      kind: "Widget",
      raw: new Uint8Array(),
    });
    const err = decodeError(body);
    assert.equal(err.reason, "UnknownKind");
    assert.equal(err.code, 415);
    assert.equal(err.apiVersion, "example.com/v1");
    assert.equal(err.kind, "Widget");
    assert.match(err.message, /Widget in example\.com\/v1/);
  });

  it("rejects a content encoding or a foreign content type with 415", () => {
    const raw = new Uint8Array();
    const gzip = encodeEnvelope({ apiVersion: "v1", kind: "Pod", raw, contentEncoding: "gzip" });
    assert.equal(decodeError(gzip).reason, "UnsupportedContent");
    const cbor = encodeEnvelope({
      apiVersion: "v1",
      kind: "Pod",
      raw,
      contentType: "application/cbor",
    });
    assert.equal(decodeError(cbor).code, 415);
  });

  it("rejects a JSON raw that does not parse with 400 Malformed", () => {
    const raw = Buffer.from("{not json");
    const body = encodeEnvelope({
      apiVersion: "v1",
      kind: "Pod",
      raw,
      contentType: "application/json",
    });
    assert.equal(decodeError(body).reason, "Malformed");
  });
});
