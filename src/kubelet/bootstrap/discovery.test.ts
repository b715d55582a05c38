import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { resourcePath, resources } from "../../client/resources.ts";
import { startTestApi, type TestApi } from "../../client/testing/test-api.ts";
import { caCertHash } from "../../cluster-bootstrap/ca-hash.ts";
import { createCA } from "../../pki/certificate.ts";
import { DiscoveryError, discoverCluster } from "./discovery.ts";
import { createToken, signClusterInfo, token } from "./testing.ts";

let api: TestApi;
let pin: string;
const discover = (o: Partial<Parameters<typeof discoverCluster>[0]> = {}) =>
  discoverCluster({
    server: api.client.config.server,
    token,
    caCertHashes: [pin],
    retryMs: 20,
    timeoutMs: 5_000,
    ...o,
  });

describe("token discovery", () => {
  before(async () => {
    api = await startTestApi();
    pin = caCertHash(api.caCertPem).slice("sha256:".length);
    await createToken(api);
  });
  after(() => api.stop());

  it("waits for the signature, then trusts the pinned CA", async () => {
    const pending = discover();
    await new Promise((r) => setTimeout(r, 100));
    await signClusterInfo(api);
    const cluster = await pending;
    assert.equal(cluster.caPem, api.caCertPem);
    assert.equal(cluster.server, api.client.config.server);
  });

  it("refuses a CA whose key is not pinned, naming the key it found", async () => {
    const other = caCertHash(createCA({ commonName: "other" }).certPem).slice(7);
    await assert.rejects(discover({ caCertHashes: [other] }), {
      name: "DiscoveryError",
      message: `cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${caCertHash(api.caCertPem)}" are pinned`,
    });
  });

  it("refuses a signature the token did not make", async () => {
    const forged = { id: token.id, secret: "ffffffffffffffff" };
    await assert.rejects(discover({ token: forged }), {
      message:
        "failed to verify JWS signature of received cluster info object, can't trust this API Server",
    });
  });

  it("fails at once for a token the cluster does not know", async () => {
    const started = Date.now();
    await assert.rejects(discover({ token: { id: "zzzzzz", secret: "0123456789abcdef" } }), {
      message:
        'token id "zzzzzz" is invalid for this cluster or it has expired. Use "bosun token create" on the control-plane node to create a new valid token',
    });
    assert.ok(Date.now() - started < 2_000);
  });

  it("gives up after the timeout when a valid token's signature never comes", async () => {
    const unsigned = { id: "uuuuuu", secret: "0123456789abcdef" };
    await createToken(api, unsigned);
    await assert.rejects(discover({ token: unsigned, timeoutMs: 200 }), (err: Error) => {
      assert.ok(err instanceof DiscoveryError);
      assert.equal(
        err.message,
        'could not find a JWS signature in the cluster-info ConfigMap for token ID "uuuuuu"',
      );
      return true;
    });
  });

  it("refuses a server that is not set up for token bootstrapping", async () => {
    const path = resourcePath(resources.configmaps, "kube-public", "cluster-info");
    const cm = await api.client.get<{ data: Record<string, string> }>(path);
    const saved = cm.data.kubeconfig;
    delete (cm.data as Record<string, string | undefined>).kubeconfig;
    await api.client.update(path, cm);
    try {
      await assert.rejects(discover(), {
        message:
          "there is no kubeconfig key in the cluster-info ConfigMap. This API Server isn't set up for token bootstrapping, can't connect",
      });
    } finally {
      const now = await api.client.get<{ data: Record<string, string> }>(path);
      now.data.kubeconfig = saved ?? "";
      await api.client.update(path, now);
    }
  });
});
