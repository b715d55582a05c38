import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { computeDetachedSignature } from "../../cluster-bootstrap/jws.ts";
import { type Harness, startControllers } from "../endpoints/testing/harness.ts";
import { bootstrapSignerFactory } from "./bootstrap-signer.ts";
import { createToken, getClusterInfo, settle } from "./testing.ts";

let h: Harness;
const signatures = async () => {
  const cm = await getClusterInfo(h.api.client);
  return Object.fromEntries(
    Object.entries(cm.data ?? {}).filter(([k]) => k.startsWith("jws-kubeconfig-")),
  );
};
const kubeconfig = async () => (await getClusterInfo(h.api.client)).data?.kubeconfig ?? "";
const tokenPath = (id: string) =>
  resourcePath(resources.secrets, "kube-system", `bootstrap-token-${id}`);

describe("bootstrap signer", () => {
  before(async () => {
    h = await startControllers([bootstrapSignerFactory]);
  });
  after(() => h.stop());

  it("signs cluster-info's kubeconfig for every token that may sign, and only those", async () => {
    await createToken(
      h.api.client,
      { id: "aaaaaa", secret: "aaaaaaaaaaaaaaaa", ttlMs: 3600_000 },
      h.clock.now(),
    );
    await createToken(
      h.api.client,
      { id: "bbbbbb", secret: "bbbbbbbbbbbbbbbb", usages: ["authentication"] },
      h.clock.now(),
    );
    await createToken(h.api.client, { id: "cccccc", secret: "cccccccccccccccc" }, h.clock.now());
    const content = await kubeconfig();
    assert.match(content, /certificate-authority-data/);
    const sigs = await eventually(async () => {
      const s = await signatures();
      return Object.keys(s).length === 2 && s;
    });
    assert.deepEqual(sigs, {
      "jws-kubeconfig-aaaaaa": computeDetachedSignature(content, "aaaaaa", "aaaaaaaaaaaaaaaa"),
      "jws-kubeconfig-cccccc": computeDetachedSignature(content, "cccccc", "cccccccccccccccc"),
    });
  });

  it("drops the entry of a deleted token and restores a tampered one", async () => {
    await h.api.client.delete(tokenPath("cccccc"));
    await eventually(async () => !("jws-kubeconfig-cccccc" in (await signatures())));
    const cm = await getClusterInfo(h.api.client);
    cm.data = {
      ...cm.data,
      "jws-kubeconfig-aaaaaa": "forged..sig",
      "jws-kubeconfig-zzzzzz": "x..y",
    };
    await h.api.client.update(
      resourcePath(resources.configmaps, "kube-public", "cluster-info"),
      cm,
    );
    const content = await kubeconfig();
    await eventually(async () => {
      const s = await signatures();
      return (
        Object.keys(s).length === 1 &&
        s["jws-kubeconfig-aaaaaa"] ===
          computeDetachedSignature(content, "aaaaaa", "aaaaaaaaaaaaaaaa")
      );
    });
  });

  it("re-signs when the kubeconfig changes", async () => {
    const cm = await getClusterInfo(h.api.client);
    const changed = `${cm.data?.kubeconfig}# moved\n`;
    cm.data = { ...cm.data, kubeconfig: changed };
    await h.api.client.update(
      resourcePath(resources.configmaps, "kube-public", "cluster-info"),
      cm,
    );
    await eventually(
      async () =>
        (await signatures())["jws-kubeconfig-aaaaaa"] ===
        computeDetachedSignature(changed, "aaaaaa", "aaaaaaaaaaaaaaaa"),
    );
  });

  it("removes a token's entry when it expires, by the clock, without the token being deleted", async () => {
    await settle();
    h.clock.advance(3599_000);
    await settle();
    assert.ok("jws-kubeconfig-aaaaaa" in (await signatures()));
    h.clock.advance(1_000);
    await eventually(async () => !("jws-kubeconfig-aaaaaa" in (await signatures())));
  });
});
