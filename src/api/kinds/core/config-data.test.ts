import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ConfigMap, Secret } from "../../generated/types.ts";
import type { Obj } from "./common.ts";
import { configMapResource } from "./config-map.ts";
import { secretResource } from "./secret.ts";
import { serviceAccountResource } from "./service-account.ts";
import { created, printRow, simulateCreate, simulateUpdate, t0 } from "./testing.ts";

const meta = { name: "cfg", namespace: "default", creationTimestamp: created };
const cm = (extra: Partial<ConfigMap>): Obj<ConfigMap> => ({ metadata: meta, ...extra });
const secret = (extra: Partial<Secret>): Obj<Secret> => ({ metadata: meta, ...extra });
const b64 = (s: string) => Buffer.from(s).toString("base64");
const keyMsg =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

describe("ConfigMap", () => {
  it("accepts valid keys and prints the key count", () => {
    const c = cm({ data: { "app.conf": "x" }, binaryData: { logo: b64("png") } });
    assert.deepEqual(simulateCreate(configMapResource, c).errors, []);
    assert.deepEqual(printRow(configMapResource, c, t0 + 5000), {
      Name: "cfg",
      Data: 2,
      Age: "5s",
    });
  });

  it("rejects bad keys, keys in both maps and more than 1 MiB", () => {
    const { errors } = simulateCreate(
      configMapResource,
      cm({
        data: { "a/b": "x", "..x": "y", dup: "z".repeat(1024 * 1024) },
        binaryData: { dup: "" },
      }),
    );
    assert.deepEqual(errors, [
      `data[a/b]: Invalid value: "a/b": ${keyMsg}`,
      `data[..x]: Invalid value: "..x": must not start with '..'`,
      'data[dup]: Invalid value: "dup": duplicate of key present in binaryData',
      ": Too long: may not be more than 1048576 bytes",
    ]);
  });

  it("keeps an immutable ConfigMap's data", () => {
    const old = cm({ data: { a: "1" }, immutable: true });
    assert.deepEqual(simulateUpdate(configMapResource, cm({ data: { a: "2" } }), old).errors, [
      "immutable: Forbidden: field is immutable when `immutable` is set",
      "data: Forbidden: field is immutable when `immutable` is set",
    ]);
    const labelled = cm({
      metadata: { ...meta, labels: { x: "y" } },
      data: { a: "1" },
      immutable: true,
    });
    assert.deepEqual(simulateUpdate(configMapResource, labelled, old).errors, []);
  });
});

describe("Secret", () => {
  it("defaults the type and folds stringData into data", () => {
    const { obj, errors } = simulateCreate(
      secretResource,
      secret({ data: { a: b64("old"), b: b64("keep") }, stringData: { a: "new" } }),
    );
    assert.deepEqual(errors, []);
    assert.equal(obj.type, "Opaque");
    assert.deepEqual(obj.data, { a: b64("new"), b: b64("keep") });
    assert.equal(obj.stringData, undefined);
  });

  it("requires the keys of each well-known type", () => {
    const cases: [string, Partial<Secret>, string[]][] = [
      [
        "kubernetes.io/service-account-token",
        {},
        ["metadata.annotations[kubernetes.io/service-account.name]: Required value"],
      ],
      ["kubernetes.io/dockerconfigjson", {}, ["data[.dockerconfigjson]: Required value"]],
      [
        "kubernetes.io/dockerconfigjson",
        { data: { ".dockerconfigjson": b64("[1]") } },
        [
          'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}',
        ],
      ],
      [
        "kubernetes.io/basic-auth",
        {},
        ["data[username]: Required value", "data[password]: Required value"],
      ],
      ["kubernetes.io/ssh-auth", {}, ["data[ssh-privatekey]: Required value"]],
      ["kubernetes.io/tls", { data: { "tls.crt": "" } }, ["data[tls.key]: Required value"]],
    ];
    for (const [type, extra, want] of cases) {
      assert.deepEqual(
        simulateCreate(secretResource, secret({ type, ...extra })).errors,
        want,
        type,
      );
    }
  });

  it("validates keys and the total size", () => {
    const big = Buffer.alloc(1024 * 1024 + 1).toString("base64");
    const { errors } = simulateCreate(secretResource, secret({ data: { "bad key": "", big } }));
    assert.deepEqual(errors, [
      `data[bad key]: Invalid value: "bad key": ${keyMsg}`,
      "data: Too long: may not be more than 1048576 bytes",
    ]);
  });

  it("keeps the type and an immutable secret's data", () => {
    const old = secret({ type: "Opaque", data: { a: b64("1") }, immutable: true });
    const { errors } = simulateUpdate(
      secretResource,
      secret({ type: "kubernetes.io/basic-auth", stringData: { username: "u" }, immutable: true }),
      old,
    );
    assert.deepEqual(errors, [
      'type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
      "data: Forbidden: field is immutable when `immutable` is set",
    ]);
  });

  it("prints type and key count and selects by type", () => {
    const s = secret({ type: "kubernetes.io/tls", data: { "tls.crt": "", "tls.key": "" } });
    assert.deepEqual(printRow(secretResource, s, t0), {
      Name: "cfg",
      Type: "kubernetes.io/tls",
      Data: 2,
      Age: "0s",
    });
    assert.deepEqual(secretResource.strategy.selectableFields?.(s), { type: "kubernetes.io/tls" });
  });
});

describe("ServiceAccount", () => {
  it("prints the number of secrets", () => {
    const sa = { metadata: meta, secrets: [{ name: "token" }] };
    assert.deepEqual(printRow(serviceAccountResource, sa, t0), {
      Name: "cfg",
      Secrets: 1,
      Age: "0s",
    });
    assert.deepEqual(simulateCreate(serviceAccountResource, sa).errors, []);
  });
});
