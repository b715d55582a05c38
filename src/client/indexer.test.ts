import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ObjectLike } from "../api/object.ts";
import { Indices } from "./indexer.ts";
import { Informer } from "./informer.ts";
import { resourcePath, resources } from "./resources.ts";
import type { RestClient } from "./rest-client.ts";
import { eventually, startTestApi, type TestApi } from "./testing/test-api.ts";

interface Obj {
  name: string;
  tags: string[];
}

const byTag = (o: Obj) => o.tags;
const names = (objs: Obj[]) => objs.map((o) => o.name);

describe("Indices", () => {
  it("files existing objects when an index is added, and looks them up by value", () => {
    const indices = new Indices<Obj>();
    const a = { name: "a", tags: ["x", "y"] };
    const b = { name: "b", tags: ["y"] };
    indices.add("tag", byTag, [
      ["a", a],
      ["b", b],
    ]);
    assert.deepEqual(names(indices.byIndex("tag", "x")), ["a"]);
    assert.deepEqual(names(indices.byIndex("tag", "y")), ["a", "b"]);
    assert.deepEqual(indices.byIndex("tag", "z"), []);
  });

  it("moves an object between values on update and drops it on delete", () => {
    const indices = new Indices<Obj>();
    indices.add("tag", byTag, []);
    const v1 = { name: "a", tags: ["x"] };
    indices.update("a", undefined, v1);
    indices.update("b", undefined, { name: "b", tags: ["x"] });
    const v2 = { name: "a", tags: ["y"] };
    indices.update("a", v1, v2);
    assert.deepEqual(names(indices.byIndex("tag", "x")), ["b"]);
    assert.deepEqual(indices.byIndex("tag", "y"), [v2]);
    // Same values: the newest object, in its old place.
    const v3 = { name: "a", tags: ["y"] };
    indices.update("a", v2, v3);
    assert.equal(indices.byIndex("tag", "y")[0], v3);
    indices.delete("a", v3);
    assert.deepEqual(indices.byIndex("tag", "y"), []);
  });

  it("keeps an object that leaves the index (no values) out of it", () => {
    const indices = new Indices<Obj>();
    indices.add("tag", byTag, []);
    const v1 = { name: "a", tags: ["x"] };
    indices.update("a", undefined, v1);
    indices.update("a", v1, { name: "a", tags: [] });
    assert.deepEqual(indices.byIndex("tag", "x"), []);
  });

  it("ignores the same function added twice and rejects another under a taken name", () => {
    const indices = new Indices<Obj>();
    indices.add("tag", byTag, []);
    indices.add("tag", byTag, []);
    assert.throws(() => indices.add("tag", (o) => [o.name], []), /indexer conflict/);
    assert.throws(() => indices.byIndex("nope", "x"), /index with name "nope" does not exist/);
  });
});

describe("Informer indexes", () => {
  let api: TestApi;
  let client: RestClient;
  const ns = "default";
  const path = (name?: string) => resourcePath(resources.configmaps, ns, name ?? "");
  const byColor = (o: ObjectLike) => {
    const color = o.metadata?.labels?.color;
    return color ? [color] : [];
  };
  const colored = (informer: Informer, color: string) =>
    informer
      .byIndex("color", color)
      .map((o) => o.metadata?.name)
      .sort();

  before(async () => {
    api = await startTestApi();
    client = api.client;
  });
  after(() => api.stop());

  it("stays current through list, adds, label changes and deletes", async () => {
    await client.create(path(), { metadata: { name: "red-1", labels: { color: "red" } } });
    const informer = new Informer({ client, resource: resources.configmaps, namespace: ns });
    const stop = new AbortController();
    const running = informer.run(stop.signal);
    await informer.synced();
    // Added after the first list: the cached object is filed at once.
    informer.addIndexer("color", byColor);
    assert.deepEqual(colored(informer, "red"), ["red-1"]);
    await client.create(path(), { metadata: { name: "red-2", labels: { color: "red" } } });
    await client.create(path(), { metadata: { name: "plain" } });
    await eventually(() => informer.get(ns, "plain"));
    assert.deepEqual(colored(informer, "red"), ["red-1", "red-2"]);
    await client.patch(path("red-2"), "merge", { metadata: { labels: { color: "blue" } } });
    await client.patch(path("plain"), "merge", { metadata: { labels: { color: "blue" } } });
    await client.delete(path("red-1"));
    await eventually(() => !informer.get(ns, "red-1"));
    assert.deepEqual(colored(informer, "red"), []);
    assert.deepEqual(colored(informer, "blue"), ["plain", "red-2"]);
    stop.abort();
    await running;
  });
});

describe("Informer indexes across a relist", () => {
  it("unfiles what a relist no longer holds and files what it adds", async () => {
    const cm = (name: string, color: string, rv: string): ObjectLike => ({
      metadata: { name, namespace: "default", labels: { color }, resourceVersion: rv },
    });
    let items = [cm("a", "red", "1"), cm("b", "red", "1")];
    let lists = 0;
    // Lists `items`; its watch stays quiet until stopped.
    const client = {
      get: async () => {
        lists++;
        return { metadata: { resourceVersion: String(lists) }, items };
      },
      async *watch(_path: string, _query: unknown, signal: AbortSignal) {
        if (!signal.aborted) {
          await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
        }
        yield* [];
      },
    } as unknown as RestClient;
    const informer = new Informer({ client, resource: resources.configmaps });
    informer.addIndexer("color", (o) => [o.metadata?.labels?.color ?? ""]);
    const stop = new AbortController();
    const running = informer.run(stop.signal);
    await informer.synced();
    assert.equal(informer.byIndex("color", "red").length, 2);
    stop.abort();
    await running;
    // Run again (as after 410 Gone): the relist has lost "a" and recoloured "b".
    items = [cm("b", "blue", "2"), cm("c", "red", "2")];
    const again = new AbortController();
    const rerun = informer.run(again.signal);
    await eventually(() => informer.get("default", "c"));
    assert.equal(informer.get("default", "a"), undefined);
    assert.deepEqual(
      informer.byIndex("color", "red").map((o) => o.metadata?.name),
      ["c"],
    );
    assert.deepEqual(
      informer.byIndex("color", "blue").map((o) => o.metadata?.name),
      ["b"],
    );
    again.abort();
    await rerun;
  });
});
