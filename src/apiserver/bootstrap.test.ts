import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ConfigMap } from "../api/generated/types.ts";
import { startTestApi, type TestApi } from "../client/testing/test-api.ts";
import { ensureClusterInfo } from "./bootstrap.ts";

describe("cluster-info bootstrap", () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(() => api.stop());
  const path = "/api/v1/namespaces/kube-public/configmaps/cluster-info";

  it("survives masters and the signer writing it at the same time", async () => {
    await api.client.delete(path).catch(() => undefined);
    // Several masters start together (one creates it, the others update it) while the
    // bootstrap signer adds a signature: nobody fails on a write conflict or a lost create race.
    const masters = Array.from({ length: 4 }, (_, i) =>
      ensureClusterInfo(api.server.catalog, `kubeconfig-of-master-${i}`),
    );
    await Promise.all(masters);
    await Promise.all([
      ...Array.from({ length: 4 }, (_, i) =>
        ensureClusterInfo(api.server.catalog, `kubeconfig-of-master-${i}`),
      ),
      api.client.patch(path, "merge", { data: { "jws-kubeconfig-abcdef": "signature" } }),
    ]);
    const cm = await api.client.get<ConfigMap>(path);
    assert.match(cm.data?.kubeconfig ?? "", /^kubeconfig-of-master-\d$/);
    assert.equal(cm.data?.["jws-kubeconfig-abcdef"], "signature");
  });
});
