/**
 * Watches that pin an indexed field (a kubelet's `spec.nodeName=`) are triggered by their value
 * only: a pod is seen by its node's watch when bound there, changed and deleted, never by
 * another node's, and watches without a pinned field still see every event.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Pod } from "../../api/generated/types.ts";
import type { WatchEvent } from "../../client/rest-client.ts";
import { startTestApi, type TestApi } from "../../client/testing/test-api.ts";

describe("watches triggered by an indexed field", () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
    await api.client.create("/api/v1/namespaces", { metadata: { name: "t" } });
  });
  after(() => api?.stop());

  /** Collects a watch's events (type and pod name) until stopped. */
  function collect(query: Record<string, string>) {
    const abort = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      try {
        for await (const ev of api.client.watch<Pod>("/api/v1/pods", query, abort.signal)) {
          const e = ev as WatchEvent<Pod>;
          if (e.type !== "BOOKMARK") seen.push(`${e.type} ${e.object.metadata?.name}`);
        }
      } catch {
        // aborted
      }
    })();
    return {
      seen,
      async stop() {
        abort.abort();
        await done;
      },
    };
  }

  it("delivers a pod's events to its node's watch only, and every event to the rest", async () => {
    const { metadata } = await api.client.get<{ metadata: { resourceVersion: string } }>(
      "/api/v1/pods",
    );
    const rv = metadata.resourceVersion;
    const n1 = collect({ fieldSelector: "spec.nodeName=n1", resourceVersion: rv });
    const n2 = collect({ fieldSelector: "spec.nodeName=n2", resourceVersion: rv });
    const n1Web = collect({
      fieldSelector: "spec.nodeName=n1,metadata.namespace=t",
      labelSelector: "app=web",
      resourceVersion: rv,
    });
    const all = collect({ resourceVersion: rv });
    const pods = "/api/v1/namespaces/t/pods";
    for (const [name, app] of [
      ["a", "web"],
      ["b", "db"],
    ]) {
      await api.client.create(pods, {
        metadata: { name, labels: { app } },
        spec: { containers: [{ name: "c", image: "nginx" }] },
      });
      await api.client.create(`${pods}/${name}/binding`, {
        apiVersion: "v1",
        kind: "Binding",
        metadata: { name },
        target: { kind: "Node", name: "n1" },
      });
    }
    await api.client.patch(`${pods}/a/status`, "merge", { status: { phase: "Running" } });
    await api.client.delete(`${pods}/a`, { gracePeriodSeconds: 0 });
    const wanted = ["ADDED a", "ADDED b", "MODIFIED a", "DELETED a"];
    const deadline = Date.now() + 5000;
    while (n1.seen.length < wanted.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    // A last write that only the unfiltered watch sees, so that each stream has caught up.
    await api.client.create(pods, {
      metadata: { name: "c" },
      spec: { containers: [{ name: "c", image: "nginx" }] },
    });
    while (!all.seen.includes("ADDED c") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const w of [n1, n2, n1Web, all]) await w.stop();
    assert.deepEqual(n1.seen, wanted);
    assert.deepEqual(n2.seen, []);
    assert.deepEqual(n1Web.seen, ["ADDED a", "MODIFIED a", "DELETED a"]);
    assert.deepEqual(all.seen, [
      "ADDED a",
      "MODIFIED a",
      "ADDED b",
      "MODIFIED b",
      "MODIFIED a",
      "DELETED a",
      "ADDED c",
    ]);
  });

  it("keeps serving a node's later watches after earlier ones ended", async () => {
    const { metadata } = await api.client.get<{ metadata: { resourceVersion: string } }>(
      "/api/v1/pods",
    );
    const rv = metadata.resourceVersion;
    const first = collect({ fieldSelector: "spec.nodeName=n3", resourceVersion: rv });
    await new Promise((r) => setTimeout(r, 20));
    await first.stop();
    const second = collect({ fieldSelector: "spec.nodeName=n3", resourceVersion: rv });
    const until = async (name: string) => {
      const deadline = Date.now() + 5000;
      while (!second.seen.includes(`ADDED ${name}`) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const create = (name: string) =>
      api.client.create("/api/v1/namespaces/t/pods", {
        metadata: { name },
        spec: { nodeName: "n3", containers: [{ name: "c", image: "nginx" }] },
      });
    // The first pod may come from the window the watch starts from; once it is seen the watch
    // is registered, and the second can only come live, through the trigger.
    await create("d0");
    await until("d0");
    await create("d1");
    await until("d1");
    await second.stop();
    assert.deepEqual(first.seen, []);
    assert.deepEqual(second.seen, ["ADDED d0", "ADDED d1"]);
  });
});
