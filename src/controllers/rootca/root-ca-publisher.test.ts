import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ConfigMap } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { isStatusError } from "../../machinery/status.ts";
import { type Harness, startControllers } from "../endpoints/testing/harness.ts";
import { description, rootCAPublisherFactory } from "./root-ca-publisher.ts";

describe("root CA publisher", () => {
  let h: Harness;
  before(async () => {
    h = await startControllers([rootCAPublisherFactory]);
  });
  after(() => h.stop());

  const path = (ns: string) => resourcePath(resources.configmaps, ns, "kube-root-ca.crt");
  const getCM = (ns: string) =>
    h.api.client.get<ConfigMap>(path(ns)).catch((err) => {
      if (isStatusError(err, "NotFound")) return undefined;
      throw err;
    });
  const published = (ns: string) =>
    eventually(async () => {
      const cm = await getCM(ns);
      return cm?.data?.["ca.crt"] === h.api.caCertPem && cm;
    });

  it("publishes the cluster CA in every namespace with the upstream description", async () => {
    const cm = await published("default");
    assert.deepEqual(Object.keys(cm.data ?? {}), ["ca.crt"]);
    assert.equal(cm.metadata?.annotations?.["kubernetes.io/description"], description);
    await h.api.client.create(resourcePath(resources.namespaces), { metadata: { name: "team-b" } });
    await published("team-b");
  });

  it("restores the ConfigMap when it is changed or deleted", async () => {
    const cm = await published("team-b");
    cm.data = { "ca.crt": "tampered" };
    await h.api.client.update(path("team-b"), cm);
    await published("team-b");
    await h.api.client.delete(path("team-b"));
    await published("team-b");
  });
});
