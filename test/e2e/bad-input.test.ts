/**
 * Bad input never corrupts state: every malformed or invalid request gets the upstream status
 * code and a Status saying what is wrong, and the store's revision does not move.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually } from "../../src/client/testing/test-api.ts";
import { encodeEnvelope } from "../../src/machinery/protobuf/testing.ts";
import { ApiClient, type ApiResponse } from "./lib/api.ts";
import { TestServer } from "./lib/server.ts";

const cms = "/api/v1/namespaces/default/configmaps";
const cm = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "ok" },
    data: { a: "b" },
    ...extra,
  });

describe("bad input", () => {
  let server: TestServer;
  let api: ApiClient;
  before(async () => {
    server = await TestServer.start();
    api = new ApiClient(server.dataDir, server.port);
    const created = await api.send("POST", cms, cm({ metadata: { name: "existing" } }));
    assert.equal(created.status, 201, created.body);
    // The root-CA publisher writes kube-root-ca.crt into each namespace once, soon after start.
    await eventually(async () => (await api.send("GET", `${cms}/kube-root-ca.crt`)).status === 200);
  });
  after(async () => {
    await server.dispose();
  });

  /**
   * What these requests could write: every ConfigMap (with its resourceVersion) and every
   * namespace. The store's global revision would be stricter but moves on its own, as the
   * controller manager renews its lease.
   */
  const revision = async () => {
    const objects = [
      ...(await api.send("GET", "/api/v1/configmaps")).json().items,
      ...(await api.send("GET", "/api/v1/namespaces")).json().items,
    ];
    return objects
      .map(
        (o: any) =>
          `${o.metadata.namespace ?? ""}/${o.metadata.name}@${o.metadata.resourceVersion}`,
      )
      .sort()
      .join(" ");
  };

  async function refused(
    request: () => Promise<ApiResponse>,
    code: number,
    reason: string,
    message: RegExp,
  ): Promise<void> {
    const before = await revision();
    const res = await request();
    assert.equal(res.status, code, res.body);
    const status = res.json();
    assert.equal(status.kind, "Status");
    assert.equal(status.status, "Failure");
    assert.equal(status.reason, reason);
    assert.equal(status.code, code);
    assert.match(status.message, message);
    assert.equal(await revision(), before, "the request wrote something");
  }

  it("refuses malformed JSON", () =>
    refused(
      () => api.send("POST", cms, '{"apiVersion": "v1", "kind":'),
      400,
      "BadRequest",
      /json parse error/,
    ));

  it("refuses malformed YAML", () =>
    refused(
      () =>
        api.send("POST", cms, "kind: ConfigMap\nmetadata: [unclosed", {
          "Content-Type": "application/yaml",
        }),
      400,
      "BadRequest",
      /YAML/,
    ));

  it("refuses a body that is not an object", () =>
    refused(() => api.send("POST", cms, "[1,2]"), 400, "BadRequest", /expected a JSON object/));

  it("refuses a wrong apiVersion", () =>
    refused(
      () => api.send("POST", cms, cm({ apiVersion: "apps/v1" })),
      400,
      "BadRequest",
      /does not match the expected API version \(v1\)/,
    ));

  it("refuses a wrong kind", () =>
    refused(
      () => api.send("POST", cms, cm({ kind: "Secret" })),
      400,
      "BadRequest",
      /does not match the expected kind/,
    ));

  it("refuses an invalid name with a field cause", async () => {
    const before = await revision();
    const res = await api.send("POST", cms, cm({ metadata: { name: "Bad_Name" } }));
    assert.equal(res.status, 422, res.body);
    const status = res.json();
    assert.equal(status.reason, "Invalid");
    assert.match(
      status.message,
      /ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"/,
    );
    assert.deepEqual(
      status.details.causes.map((c: { field: string }) => c.field),
      ["metadata.name"],
    );
    assert.equal(await revision(), before);
  });

  it("refuses an invalid label", () =>
    refused(
      () => api.send("POST", cms, cm({ metadata: { name: "x", labels: { "bad key!": "v" } } })),
      422,
      "Invalid",
      /metadata.labels: Invalid value: "bad key!"/,
    ));

  it("refuses unknown fields under Strict and drops them with a warning under Warn", async () => {
    await refused(
      () => api.send("POST", `${cms}?fieldValidation=Strict`, cm({ bogus: 1 })),
      400,
      "BadRequest",
      /strict decoding error: unknown field "bogus"/,
    );
    const warned = await api.send(
      "POST",
      `${cms}?fieldValidation=Warn`,
      cm({ metadata: { name: "warned" }, bogus: 1 }),
    );
    assert.equal(warned.status, 201);
    assert.match(String(warned.headers.warning), /unknown field \\"bogus\\"/);
    assert.equal(warned.json().bogus, undefined);
  });

  it("checks the fields a merge patch brings: unknown ones refused or dropped, wrong types refused", async () => {
    const created = await api.send("POST", cms, cm({ metadata: { name: "patched" } }));
    assert.equal(created.status, 201);
    const merge = { "Content-Type": "application/merge-patch+json" };
    const body = (patch: object) => JSON.stringify(patch);
    await refused(
      () =>
        api.send(
          "PATCH",
          `${cms}/patched?fieldValidation=Strict`,
          body({ data: { b: "2" }, bogus: 1, metadata: { labels: { x: "y" }, alsoBogus: true } }),
          merge,
        ),
      400,
      "BadRequest",
      /strict decoding error: unknown field "bogus", unknown field "metadata.alsoBogus"/,
    );
    await refused(
      () => api.send("PATCH", `${cms}/patched`, body({ data: { b: 5 } }), merge),
      400,
      "BadRequest",
      /cannot unmarshal number into Go struct field ConfigMap.data of type string/,
    );
    const warned = await api.send(
      "PATCH",
      `${cms}/patched`,
      body({ data: { b: "2" }, bogus: { deep: 1 } }),
      merge,
    );
    assert.equal(warned.status, 200);
    assert.match(String(warned.headers.warning), /unknown field \\"bogus\\"/);
    assert.equal(warned.json().bogus, undefined);
    assert.deepEqual(warned.json().data, { a: "b", b: "2" });
    const stored = await api.send("GET", `${cms}/patched`);
    assert.equal(stored.json().bogus, undefined);
  });

  it("refuses a wrongly typed field", () =>
    refused(
      () => api.send("POST", cms, cm({ data: { a: 5 } })),
      400,
      "BadRequest",
      /cannot unmarshal number/,
    ));

  it("refuses a body over 3 MiB with 413", () =>
    refused(
      () => api.send("POST", cms, cm({ data: { a: "x".repeat(3 * 1024 * 1024 + 10) } })),
      413,
      "RequestEntityTooLarge",
      /limit is 3145728/,
    ));

  it("refuses an unsupported content type with 415", () =>
    refused(
      () => api.send("POST", cms, cm(), { "Content-Type": "text/plain" }),
      415,
      "UnsupportedMediaType",
      /unknown format/,
    ));

  it("refuses a malformed protobuf body", () =>
    refused(
      () =>
        api.send("POST", cms, Buffer.from("k8s\u0000garbage"), {
          "Content-Type": "application/vnd.kubernetes.protobuf",
        }),
      400,
      "BadRequest",
      /.+/,
    ));

  it("refuses a protobuf body of an unknown kind with 415", () =>
    refused(
      () =>
        api.send(
          "POST",
          cms,
          Buffer.from(
            encodeEnvelope({ apiVersion: "example.com/v1", kind: "Widget", raw: new Uint8Array() }),
          ),
          {
            "Content-Type": "application/vnd.kubernetes.protobuf",
          },
        ),
      415,
      "UnsupportedMediaType",
      /.+/,
    ));

  it("refuses a change to an immutable field", async () => {
    const current = (await api.send("GET", `${cms}/existing`)).json();
    await refused(
      () =>
        api.send(
          "PUT",
          `${cms}/existing`,
          JSON.stringify({ ...current, metadata: { ...current.metadata, uid: "changed" } }),
        ),
      422,
      "Invalid",
      /metadata.uid: Invalid value: "changed": field is immutable/,
    );
  });

  it("refuses a stale resourceVersion with 409", async () => {
    const current = (await api.send("GET", `${cms}/existing`)).json();
    const updated = await api.send(
      "PUT",
      `${cms}/existing`,
      JSON.stringify({ ...current, data: { a: "new" } }),
    );
    assert.equal(updated.status, 200);
    await refused(
      () =>
        api.send("PUT", `${cms}/existing`, JSON.stringify({ ...current, data: { a: "stale" } })),
      409,
      "Conflict",
      /the object has been modified; please apply your changes to the latest version and try again/,
    );
  });

  it("refuses a name that differs from the URL", async () => {
    const current = (await api.send("GET", `${cms}/existing`)).json();
    await refused(
      () =>
        api.send(
          "PUT",
          `${cms}/existing`,
          JSON.stringify({ ...current, metadata: { ...current.metadata, name: "other" } }),
        ),
      400,
      "BadRequest",
      /does not match the name on the URL/,
    );
  });

  it("refuses content in a namespace that does not exist", () =>
    refused(
      () => api.send("POST", "/api/v1/namespaces/nowhere/configmaps", cm()),
      404,
      "NotFound",
      /namespaces "nowhere" not found/,
    ));

  it("refuses malformed selectors, limits and resource versions", async () => {
    for (const [query, message] of [
      ["labelSelector=a%20in%20(", /unable to parse requirement|found ''/],
      [
        "fieldSelector=spec.bogus=1",
        /field label not supported: spec.bogus|is not a known field selector/,
      ],
      ["limit=abc", /invalid limit/],
      ["resourceVersion=abc", /invalid resource version/],
    ] as const) {
      const res = await api.send("GET", `${cms}?${query}`);
      assert.equal(res.status, 400, `${query}: ${res.body}`);
      assert.match(res.json().message, message);
    }
  });

  it("refuses malformed patches", async () => {
    await refused(
      () =>
        api.send("PATCH", `${cms}/existing`, "{}", { "Content-Type": "application/octet-stream" }),
      415,
      "UnsupportedMediaType",
      /.+/,
    );
    await refused(
      () =>
        api.send(
          "PATCH",
          `${cms}/existing`,
          '[{"op":"replace","path":"/data/missing","value":"x"}]',
          { "Content-Type": "application/json-patch+json" },
        ),
      422,
      "Invalid",
      /replace operation does not apply/,
    );
    await refused(
      () =>
        api.send("PATCH", `${cms}/existing`, '{"data": ', {
          "Content-Type": "application/merge-patch+json",
        }),
      400,
      "BadRequest",
      /json parse error/,
    );
  });

  it("answers an unknown resource or path with 404", async () => {
    for (const path of ["/api/v1/widgets", "/apis/example.com/v1/things", "/nonsense"]) {
      const res = await api.send("GET", path);
      assert.equal(res.status, 404, path);
      assert.equal(res.json().reason, "NotFound");
    }
  });
});
