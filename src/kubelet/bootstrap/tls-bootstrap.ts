/**
 * Getting a node client certificate through the certificates API (upstream
 * `client-go/util/certificate/csr` and the kubelet's TLS bootstrap): a new ECDSA P-256 key, a
 * PKCS#10 request for CN `system:node:<name>`, O `system:nodes`, a
 * CertificateSigningRequest for `kubernetes.io/kube-apiserver-client-kubelet`, then a watch until
 * it is issued (or denied, or failed). Used with a bootstrap token to join and with the node's
 * current certificate to renew.
 */
import { createPublicKey, X509Certificate } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { CertificateSigningRequest } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { createCSR } from "../../pki/csr.ts";
import { generatePrivateKey, privateKeyToPEM } from "../../pki/keys.ts";

type CSR = CertificateSigningRequest & KubeObject;

export const kubeletClientSignerName = "kubernetes.io/kube-apiserver-client-kubelet";
/** What the kubelet asks for with a non-RSA key. */
export const kubeletClientUsages = ["digital signature", "client auth"];

export interface NodeCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface RequestOptions {
  readonly client: RestClient;
  readonly nodeName: string;
  /** Prefix of the generated CSR name: `node-csr-` to join, `csr-` to renew (as upstream). */
  readonly generateName?: string;
  readonly expirationSeconds?: number;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Told once the request exists and the wait starts (progress for long waits). */
  readonly onWaiting?: (csrName: string) => void;
}

/** Why no certificate came: denied, failed, or not issued in time. */
export class CertificateRequestError extends Error {
  override readonly name = "CertificateRequestError";
}

/** `RequestCertificate` + `WaitForCertificate` for a node client certificate. */
export async function requestNodeCertificate(o: RequestOptions): Promise<NodeCertificate> {
  const privateKey = generatePrivateKey("ecdsa-p256");
  const pem = createCSR({
    privateKey,
    commonName: `system:node:${o.nodeName}`,
    organizations: ["system:nodes"],
  });
  const request = Buffer.from(pem).toString("base64");
  const body = {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { generateName: o.generateName ?? "csr-" },
    spec: {
      request,
      signerName: kubeletClientSignerName,
      usages: kubeletClientUsages,
      ...(o.expirationSeconds ? { expirationSeconds: o.expirationSeconds } : {}),
    },
  };
  const csr = await o.client.create<CSR>(resourcePath(resources.csrs), body);
  const name = csr.metadata?.name ?? "";
  o.onWaiting?.(name);
  const certPem = await waitForCertificate(o.client, csr, o.timeoutMs ?? 300_000, o.signal);
  const cert = new X509Certificate(certPem);
  if (!cert.publicKey.equals(createPublicKey(privateKey))) {
    throw new CertificateRequestError(
      `the certificate issued for csr "${name}" is not for our key`,
    );
  }
  return { certPem, keyPem: privateKeyToPEM(privateKey) };
}

/** The issued certificate (PEM), or a CertificateRequestError for denied/failed requests. */
function outcome(csr: CSR): string | undefined {
  for (const c of csr.status?.conditions ?? []) {
    if (c.status === "False") continue;
    if (c.type === "Denied") {
      throw new CertificateRequestError(
        `certificate signing request is denied, reason: ${c.reason ?? ""}, message: ${c.message ?? ""}`,
      );
    }
    if (c.type === "Failed") {
      throw new CertificateRequestError(
        `certificate signing request failed, reason: ${c.reason ?? ""}, message: ${c.message ?? ""}`,
      );
    }
  }
  const cert = csr.status?.certificate;
  return cert ? Buffer.from(cert, "base64").toString("utf8") : undefined;
}

/** `WaitForCertificate`: watches the CSR until it is issued, denied or failed, or time is up. */
export async function waitForCertificate(
  client: RestClient,
  initial: CSR,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string> {
  const name = initial.metadata?.name ?? "";
  const stop = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])]);
  let csr = initial;
  while (!stop.aborted) {
    const done = outcome(csr);
    if (done) return done;
    try {
      const events = client.watch<CSR>(
        resourcePath(resources.csrs),
        { fieldSelector: `metadata.name=${name}`, resourceVersion: csr.metadata?.resourceVersion },
        stop,
      );
      for await (const ev of events) {
        if (ev.type === "DELETED") {
          throw new CertificateRequestError(`certificate signing request "${name}" was deleted`);
        }
        if (ev.type === "ADDED" || ev.type === "MODIFIED") {
          const issued = outcome(ev.object);
          if (issued) return issued;
          csr = ev.object;
        }
      }
    } catch (err) {
      if (err instanceof CertificateRequestError) throw err;
      if (stop.aborted) break;
      // 410 Gone or a broken stream: look again after a pause, then watch on from there.
      await sleep(1000, undefined, { signal: stop }).catch(() => {});
    }
    if (stop.aborted) break;
    csr = await client.get<CSR>(resourcePath(resources.csrs, "", name));
  }
  if (signal?.aborted) throw new CertificateRequestError("stopped while waiting for a certificate");
  throw new CertificateRequestError(
    `timed out waiting for the certificate signing request "${name}" to be approved and issued`,
  );
}
