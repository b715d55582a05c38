/**
 * Lists from the watch cache by an index: a field selector that pins an indexed field
 * (`spec.nodeName=`) is answered from the index, in key order, within the namespace, with the
 * rest of the selector, paging and later changes (a pod bound after the list) as a scan would.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Pod } from "../../api/generated/types.ts";
import { startTestApi, type TestApi } from "../../client/testing/test-api.ts";
import { listFromCache } from "./cached-list.ts";
import type { CachedObject, WatchCache } from "./watch-cache.ts";

const names = (list: { items: Pod[] }) =>
  list.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);

describe("lists that pin an indexed field", () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
    for (const ns of ["a", "b"])
      await api.client.create("/api/v1/namespaces", { metadata: { name: ns } });
    // Created out of key order, across two namespaces and three nodes, one unbound.
    const pods: Array<[string, string, string | undefined, string]> = [
      ["b", "p3", "n1", "web"],
      ["a", "p2", "n1", "db"],
      ["a", "p1", "n1", "web"],
      ["a", "p4", "n2", "web"],
      ["b", "p0", "n1", "db"],
      ["a", "p5", undefined, "web"],
    ];
    for (const [ns, name, node, app] of pods) {
      await api.client.create(`/api/v1/namespaces/${ns}/pods`, {
        metadata: { name, labels: { app } },
        spec: { ...(node ? { nodeName: node } : {}), containers: [{ name: "c", image: "nginx" }] },
      });
    }
  });
  after(() => api?.stop());

  it("answers in key order, within the namespace, with the rest of the selector", async () => {
    const all = await api.client.get<{ items: Pod[] }>("/api/v1/pods", {
      fieldSelector: "spec.nodeName=n1",
    });
    assert.deepEqual(names(all), ["a/p1", "a/p2", "b/p0", "b/p3"]);
    const inA = await api.client.get<{ items: Pod[] }>("/api/v1/namespaces/a/pods", {
      fieldSelector: "spec.nodeName=n1",
    });
    assert.deepEqual(names(inA), ["a/p1", "a/p2"]);
    const web = await api.client.get<{ items: Pod[] }>("/api/v1/pods", {
      fieldSelector: "spec.nodeName=n1,metadata.namespace!=a",
      labelSelector: "app=web",
    });
    assert.deepEqual(names(web), ["b/p3"]);
    const none = await api.client.get<{ items: Pod[] }>("/api/v1/pods", {
      fieldSelector: "spec.nodeName=n9",
    });
    assert.deepEqual(names(none), []);
  });

  it("pages like a scan, and follows a pod bound after the first list", async () => {
    const first = await api.client.get<{ items: Pod[]; metadata: { continue?: string } }>(
      "/api/v1/pods",
      {
        fieldSelector: "spec.nodeName=n1",
        limit: 3,
      },
    );
    assert.deepEqual(names(first), ["a/p1", "a/p2", "b/p0"]);
    const rest = await api.client.get<{ items: Pod[] }>("/api/v1/pods", {
      fieldSelector: "spec.nodeName=n1",
      limit: 3,
      continue: first.metadata.continue!,
    });
    assert.deepEqual(names(rest), ["b/p3"]);
    await api.client.create("/api/v1/namespaces/a/pods/p5/binding", {
      apiVersion: "v1",
      kind: "Binding",
      metadata: { name: "p5" },
      target: { kind: "Node", name: "n2" },
    });
    const n2 = await api.client.get<{ items: Pod[] }>("/api/v1/pods", {
      fieldSelector: "spec.nodeName=n2",
    });
    assert.deepEqual(names(n2), ["a/p4", "a/p5"]);
  });

  it("reads the index, not every object, when the field is indexed", async () => {
    const object = (key: string, namespace: string): CachedObject => ({
      key,
      namespace,
      revision: 1,
      bytes: new Uint8Array(),
      labels: {},
      fields: { "spec.nodeName": "n1", "metadata.namespace": namespace },
    });
    const cache = {
      revision: 7,
      waitFor: async () => true,
      registry: { prefix: (ns: string) => `/registry/core/pods/${ns}` },
      pinnedIndex: (pinned?: Record<string, string>) =>
        pinned?.["spec.nodeName"] === undefined
          ? undefined
          : ["spec.nodeName", pinned["spec.nodeName"]],
      byField: () => [
        object("/registry/core/pods/b/x", "b"),
        object("/registry/core/pods/a/y", "a"),
      ],
      snapshot: () => assert.fail("a pinned, indexed field must not scan every object"),
    } as unknown as WatchCache;
    const list = await listFromCache(cache, {
      namespace: "",
      matches: undefined,
      exactFields: { "spec.nodeName": "n1" },
      limit: 0,
      resourceVersion: "0",
      resourceVersionMatch: undefined,
    });
    assert.deepEqual(
      list?.items.map((o) => o.key),
      ["/registry/core/pods/a/y", "/registry/core/pods/b/x"],
    );
  });
});
