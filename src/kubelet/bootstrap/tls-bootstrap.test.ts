import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { RestClient } from "../../client/rest-client.ts";
import { startTestApi, type TestApi } from "../../client/testing/test-api.ts";
import { createToken, fakeSigner, token } from "./testing.ts";
import { requestNodeCertificate } from "./tls-bootstrap.ts";

let api: TestApi;
let client: RestClient;

describe("TLS bootstrap", () => {
  before(async () => {
    api = await startTestApi();
    await createToken(api);
    client = new RestClient({
      server: api.client.config.server,
      caPem: api.caCertPem,
      token: `${token.id}.${token.secret}`,
    });
  });
  after(async () => {
    client.close();
    await api.stop();
  });

  it("requests a kubelet client certificate and waits until it is issued", async () => {
    const signer = fakeSigner(api);
    try {
      let waitingFor = "";
      const cert = await requestNodeCertificate({
        client,
        nodeName: "n1",
        generateName: "node-csr-",
        onWaiting: (name) => {
          waitingFor = name;
        },
      });
      assert.match(waitingFor, /^node-csr-/);
      const x509 = new X509Certificate(cert.certPem);
      assert.match(x509.subject, /CN=system:node:n1/);
      assert.ok(x509.publicKey.equals(createPublicKey(createPrivateKey(cert.keyPem))));
      const csr = signer.seen.find((c) => c.metadata?.name === waitingFor);
      assert.equal(csr?.spec?.signerName, "kubernetes.io/kube-apiserver-client-kubelet");
      assert.deepEqual(csr?.spec?.usages, ["digital signature", "client auth"]);
      assert.equal(csr?.spec?.username, "system:bootstrap:abcdef");
    } finally {
      signer.stop();
    }
  });

  it("reports a denied or failed request with upstream's message", async () => {
    for (const verdict of ["deny", "fail"] as const) {
      const signer = fakeSigner(api, () => verdict);
      try {
        await assert.rejects(requestNodeCertificate({ client, nodeName: "n2" }), {
          name: "CertificateRequestError",
          message:
            verdict === "deny"
              ? "certificate signing request is denied, reason: Test, message: Denied by the test"
              : "certificate signing request failed, reason: Test, message: Failed by the test",
        });
      } finally {
        signer.stop();
      }
    }
  });

  it("gives up when nobody issues the certificate in time", async () => {
    await assert.rejects(requestNodeCertificate({ client, nodeName: "n3", timeoutMs: 300 }), {
      message:
        /^timed out waiting for the certificate signing request "csr-\w+" to be approved and issued$/,
    });
  });
});
