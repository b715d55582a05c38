import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startTestApi, type TestApi } from "../../client/testing/test-api.ts";
import { caCertHash } from "../../cluster-bootstrap/ca-hash.ts";
import { FakeClock } from "../../machinery/clock.ts";
import { silentLogger } from "../../machinery/log.ts";
import { JoinError, joinCluster } from "./join.ts";
import { loadNodeCredentials } from "./node-credentials.ts";
import { createToken, fakeSigner, signClusterInfo, token } from "./testing.ts";

let api: TestApi;
let dir: string;
const whoami = async (client: import("../../client/rest-client.ts").RestClient) =>
  (
    await client.create<{ status: { userInfo: { username: string } } }>(
      "/apis/authentication.k8s.io/v1/selfsubjectreviews",
      { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
    )
  ).status.userInfo.username;

describe("joining a cluster", () => {
  before(async () => {
    api = await startTestApi();
    dir = mkdtempSync(join(tmpdir(), "bosun-join-"));
    await createToken(api);
    await signClusterInfo(api);
  });
  after(async () => {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const joinToken = () => ({
    server: api.client.config.server,
    token,
    caCertHashes: [caCertHash(api.caCertPem).slice(7)],
  });

  it("joins with the token, stores its kubeconfig and then acts as the node", async () => {
    const signer = fakeSigner(api);
    const path = join(dir, "agent", "kubelet.kubeconfig");
    try {
      const node = await joinCluster({
        nodeName: "worker-1",
        kubeconfigPath: path,
        join: joinToken(),
        log: silentLogger,
      });
      assert.equal(node.bootstrapped, true);
      assert.equal(await whoami(node.client), "system:node:worker-1");
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.ok("config" in loadNodeCredentials(path, "worker-1", Date.now()));
      node.certificates.stop();
      node.client.close();
    } finally {
      signer.stop();
    }
  });

  it("renews its certificate on the clock, stores it, and keeps acting as the node", async () => {
    const signer = fakeSigner(api);
    const path = join(dir, "rotating", "kubelet.kubeconfig");
    const clock = new FakeClock(Date.now());
    try {
      const node = await joinCluster({
        nodeName: "worker-3",
        kubeconfigPath: path,
        join: joinToken(),
        log: silentLogger,
        clock,
      });
      const first = node.certificates.current.certPem;
      clock.advance(node.certificates.deadline() - clock.now() + 3600_000);
      await node.certificates.rotating;
      assert.notEqual(node.certificates.current.certPem, first);
      const stored = loadNodeCredentials(path, "worker-3", Date.now());
      assert.ok("config" in stored);
      assert.equal(stored.config.certPem, node.certificates.current.certPem);
      assert.equal(node.client.config.certPem, node.certificates.current.certPem);
      assert.equal(await whoami(node.client), "system:node:worker-3");
      const renewal = signer.seen.at(-1);
      assert.match(renewal?.metadata?.name ?? "", /^csr-/);
      assert.equal(
        renewal?.spec?.username,
        "system:node:worker-3",
        "renewed with its own identity",
      );
      node.certificates.stop();
      node.client.close();
    } finally {
      signer.stop();
    }
  });

  it("restarts on the stored certificate without the token", async () => {
    const path = join(dir, "agent", "kubelet.kubeconfig");
    const node = await joinCluster({
      nodeName: "worker-1",
      kubeconfigPath: path,
      log: silentLogger,
    });
    assert.equal(node.bootstrapped, false);
    assert.equal(await whoami(node.client), "system:node:worker-1");
    node.certificates.stop();
    node.client.close();
  });

  it("needs the token when the stored certificate is for another node", async () => {
    const path = join(dir, "agent", "kubelet.kubeconfig");
    await assert.rejects(
      joinCluster({ nodeName: "worker-2", kubeconfigPath: path, log: silentLogger }),
      (err: Error) => {
        assert.ok(err instanceof JoinError);
        assert.match(err.message, /its certificate is for "system:node:worker-1", not this node/);
        assert.match(err.message, /--server, --token and --ca-cert-hash are needed to join/);
        return true;
      },
    );
  });
});
