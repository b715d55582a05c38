import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { type Harness, startControllers } from "../endpoints/testing/harness.ts";
import { createToken, getSecret, settle } from "./testing.ts";
import { tokenCleanerFactory } from "./token-cleaner.ts";

let h: Harness;
const gone = (id: string) => async () =>
  (await getSecret(h.api.client, `bootstrap-token-${id}`)) === undefined;
const exists = async (id: string) =>
  (await getSecret(h.api.client, `bootstrap-token-${id}`)) !== undefined;
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("token cleaner", () => {
  before(async () => {
    h = await startControllers([tokenCleanerFactory], {
      // Already expired when the controller starts.
      setup: async (api) => {
        await createToken(
          api.client,
          { id: "old000", secret: "0000000000000000", ttlMs: 1000 },
          Date.UTC(2025, 0, 1),
        );
      },
    });
  });
  after(() => h.stop());

  it("deletes a token that expired before it started", async () => {
    await eventually(gone("old000"));
  });

  it("deletes a token when its expiration passes, on the injected clock", async () => {
    await createToken(
      h.api.client,
      { id: "hour00", secret: "0000000000000000", ttlMs: 3600_000 },
      h.clock.now(),
    );
    await createToken(h.api.client, { id: "never0", secret: "0000000000000000" }, h.clock.now());
    await settle();
    h.clock.advance(3599_000);
    await settle();
    assert.ok(await exists("hour00"));
    h.clock.advance(1_000);
    await eventually(gone("hour00"));
    assert.ok(await exists("never0"), "a token without expiration stays");
  });

  it("honours an expiration moved later, and treats a malformed one as expired", async () => {
    await createToken(
      h.api.client,
      { id: "moved0", secret: "0000000000000000", ttlMs: 60_000 },
      h.clock.now(),
    );
    await settle();
    const later = new Date(h.clock.now() + 600_000).toISOString().replace(/\.\d+Z$/, "Z");
    const path = resourcePath(resources.secrets, "kube-system", "bootstrap-token-moved0");
    await h.api.client.patch(path, "merge", { data: { expiration: b64(later) } });
    await settle();
    h.clock.advance(120_000);
    await settle();
    assert.ok(await exists("moved0"));
    await h.api.client.patch(path, "merge", { data: { expiration: b64("next tuesday") } });
    await eventually(gone("moved0"));
  });

  it("leaves Secrets of other types alone", async () => {
    await h.api.client.create(resourcePath(resources.secrets, "kube-system"), {
      metadata: { name: "bootstrap-token-opaque" },
      type: "Opaque",
      data: { expiration: b64("2020-01-01T00:00:00Z") },
    });
    await settle();
    assert.ok(await getSecret(h.api.client, "bootstrap-token-opaque"));
  });
});
