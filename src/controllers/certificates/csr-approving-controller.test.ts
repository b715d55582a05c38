import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { resourcePath, resources } from "../../client/resources.ts";
import { RestClient } from "../../client/rest-client.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { bootstrapTokenSecret } from "../../cluster-bootstrap/token-secret.ts";
import { FakeClock } from "../../machinery/clock.ts";
import { type Harness, startControllers } from "../endpoints/testing/harness.ts";
import { csrApprovingControllerFactory } from "./csr-approving-controller.ts";
import { csrSigningControllerFactory } from "./csr-signing-controller.ts";
import { certClient, createCSRObject, getCSR, settle } from "./testing.ts";

let h: Harness;
let bootstrapper: RestClient;
const kubeletUsages = ["digital signature", "client auth"];
const signer = "kubernetes.io/kube-apiserver-client-kubelet";

const approvedCondition = (name: string) =>
  eventually(async () =>
    (await getCSR(h.api.client, name))?.status?.conditions?.find((c) => c.type === "Approved"),
  );
async function stillPending(name: string): Promise<void> {
  await settle(300);
  const csr = await getCSR(h.api.client, name);
  assert.ok(csr, name);
  assert.deepEqual(csr.status?.conditions ?? [], [], `${name} should stay pending`);
  assert.equal(csr.status?.certificate, undefined);
}

describe("CSR approving controller", () => {
  before(async () => {
    h = await startControllers([csrApprovingControllerFactory, csrSigningControllerFactory], {
      clock: new FakeClock(Date.now()),
    });
    await h.api.client.create(
      resourcePath(resources.secrets, "kube-system"),
      bootstrapTokenSecret({
        id: "abcdef",
        secret: "0123456789abcdef",
        usages: ["authentication", "signing"],
        groups: [],
        now: Date.now(),
      }),
    );
    bootstrapper = new RestClient({
      server: h.api.client.config.server,
      caPem: h.api.caCertPem,
      token: "abcdef.0123456789abcdef",
    });
  });
  after(async () => {
    bootstrapper.close();
    await h.stop();
  });

  it("approves a new node's client request made with a bootstrap token, and it gets signed", async () => {
    const csr = await createCSRObject(bootstrapper, {
      name: "node-csr-n1",
      cn: "system:node:n1",
      orgs: ["system:nodes"],
      signerName: signer,
      usages: kubeletUsages,
    });
    assert.equal(csr.spec?.username, "system:bootstrap:abcdef");
    const c = await approvedCondition("node-csr-n1");
    assert.equal(c.status, "True");
    assert.equal(c.reason, "AutoApproved");
    assert.equal(c.message, "Auto approving kubelet client certificate after SubjectAccessReview.");
    await eventually(async () => (await getCSR(h.api.client, "node-csr-n1"))?.status?.certificate);
  });

  it("approves a node renewing its own certificate (selfnodeclient)", async () => {
    const node = certClient(h.api, "system:node:n1", ["system:nodes"]);
    try {
      await createCSRObject(node, {
        name: "renew-n1",
        cn: "system:node:n1",
        orgs: ["system:nodes"],
        signerName: signer,
        usages: ["digital signature", "key encipherment", "client auth"],
      });
      const c = await approvedCondition("renew-n1");
      assert.equal(
        c.message,
        "Auto approving self kubelet client certificate after SubjectAccessReview.",
      );
    } finally {
      node.close();
    }
  });

  it("leaves a node's request for another node's name pending", async () => {
    const node = certClient(h.api, "system:node:n1", ["system:nodes"]);
    try {
      await createCSRObject(node, {
        name: "n1-asks-for-n2",
        cn: "system:node:n2",
        orgs: ["system:nodes"],
        signerName: signer,
        usages: kubeletUsages,
      });
      await stillPending("n1-asks-for-n2");
    } finally {
      node.close();
    }
  });

  it("leaves requests that are not kubelet client requests pending", async () => {
    const cases = [
      { name: "bad-org", cn: "system:node:n3", orgs: ["system:masters"], usages: kubeletUsages },
      { name: "bad-cn", cn: "admin", orgs: ["system:nodes"], usages: kubeletUsages },
      {
        name: "bad-usages",
        cn: "system:node:n3",
        orgs: ["system:nodes"],
        usages: ["digital signature", "client auth", "server auth"],
      },
      {
        name: "with-san",
        cn: "system:node:n3",
        orgs: ["system:nodes"],
        dnsNames: ["n3"],
        usages: kubeletUsages,
      },
    ];
    for (const c of cases) await createCSRObject(bootstrapper, { ...c, signerName: signer });
    await createCSRObject(bootstrapper, {
      name: "other-signer",
      cn: "system:node:n3",
      orgs: ["system:nodes"],
      signerName: "kubernetes.io/kube-apiserver-client",
      usages: kubeletUsages,
    });
    for (const c of [...cases, { name: "other-signer" }]) await stillPending(c.name);
  });
});
