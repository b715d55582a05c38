import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ServiceAccount } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { isStatusError } from "../../machinery/status.ts";
import { type Harness, startControllers } from "../endpoints/testing/harness.ts";
import { serviceAccountsControllerFactory } from "./serviceaccounts-controller.ts";

describe("serviceaccounts controller", () => {
  let h: Harness;
  before(async () => {
    h = await startControllers([serviceAccountsControllerFactory]);
  });
  after(() => h.stop());

  const getSA = (ns: string) =>
    h.api.client
      .get<ServiceAccount>(resourcePath(resources.serviceaccounts, ns, "default"))
      .catch((err) => {
        if (isStatusError(err, "NotFound")) return undefined;
        throw err;
      });

  it("creates a default ServiceAccount in existing and new namespaces", async () => {
    await eventually(() => getSA("kube-system"));
    await h.api.client.create(resourcePath(resources.namespaces), { metadata: { name: "team-a" } });
    const sa = await eventually(() => getSA("team-a"));
    assert.equal(sa.metadata?.name, "default");
  });

  it("recreates the default ServiceAccount after it is deleted", async () => {
    const before = await eventually(() => getSA("team-a"));
    await h.api.client.delete(resourcePath(resources.serviceaccounts, "team-a", "default"));
    const after = await eventually(async () => {
      const sa = await getSA("team-a");
      return sa?.metadata?.uid !== before.metadata?.uid && sa;
    });
    assert.ok(after.metadata?.uid);
  });
});
