import assert from "node:assert/strict";
import { it } from "node:test";
import { isStoreError } from "./errors.ts";
import { compareKeys, decodeContinue, encodeContinue, keyAfter, prefixEnd } from "./keys.ts";

it("computes the end of a prefix range", () => {
  assert.equal(prefixEnd("/registry/pods/"), "/registry/pods0");
  assert.equal(prefixEnd("a"), "b");
  assert.equal(prefixEnd(""), "");
});

it("orders keys by code point like etcd and SQLite", () => {
  assert.ok(compareKeys("a", "b") < 0);
  assert.ok(compareKeys("a/", "a/b") < 0);
  assert.ok(compareKeys("\uffff", "\u{10000}") < 0);
  assert.equal(compareKeys("x", "x"), 0);
});

it("round-trips continue tokens in Kubernetes' format", () => {
  const token = encodeContinue(42, keyAfter("/registry/pods/ns/b"), "/registry/pods/");
  const json = JSON.parse(Buffer.from(token, "base64").toString());
  assert.deepEqual(json, { v: "meta.k8s.io/v1", rv: 42, start: "ns/b\u0000" });
  assert.deepEqual(decodeContinue(token, "/registry/pods/"), {
    revision: 42,
    start: "/registry/pods/ns/b\u0000",
  });
  for (const bad of ["", "!!", Buffer.from('{"v":"x","rv":1,"start":""}').toString("base64")]) {
    assert.throws(
      () => decodeContinue(bad, "/p/"),
      (e) => isStoreError(e, "InvalidArgument"),
    );
  }
});
