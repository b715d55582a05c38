import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Namespace } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { isStatusError } from "../../machinery/status.ts";
import { type Harness, startControllers } from "../endpoints/testing/harness.ts";
import { namespaceControllerFactory } from "./namespace-controller.ts";
import { NamespacedResourcesDeleter } from "./namespaced-resources-deleter.ts";

const widgets = {
  group: "example.com",
  version: "v1",
  resource: "widgets",
  namespaced: true,
} as const;

describe("namespace controller", () => {
  let h: Harness;
  before(async () => {
    h = await startControllers([namespaceControllerFactory]);
    await h.api.client.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
            },
          },
        ],
      },
    });
    await eventually(() =>
      h.api.client.get(resourcePath(widgets, "default")).then(
        () => true,
        () => false,
      ),
    );
  });
  after(() => h.stop());

  const c = () => h.api.client;
  const fill = async (ns: string, holdConfigMap = false) => {
    await c().create(resourcePath(resources.namespaces), { metadata: { name: ns } });
    await c().create(resourcePath(resources.configmaps, ns), {
      metadata: { name: "cm", ...(holdConfigMap ? { finalizers: ["example.com/hold"] } : {}) },
      data: { a: "1" },
    });
    await c().create(resourcePath(resources.secrets, ns), { metadata: { name: "s" } });
    await c().create(resourcePath(widgets, ns), {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
    });
  };
  const count = async (gvr: typeof widgets | typeof resources.configmaps, ns: string) =>
    (await c().get<{ items: unknown[] }>(resourcePath(gvr, ns))).items.length;

  it("deletes built-in and custom resources found through discovery", async () => {
    await fill("content");
    const deleter = new NamespacedResourcesDeleter({ client: c(), clock: h.clock });
    const ns = await c().get<Namespace>(resourcePath(resources.namespaces, "", "content"));
    assert.equal(await deleter.deleteAllContent(ns), 0);
    assert.equal(await count(widgets, "content"), 0);
    assert.equal(await count(resources.configmaps, "content"), 0);
    assert.equal(await count(resources.secrets, "content"), 0);
  });

  it("reports what remains in the conditions, then finalizes once it is gone", async () => {
    await fill("doomed", true);
    await c().delete(resourcePath(resources.namespaces, "", "doomed"));
    const path = resourcePath(resources.namespaces, "", "doomed");
    const ns = await eventually(async () => {
      const got = await c().get<Namespace>(path);
      return (got.status?.conditions ?? []).length === 5 && got;
    });
    assert.equal(ns.status?.phase, "Terminating");
    const byType = Object.fromEntries(
      (ns.status?.conditions ?? []).map((x) => [x.type, [x.status, x.reason, x.message]]),
    );
    assert.deepEqual(byType, {
      NamespaceDeletionDiscoveryFailure: [
        "False",
        "ResourcesDiscovered",
        "All resources successfully discovered",
      ],
      NamespaceDeletionGroupVersionParsingFailure: [
        "False",
        "ParsedGroupVersions",
        "All legacy kube types successfully parsed",
      ],
      NamespaceDeletionContentFailure: [
        "False",
        "ContentDeleted",
        "All content successfully deleted, may be waiting on finalization",
      ],
      NamespaceContentRemaining: [
        "True",
        "SomeResourcesRemain",
        "Some resources are remaining: configmaps. has 1 resource instances",
      ],
      NamespaceFinalizersRemaining: [
        "True",
        "SomeFinalizersRemain",
        "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances",
      ],
    });
    assert.equal(await count(widgets, "doomed"), 0);

    await c().patch(resourcePath(resources.configmaps, "doomed", "cm"), "merge", {
      metadata: { finalizers: null },
    });
    // The next pass is due half the 15 s finalizer estimate later.
    await eventually(async () => {
      h.clock.advance(1000);
      return c()
        .get(path)
        .then(
          () => false,
          (err) => isStatusError(err, "NotFound"),
        );
    });
  });
});
