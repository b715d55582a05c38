/**
 * Watch semantics over HTTP: events after a resourceVersion, initial ADDED events from "0",
 * selector transitions, bookmarks, timeoutSeconds, and 410 Expired for compacted history.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ApiClient } from "./lib/api.ts";
import { TestServer } from "./lib/server.ts";

const cms = "/api/v1/namespaces/default/configmaps";
const body = (name: string, labels: Record<string, string> = {}) =>
  JSON.stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, labels },
    data: { v: "1" },
  });

describe("watch", () => {
  let server: TestServer;
  let api: ApiClient;
  before(async () => {
    server = await TestServer.start({ args: ["--compaction-interval", "1"] });
    api = new ApiClient(server.dataDir, server.port);
  });
  after(async () => {
    await server.dispose();
  });

  it("streams events after a resourceVersion, in order, as newline-delimited JSON", async () => {
    const rv = (await api.send("GET", cms)).json().metadata.resourceVersion;
    const watching = api.watch(
      `${cms}?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Dw1`,
      (e) => e.length >= 3,
    );
    await api.send("POST", cms, body("w1"));
    await api.send("PATCH", `${cms}/w1`, '{"data":{"v":"2"}}', {
      "Content-Type": "application/merge-patch+json",
    });
    await api.send("DELETE", `${cms}/w1`);
    const { status, events } = await watching;
    assert.equal(status, 200);
    assert.deepEqual(
      events.map((e) => e.type),
      ["ADDED", "MODIFIED", "DELETED"],
    );
    assert.equal(events[1]!.object.data.v, "2");
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.ok(rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!);
  });

  it("starts from the current state with resourceVersion=0", async () => {
    await api.send("POST", cms, body("existing"));
    const { events } = await api.watch(`${cms}?watch=true&resourceVersion=0`, (e) => e.length >= 1);
    assert.equal(events[0]!.type, "ADDED");
    assert.equal(events[0]!.object.metadata.name, "existing");
  });

  it("turns label changes into ADDED and DELETED for a selector", async () => {
    const rv = (await api.send("GET", cms)).json().metadata.resourceVersion;
    const watching = api.watch(
      `${cms}?watch=true&labelSelector=tier%3Dfront&resourceVersion=${rv}`,
      (e) => e.length >= 2,
    );
    await api.send("POST", cms, body("sel"));
    const patch = (labels: string) =>
      api.send("PATCH", `${cms}/sel`, `{"metadata":{"labels":${labels}}}`, {
        "Content-Type": "application/merge-patch+json",
      });
    await patch('{"tier":"front"}');
    await patch('{"tier":"back"}');
    const { events } = await watching;
    assert.deepEqual(
      events.map((e) => e.type),
      ["ADDED", "DELETED"],
    );
  });

  it("ends the stream after timeoutSeconds", async () => {
    const started = Date.now();
    const { ended } = await api.watch(`${cms}?watch=true&timeoutSeconds=1`);
    assert.ok(ended);
    assert.ok(Date.now() - started < 5000);
  });

  it("answers a compacted resourceVersion with a 410 Expired ERROR event", async () => {
    const old = (await api.send("GET", cms)).json().metadata.resourceVersion;
    for (let i = 0; i < 3; i++) await api.send("POST", cms, body(`churn-${i}`));
    await new Promise((r) => setTimeout(r, 2500));
    // The watch cache keeps recent events whatever the store compacted (as upstream's does);
    // after a restart its window starts later, so the old revision can only come from the store.
    await server.stop();
    await server.launch();
    const { events, ended } = await api.watch(`${cms}?watch=true&resourceVersion=${old}`);
    assert.ok(ended);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, "ERROR");
    assert.equal(events[0]!.object.code, 410);
    assert.equal(events[0]!.object.reason, "Expired");
    const list = await api.send("GET", `${cms}?resourceVersion=${old}&resourceVersionMatch=Exact`);
    assert.equal(list.status, 410);
  });
});
