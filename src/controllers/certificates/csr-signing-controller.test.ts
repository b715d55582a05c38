import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually } from "../../client/testing/test-api.ts";
import { inspectCertificate } from "../../pki/certificate.ts";
import { type Harness, startControllers } from "../endpoints/testing/harness.ts";
import type { CSR } from "./csr-helpers.ts";
import { certificateDurationMs, csrSigningControllerFactory } from "./csr-signing-controller.ts";
import { approve, createCSRObject, getCSR, settle } from "./testing.ts";

let h: Harness;
const issued = (name: string) =>
  eventually(async () => {
    const csr = await getCSR(h.api.client, name);
    return csr?.status?.certificate ? csr : undefined;
  });
const failed = (name: string) =>
  eventually(async () => {
    const csr = await getCSR(h.api.client, name);
    return csr?.status?.conditions?.find((c) => c.type === "Failed");
  });
const certOf = (csr: CSR) =>
  inspectCertificate(Buffer.from(csr.status?.certificate ?? "", "base64").toString());

describe("CSR signing controller", () => {
  before(async () => {
    h = await startControllers([csrSigningControllerFactory]);
  });
  after(() => h.stop());

  it("caps the requested lifetime at the signing duration and keeps it at least 10 minutes", () => {
    assert.equal(certificateDurationMs(undefined), 365 * 24 * 3600_000);
    assert.equal(certificateDurationMs(3600), 3600_000);
    assert.equal(certificateDurationMs(60), 600_000);
    assert.equal(certificateDurationMs(10 * 365 * 24 * 3600), 365 * 24 * 3600_000);
  });

  it("signs an approved API-server client request for the requested duration", async () => {
    await createCSRObject(h.api.client, {
      name: "alice",
      cn: "alice",
      orgs: ["devs"],
      signerName: "kubernetes.io/kube-apiserver-client",
      usages: ["digital signature", "client auth"],
      expirationSeconds: 3600,
    });
    await settle();
    assert.equal((await getCSR(h.api.client, "alice"))?.status?.certificate, undefined);
    await approve(h.api.client, "alice");
    const cert = certOf(await issued("alice"));
    assert.equal(cert.subject.commonName, "alice");
    assert.deepEqual(cert.subject.organizations, ["devs"]);
    assert.deepEqual(cert.usages, ["client"]);
    assert.equal(cert.isCA, false);
    assert.match(cert.issuer.commonName, /^bosun-ca@/);
    assert.equal(cert.notBefore.getTime(), h.clock.now() - 5 * 60_000);
    assert.equal(cert.notAfter.getTime(), h.clock.now() + 3600_000);
  });

  it("signs kubelet client and serving requests, a year by default", async () => {
    await createCSRObject(h.api.client, {
      name: "kubelet-client",
      cn: "system:node:n1",
      orgs: ["system:nodes"],
      signerName: "kubernetes.io/kube-apiserver-client-kubelet",
      usages: ["digital signature", "client auth"],
    });
    await createCSRObject(h.api.client, {
      name: "kubelet-serving",
      cn: "system:node:n1",
      orgs: ["system:nodes"],
      dnsNames: ["n1.example"],
      ipAddresses: ["10.0.0.7"],
      signerName: "kubernetes.io/kubelet-serving",
      usages: ["digital signature", "key encipherment", "server auth"],
    });
    await approve(h.api.client, "kubelet-client");
    await approve(h.api.client, "kubelet-serving");
    const client = certOf(await issued("kubelet-client"));
    assert.equal(client.notAfter.getTime(), h.clock.now() + 365 * 24 * 3600_000);
    const serving = certOf(await issued("kubelet-serving"));
    assert.deepEqual(serving.usages, ["server"]);
    assert.deepEqual(serving.dnsNames, ["n1.example"]);
    assert.deepEqual(serving.ipAddresses, ["10.0.0.7"]);
  });

  it("fails requests its signer's rules refuse, with upstream's messages", async () => {
    const cases = [
      {
        name: "server-usage",
        cn: "bob",
        signerName: "kubernetes.io/kube-apiserver-client",
        usages: ["client auth", "server auth"],
        message: "invalid usage for client certificate: server auth",
      },
      {
        name: "no-client-auth",
        cn: "bob",
        signerName: "kubernetes.io/kube-apiserver-client",
        usages: ["digital signature"],
        message: "missing required usage for client certificate: client auth",
      },
      {
        name: "kubelet-wrong-org",
        cn: "system:node:n1",
        orgs: ["system:masters"],
        signerName: "kubernetes.io/kube-apiserver-client-kubelet",
        usages: ["digital signature", "client auth"],
        message: "subject organization is not system:nodes",
      },
      {
        name: "kubelet-wrong-usages",
        cn: "system:node:n1",
        orgs: ["system:nodes"],
        signerName: "kubernetes.io/kube-apiserver-client-kubelet",
        usages: ["digital signature", "server auth"],
        message: "usages did not match [client auth digital signature key encipherment]",
      },
      {
        name: "serving-no-san",
        cn: "system:node:n1",
        orgs: ["system:nodes"],
        signerName: "kubernetes.io/kubelet-serving",
        usages: ["digital signature", "server auth"],
        message: "DNS or IP subjectAltName is required",
      },
    ];
    for (const c of cases) {
      await createCSRObject(h.api.client, c);
      await approve(h.api.client, c.name);
    }
    for (const c of cases) {
      const condition = await failed(c.name);
      assert.equal(condition.status, "True");
      assert.equal(condition.reason, "SignerValidationFailure");
      assert.equal(condition.message, c.message, c.name);
      assert.equal((await getCSR(h.api.client, c.name))?.status?.certificate, undefined);
    }
  });

  it("leaves pending, denied and other signers' requests unsigned", async () => {
    const base = { cn: "carol", usages: ["client auth"] };
    await createCSRObject(h.api.client, {
      ...base,
      name: "pending",
      signerName: "kubernetes.io/kube-apiserver-client",
    });
    await createCSRObject(h.api.client, {
      ...base,
      name: "other-signer",
      signerName: "example.com/custom",
    });
    await approve(h.api.client, "other-signer");
    await settle(300);
    for (const name of ["pending", "other-signer"]) {
      const csr = await getCSR(h.api.client, name);
      assert.equal(csr?.status?.certificate, undefined, name);
      assert.equal(csr?.status?.conditions?.some((c) => c.type === "Failed") ?? false, false, name);
    }
  });
});
