import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fieldErrorMessage } from "./field-errors.ts";
import { newPath } from "./field-path.ts";
import {
  type ObjectMeta,
  totalAnnotationSizeLimitB,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from "./object-meta.ts";
import { nameIsDNSLabel, nameIsDNSSubdomain, validatePathSegmentName } from "./validation.ts";

const namespaced = { namespaced: true, nameValidator: nameIsDNSSubdomain };
const clusterScoped = { namespaced: false, nameValidator: nameIsDNSSubdomain };
const messages = (meta: ObjectMeta, options = namespaced) =>
  validateObjectMeta(meta, options).map(fieldErrorMessage);

const subdomainTail =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe("validateObjectMeta", () => {
  it("accepts a well-formed object", () => {
    assert.deepEqual(
      messages({
        name: "web",
        namespace: "default",
        labels: { app: "web", "example.com/tier": "" },
        annotations: { "Kubectl.Kubernetes.io/Last": "x" },
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "u", controller: true },
        ],
        finalizers: ["example.com/cleanup"],
        managedFields: [{ manager: "kubectl", operation: "Apply", fieldsType: "FieldsV1" }],
      }),
      [],
    );
  });

  it("requires a name and validates name and generateName", () => {
    assert.deepEqual(messages({ namespace: "default" }), [
      "metadata.name: Required value: name or generateName is required",
    ]);
    assert.deepEqual(messages({ name: "Web", namespace: "default" }), [
      `metadata.name: Invalid value: "Web": ${subdomainTail}`,
    ]);
    assert.deepEqual(
      messages({ name: "web-x1y2z", generateName: "web-", namespace: "default" }),
      [],
    );
    assert.deepEqual(messages({ name: "x", generateName: "Web-", namespace: "default" }), [
      `metadata.generateName: Invalid value: "Web-": ${subdomainTail}`,
    ]);
  });

  it("uses the kind's own name rule", () => {
    const errs = validateObjectMeta(
      { name: "a.b" },
      { namespaced: false, nameValidator: nameIsDNSLabel },
    );
    assert.deepEqual(errs.map(fieldErrorMessage), [
      'metadata.name: Invalid value: "a.b": must not contain dots',
    ]);
    const segment = { namespaced: false, nameValidator: validatePathSegmentName };
    assert.deepEqual(messages({ name: ".." }, segment), [
      `metadata.name: Invalid value: "..": may not be '..'`,
    ]);
  });

  it("requires or forbids the namespace", () => {
    assert.deepEqual(messages({ name: "a" }), ["metadata.namespace: Required value"]);
    assert.deepEqual(messages({ name: "a", namespace: "Bad_NS" }).length, 1);
    assert.match(
      messages({ name: "a", namespace: "Bad_NS" })[0]!,
      /^metadata\.namespace: Invalid value: "Bad_NS": a lowercase RFC 1123 label/,
    );
    assert.deepEqual(messages({ name: "a", namespace: "x" }, clusterScoped), [
      "metadata.namespace: Forbidden: not allowed on this type",
    ]);
    assert.deepEqual(messages({ name: "a" }, clusterScoped), []);
  });

  it("rejects a negative generation", () => {
    assert.deepEqual(messages({ name: "a", namespace: "n", generation: -1 }), [
      "metadata.generation: Invalid value: -1: must be greater than or equal to 0",
    ]);
  });

  it("validates label keys and values against the labels map", () => {
    const errs = messages({
      name: "a",
      namespace: "n",
      labels: { "bad key": "ok", good: "bad value!" },
    });
    assert.equal(errs.length, 2);
    assert.match(
      errs[0]!,
      /^metadata\.labels: Invalid value: "bad key": name part must consist of/,
    );
    assert.match(errs[1]!, /^metadata\.labels: Invalid value: "bad value!": a valid label must be/);
  });

  it("validates annotation keys case-insensitively and their total size", () => {
    assert.deepEqual(
      messages({ name: "a", namespace: "n", annotations: { "Example.COM/Key": "v" } }),
      [],
    );
    assert.match(
      messages({ name: "a", namespace: "n", annotations: { "a b": "v" } })[0]!,
      /^metadata\.annotations: Invalid value: "a b"/,
    );
    const big = { big: "x".repeat(totalAnnotationSizeLimitB) };
    assert.deepEqual(messages({ name: "a", namespace: "n", annotations: big }), [
      "metadata.annotations: Too long: may not be more than 262144 bytes",
    ]);
    const exact = { k: "x".repeat(totalAnnotationSizeLimitB - 1) };
    assert.deepEqual(messages({ name: "a", namespace: "n", annotations: exact }), []);
  });

  it("checks owner references", () => {
    const errs = messages({
      name: "a",
      namespace: "n",
      ownerReferences: [{ apiVersion: "", kind: "", name: "", uid: "" }],
    });
    assert.deepEqual(errs, [
      'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
      'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
      'metadata.ownerReferences.name: Invalid value: "": must not be empty',
      'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
    ]);
    const event = messages({
      name: "a",
      namespace: "n",
      ownerReferences: [{ apiVersion: "v1", kind: "Event", name: "e", uid: "u" }],
    });
    assert.equal(event.length, 1);
    assert.match(event[0]!, /: \/v1, Kind=Event is disallowed from being an owner$/);
  });

  it("allows only one controller reference", () => {
    const ref = (name: string) => ({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      name,
      uid: name,
      controller: true,
    });
    const errs = messages({ name: "a", namespace: "n", ownerReferences: [ref("one"), ref("two")] });
    assert.equal(errs.length, 1);
    assert.match(
      errs[0]!,
      /Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/one and ReplicaSet\/two$/,
    );
  });

  it("checks finalizers", () => {
    assert.match(
      messages({ name: "a", namespace: "n", finalizers: ["a/b/c"] })[0]!,
      /^metadata\.finalizers: Invalid value: "a\/b\/c": a qualified name/,
    );
    assert.deepEqual(
      messages({ name: "a", namespace: "n", finalizers: ["orphan", "foregroundDeletion"] }),
      [
        'metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set',
      ],
    );
  });

  it("checks managed fields", () => {
    assert.deepEqual(
      messages({
        name: "a",
        namespace: "n",
        managedFields: [{ manager: "m\t", operation: "Patch", fieldsType: "FieldsV2" }],
      }),
      [
        'metadata.managedFields[0].operation: Invalid value: "Patch": must be `Apply` or `Update`',
        'metadata.managedFields[0].fieldsType: Invalid value: "FieldsV2": must be `FieldsV1`',
        'metadata.managedFields[0].manager: Invalid value: "m\\t": invalid character U+0009 (at position 1)',
      ],
    );
    assert.deepEqual(
      messages({
        name: "a",
        namespace: "n",
        managedFields: [{ manager: "m".repeat(129), operation: "Update" }],
      }),
      ["metadata.managedFields[0].manager: Too long: may not be more than 128 bytes"],
    );
  });

  it("honours a custom path", () => {
    const errs = validateObjectMeta({}, namespaced, newPath("spec", "template", "metadata"));
    assert.equal(errs[0]?.field, "spec.template.metadata.name");
  });
});

describe("validateObjectMetaUpdate", () => {
  const old: ObjectMeta = {
    name: "web",
    namespace: "default",
    uid: "u1",
    resourceVersion: "5",
    generation: 2,
    creationTimestamp: "2026-01-01T00:00:00Z",
  };
  const update = (next: ObjectMeta, prev: ObjectMeta = old) =>
    validateObjectMetaUpdate(next, prev).map(fieldErrorMessage);

  it("accepts an update that changes only mutable fields", () => {
    assert.deepEqual(update({ ...old, labels: { a: "b" }, generation: 3 }), []);
    // The same instant written differently is not a change.
    assert.deepEqual(update({ ...old, creationTimestamp: "2026-01-01T00:00:00.000Z" }), []);
  });

  it("rejects changes to immutable fields", () => {
    assert.deepEqual(update({ ...old, name: "other", namespace: "kube-system", uid: "u2" }), [
      'metadata.name: Invalid value: "other": field is immutable',
      'metadata.namespace: Invalid value: "kube-system": field is immutable',
      'metadata.uid: Invalid value: "u2": field is immutable',
    ]);
    assert.deepEqual(update({ ...old, creationTimestamp: "2026-02-03T04:05:06Z" }), [
      "metadata.creationTimestamp: Invalid value: 2026-02-03 04:05:06 +0000 UTC: field is immutable",
    ]);
    assert.deepEqual(update({ ...old, deletionTimestamp: "2026-02-03T04:05:06Z" }), [
      "metadata.deletionTimestamp: Invalid value: 2026-02-03 04:05:06 +0000 UTC: field is immutable",
    ]);
    assert.deepEqual(update({ ...old }, { ...old, deletionGracePeriodSeconds: 30 }), [
      "metadata.deletionGracePeriodSeconds: Invalid value: null: field is immutable",
    ]);
  });

  it("requires a resourceVersion and a non-decreasing generation", () => {
    assert.deepEqual(update({ ...old, resourceVersion: "", generation: 1 }), [
      'metadata.resourceVersion: Invalid value: "": must be specified for an update',
      "metadata.generation: Invalid value: 1: must not be decremented",
    ]);
  });

  it("forbids new finalizers while the object is being deleted", () => {
    const deleting = { ...old, deletionTimestamp: "2026-01-02T00:00:00Z", finalizers: ["a.io/x"] };
    assert.deepEqual(update({ ...deleting, finalizers: [] }, deleting), []);
    assert.deepEqual(
      update({ ...deleting, finalizers: ["a.io/x", "b.io/y", "a.io/z"] }, deleting),
      [
        'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"a.io/z", "b.io/y"}',
      ],
    );
    assert.deepEqual(update({ ...old, finalizers: ["b.io/y"] }), []);
  });

  it("validates the new labels and annotations", () => {
    assert.equal(update({ ...old, labels: { "-bad": "x" } }).length, 1);
  });
});
