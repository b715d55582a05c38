/**
 * A write's response body and its watch cache entry are spliced once from the stored bytes and
 * shared; a later write of the same key serves its own bytes, with its own resourceVersion.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { builtinResources } from "../../api/kinds/index.ts";
import type { KubeObject } from "../../api/object.ts";
import { FakeClock } from "../../machinery/clock.ts";
import { MemoryStore } from "../../storage/memory/memory-store.ts";
import { AdmissionChain } from "../admission/admission.ts";
import { GenericRegistry, type RequestContext } from "./generic-registry.ts";

const configMaps = builtinResources.find((d) => d.plural === "configmaps" && !d.group)!;
const ctx: RequestContext = { user: { username: "test", groups: [] }, dryRun: false, warnings: [] };

const served = (bytes: Uint8Array | undefined) =>
  JSON.parse(Buffer.from(bytes!).toString("utf8")) as KubeObject;

describe("served bytes of a write", () => {
  it("are spliced once per stored value and follow each new revision", async () => {
    const store = new MemoryStore();
    const registry = new GenericRegistry({
      store,
      clock: new FakeClock(),
      admission: new AdmissionChain([]),
      definition: configMaps,
    });
    const watch = store.watch(registry.key("default", ""), {
      afterRevision: await store.currentRevision(),
    });
    const events = watch[Symbol.asyncIterator]();
    const created = await registry.create(
      "default",
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { a: "1" } },
      ctx,
    );
    const body = registry.responseBody(created);
    const first = await events.next();
    assert.ok(!first.done && first.value.type !== "progress");
    // The watch cache asks with the event's KeyValue: the very bytes the response was written from.
    assert.equal(registry.servedBytes(first.value.kv), body);
    assert.equal(served(body).metadata?.resourceVersion, created.metadata?.resourceVersion);

    const { object } = await registry.update(
      "default",
      "cm",
      (cur) => ({ ...cur!, data: { a: "2" } }) as KubeObject,
      ctx,
    );
    const second = await events.next();
    assert.ok(!second.done && second.value.type !== "progress");
    const next = registry.servedBytes(second.value.kv);
    assert.notEqual(next, body);
    assert.equal(registry.responseBody(object), next);
    assert.equal(served(next).metadata?.resourceVersion, object.metadata?.resourceVersion);
    assert.deepEqual((served(next) as { data?: object }).data, { a: "2" });
    // The first version's bytes are unchanged.
    assert.deepEqual((served(body) as { data?: object }).data, { a: "1" });
    watch.close();
    await store.close();
  });
});
