/**
 * Test helpers for joining: a test API with a bootstrap token and a signed cluster-info, and a
 * fake approver/signer (the controller manager's part, done by the test with the admin client).
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { CertificateSigningRequest, ConfigMap } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import type { TestApi } from "../../client/testing/test-api.ts";
import { computeDetachedSignature } from "../../cluster-bootstrap/jws.ts";
import { bootstrapTokenSecret } from "../../cluster-bootstrap/token-secret.ts";
import { signCertificate } from "../../pki/certificate.ts";
import { parseCSR } from "../../pki/csr.ts";

export const token = { id: "abcdef", secret: "0123456789abcdef" };

export async function createToken(api: TestApi, t = token, ttlMs?: number): Promise<void> {
  await api.client.create(
    resourcePath(resources.secrets, "kube-system"),
    bootstrapTokenSecret({
      ...t,
      usages: ["signing", "authentication"],
      groups: [],
      now: Date.now(),
      ...(ttlMs ? { ttlMs } : {}),
    }),
  );
}

const clusterInfo = resourcePath(resources.configmaps, "kube-public", "cluster-info");

/** Writes `jws-kubeconfig-<id>` as the bootstrap signer would (or `signature` if given). */
export async function signClusterInfo(api: TestApi, t = token, signature?: string): Promise<void> {
  const cm = await api.client.get<ConfigMap>(clusterInfo);
  const content = cm.data?.kubeconfig ?? "";
  cm.data = {
    ...cm.data,
    [`jws-kubeconfig-${t.id}`]: signature ?? computeDetachedSignature(content, t.id, t.secret),
  };
  await api.client.update(clusterInfo, cm);
}

type CSR = CertificateSigningRequest & { metadata?: { name?: string } };

export type Verdict = "approve" | "deny" | "fail" | "ignore";

/** Approves (or denies, or fails) and signs every new CSR until stopped. */
export function fakeSigner(
  api: TestApi,
  decide: (csr: CSR) => Verdict = () => "approve",
  lifetimeMs = 3600_000,
): { stop(): void; seen: CSR[] } {
  const seen: CSR[] = [];
  const done = new Set<string>();
  const ca = {
    certificate: new X509Certificate(api.caCertPem),
    privateKey: createPrivateKey(api.caKeyPem),
  };
  let stopped = false;
  const tick = async () => {
    const list = await api.client.get<{ items: CSR[] }>(resourcePath(resources.csrs));
    for (const csr of list.items) {
      const name = csr.metadata?.name ?? "";
      if (done.has(name)) continue;
      done.add(name);
      seen.push(csr);
      const verdict = decide(csr);
      if (verdict === "ignore") continue;
      const type = verdict === "deny" ? "Denied" : verdict === "fail" ? "Failed" : "Approved";
      const condition = { type, status: "True", reason: "Test", message: `${type} by the test` };
      const path = resourcePath(
        resources.csrs,
        "",
        name,
        type === "Failed" ? "status" : "approval",
      );
      csr.status = { conditions: [condition] };
      const updated = await api.client.update<CSR>(path, csr);
      if (verdict !== "approve") continue;
      const req = parseCSR(Buffer.from(updated.spec?.request ?? "", "base64").toString());
      const { certPem } = signCertificate({
        ca,
        publicKey: req.publicKey,
        commonName: req.subject.commonName,
        organizations: req.subject.organizations,
        usages: ["client"],
        validityDays: lifetimeMs / 86_400_000,
      });
      updated.status = { ...updated.status, certificate: Buffer.from(certPem).toString("base64") };
      await api.client.update(resourcePath(resources.csrs, "", name, "status"), updated);
    }
  };
  void (async () => {
    while (!stopped) {
      await tick().catch(() => {});
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    seen,
    stop: () => {
      stopped = true;
    },
  };
}
