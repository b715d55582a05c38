import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { TLSSocket } from "node:tls";
import { parse } from "yaml";
import { kubectlPath } from "../../test/e2e/lib/tools.ts";
import { createCA, issueCertificate } from "./certificate.ts";
import { kubeconfigYAML, writeKubeconfig } from "./kubeconfig.ts";

const ca = createCA({ commonName: "bosun-ca@1" });
const admin = issueCertificate({
  ca,
  commonName: "system:admin",
  organizations: ["system:masters"],
  usages: ["client"],
});
const serving = issueCertificate({
  ca,
  commonName: "kube-apiserver",
  ipAddresses: ["127.0.0.1"],
  usages: ["server"],
});
/** The pinned kubectl binaries (fetched once by scripts/fetch-kube-tools if missing). */
const kubectls = (["1.34", "1.32"] as const).map((v) => kubectlPath(v));

describe("kubeconfig", () => {
  it("embeds the CA and client credentials as base64", () => {
    const config = parse(
      kubeconfigYAML({
        server: "https://127.0.0.1:6443",
        caPem: ca.certPem,
        clientCertPem: admin.certPem,
        clientKeyPem: admin.keyPem,
      }),
    );
    assert.equal(config.kind, "Config");
    assert.equal(config["current-context"], "bosun");
    assert.deepEqual(config.contexts, [
      { name: "bosun", context: { cluster: "bosun", user: "admin" } },
    ]);
    const cluster = config.clusters[0].cluster;
    assert.equal(cluster.server, "https://127.0.0.1:6443");
    assert.equal(
      Buffer.from(cluster["certificate-authority-data"], "base64").toString(),
      ca.certPem,
    );
    const user = config.users[0].user;
    assert.equal(Buffer.from(user["client-key-data"], "base64").toString(), admin.keyPem);
  });

  it("takes a token instead, and insists on certificate and key together", () => {
    const config = parse(
      kubeconfigYAML({
        server: "https://h:6443",
        caPem: ca.certPem,
        token: "abcdef.0123456789abcdef",
        user: "kubelet-bootstrap",
        namespace: "kube-system",
      }),
    );
    assert.deepEqual(config.users, [
      { name: "kubelet-bootstrap", user: { token: "abcdef.0123456789abcdef" } },
    ]);
    assert.equal(config.contexts[0].context.namespace, "kube-system");
    assert.throws(() =>
      kubeconfigYAML({ server: "https://h", caPem: ca.certPem, clientCertPem: admin.certPem }),
    );
  });

  for (const kubectl of kubectls) {
    it(`lets ${kubectl.split("/").pop()} reach a TLS server with the admin certificate`, async () => {
      const seen: string[] = [];
      const server = createServer(
        {
          key: serving.keyPem,
          cert: serving.certPem,
          ca: ca.certPem,
          requestCert: true,
          rejectUnauthorized: true,
        },
        (req, res) => {
          const peer = (req.socket as TLSSocket).getPeerCertificate();
          seen.push(`${peer.subject.CN}/${peer.subject.O} ${req.url}`);
          res.setHeader("Content-Type", "application/json");
          res.end(JSON.stringify({ major: "1", minor: "34", gitVersion: "v1.34.0" }));
        },
      );
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const dir = await mkdtemp(join(tmpdir(), "bosun-kubeconfig-"));
      try {
        const path = join(dir, "admin.kubeconfig");
        const { port } = server.address() as AddressInfo;
        await writeKubeconfig(path, {
          server: `https://127.0.0.1:${port}`,
          caPem: ca.certPem,
          clientCertPem: admin.certPem,
          clientKeyPem: admin.keyPem,
        });
        assert.equal((await stat(path)).mode & 0o777, 0o600);
        const child = spawn(kubectl, ["--kubeconfig", path, "get", "--raw", "/version"], {
          env: { ...process.env, HOME: dir },
        });
        let out = "";
        let err = "";
        child.stdout.on("data", (c) => (out += c));
        child.stderr.on("data", (c) => (err += c));
        const code = await new Promise((resolve) => child.on("close", resolve));
        assert.equal(code, 0, err);
        assert.equal(JSON.parse(out).gitVersion, "v1.34.0");
        assert.deepEqual(seen, ["system:admin/system:masters /version"]);
      } finally {
        server.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
