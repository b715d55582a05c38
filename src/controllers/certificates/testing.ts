/** Helpers for the certificate controllers' tests: requests, clients for other identities. */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { resourcePath, resources } from "../../client/resources.ts";
import { RestClient } from "../../client/rest-client.ts";
import type { TestApi } from "../../client/testing/test-api.ts";
import { isStatusError } from "../../machinery/status.ts";
import { issueCertificate } from "../../pki/certificate.ts";
import { createCSR } from "../../pki/csr.ts";
import { generatePrivateKey } from "../../pki/keys.ts";
import type { CSR } from "./csr-helpers.ts";

export interface RequestOptions {
  readonly cn: string;
  readonly orgs?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
}

/** A base64 PEM PKCS#10 request for a new ECDSA key. */
export function requestFor(o: RequestOptions): string {
  const pem = createCSR({
    privateKey: generatePrivateKey(),
    commonName: o.cn,
    organizations: o.orgs ?? [],
    ...(o.dnsNames ? { dnsNames: o.dnsNames } : {}),
    ...(o.ipAddresses ? { ipAddresses: o.ipAddresses } : {}),
  });
  return Buffer.from(pem).toString("base64");
}

export interface NewCSR extends RequestOptions {
  readonly name: string;
  readonly signerName: string;
  readonly usages: readonly string[];
  readonly expirationSeconds?: number;
}

export function createCSRObject(client: RestClient, o: NewCSR): Promise<CSR> {
  return client.create<CSR>(resourcePath(resources.csrs), {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name: o.name },
    spec: {
      request: requestFor(o),
      signerName: o.signerName,
      usages: o.usages,
      ...(o.expirationSeconds ? { expirationSeconds: o.expirationSeconds } : {}),
    },
  });
}

export async function getCSR(client: RestClient, name: string): Promise<CSR | undefined> {
  try {
    return await client.get<CSR>(resourcePath(resources.csrs, "", name));
  } catch (err) {
    if (isStatusError(err, "NotFound")) return undefined;
    throw err;
  }
}

/** Approves as `kubectl certificate approve` does. */
export async function approve(client: RestClient, name: string): Promise<void> {
  const csr = (await getCSR(client, name)) as CSR;
  csr.status = {
    conditions: [
      { type: "Approved", status: "True", reason: "KubectlApprove", message: "approved in test" },
    ],
  };
  await client.update(resourcePath(resources.csrs, "", name, "approval"), csr);
}

/** A client authenticated by a certificate the cluster CA signs for `cn`/`orgs`. */
export function certClient(api: TestApi, cn: string, orgs: readonly string[]): RestClient {
  const pair = issueCertificate({
    ca: {
      certificate: new X509Certificate(api.caCertPem),
      privateKey: createPrivateKey(api.caKeyPem),
    },
    commonName: cn,
    organizations: orgs,
    usages: ["client"],
  });
  return new RestClient({ ...api.client.config, certPem: pair.certPem, keyPem: pair.keyPem });
}

export const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));
