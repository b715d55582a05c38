/** `bosun token list` against an in-process API server: Secrets selected by type on the server. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { resourcePath, resources } from "../client/resources.ts";
import type { RestClient } from "../client/rest-client.ts";
import { startTestApi, type TestApi } from "../client/testing/test-api.ts";
import { bootstrapTokenSecret } from "../cluster-bootstrap/token-secret.ts";
import { listBootstrapTokens } from "./token.ts";

describe("bosun token list", () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(() => api.stop());

  it("asks the server for Secrets of type bootstrap.kubernetes.io/token only", async () => {
    const now = Date.now();
    const create = (body: unknown) =>
      api.client.create(resourcePath(resources.secrets, "kube-system"), body);
    await create(
      bootstrapTokenSecret({
        id: "abcdef",
        secret: "0123456789abcdef",
        usages: ["signing", "authentication"],
        groups: [],
        ttlMs: 3600_000,
        now,
      }),
    );
    await create({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "bootstrap-token-zzzzzz" },
      type: "Opaque",
      data: { x: "eQ==" },
    });
    const direct = await api.client.get<{ items: { metadata: { name: string } }[] }>(
      resourcePath(resources.secrets, "kube-system"),
      { fieldSelector: "type=bootstrap.kubernetes.io/token" },
    );
    assert.deepEqual(
      direct.items.map((s) => s.metadata.name),
      ["bootstrap-token-abcdef"],
    );
    const queries: unknown[] = [];
    const client: Pick<RestClient, "get"> = {
      get: (path, query) => {
        queries.push(query);
        return api.client.get(path, query);
      },
    };
    const { tokens, errors } = await listBootstrapTokens(client, now);
    assert.deepEqual(
      tokens.map((t) => t.id),
      ["abcdef"],
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(queries, [{ fieldSelector: "type=bootstrap.kubernetes.io/token" }]);
  });
});
