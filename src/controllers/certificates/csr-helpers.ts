/**
 * What the certificate controllers read from a CertificateSigningRequest (upstream
 * `pkg/controller/certificates/certificate_controller_utils.go` and
 * `pkg/apis/certificates/helpers.go`): approval conditions, the built-in signer names, and the
 * checks that a request is a kubelet client, kubelet serving or API-server client request.
 * Checks return upstream's error message, or undefined when the request passes.
 */
import type { CertificateSigningRequest } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { type CertificateRequest, parseCSR } from "../../pki/csr.ts";

export type CSR = CertificateSigningRequest & KubeObject;

export const kubeAPIServerClientSignerName = "kubernetes.io/kube-apiserver-client";
export const kubeAPIServerClientKubeletSignerName = "kubernetes.io/kube-apiserver-client-kubelet";
export const kubeletServingSignerName = "kubernetes.io/kubelet-serving";

export function hasTrueCondition(csr: CSR, type: string): boolean {
  return (csr.status?.conditions ?? []).some((c) => c.type === type && c.status !== "False");
}

/** `GetCertApprovalCondition`. */
export function approvalCondition(csr: CSR): { approved: boolean; denied: boolean } {
  return { approved: hasTrueCondition(csr, "Approved"), denied: hasTrueCondition(csr, "Denied") };
}

/** `IsCertificateRequestApproved`: approved and not denied. */
export function isApproved(csr: CSR): boolean {
  const { approved, denied } = approvalCondition(csr);
  return approved && !denied;
}

/** The PKCS#10 request of a CSR, parsed and its self-signature verified (throws CSRError). */
export function parseRequest(csr: CSR): CertificateRequest {
  return parseCSR(Buffer.from(csr.spec?.request ?? "", "base64").toString("utf8"));
}

const sameSet = (a: ReadonlySet<string>, b: readonly string[]) =>
  a.size === b.length && b.every((x) => a.has(x));

const kubeletClientUsages = ["digital signature", "key encipherment", "client auth"];
const kubeletClientUsagesNoRSA = ["digital signature", "client auth"];
const kubeletServingUsages = ["digital signature", "key encipherment", "server auth"];
const kubeletServingUsagesNoRSA = ["digital signature", "server auth"];
const sorted = (l: readonly string[]) => `[${[...l].sort().join(" ")}]`;

const isSystemNodes = (req: CertificateRequest) =>
  req.subject.organizations.length === 1 && req.subject.organizations[0] === "system:nodes";

/** `ValidateKubeletClientCSR`. */
export function validateKubeletClientCSR(
  req: CertificateRequest,
  usages: ReadonlySet<string>,
): string | undefined {
  if (!isSystemNodes(req)) return "subject organization is not system:nodes";
  if (req.dnsNames.length > 0) return "DNS subjectAltNames are not allowed";
  if (req.emailAddresses.length > 0) return "Email subjectAltNames are not allowed";
  if (req.ipAddresses.length > 0) return "IP subjectAltNames are not allowed";
  if (req.uris.length > 0) return "URI subjectAltNames are not allowed";
  if (!req.subject.commonName.startsWith("system:node:")) {
    return "subject common name does not begin with system:node:";
  }
  if (!sameSet(usages, kubeletClientUsages) && !sameSet(usages, kubeletClientUsagesNoRSA)) {
    return `usages did not match ${sorted(kubeletClientUsages)}`;
  }
  return undefined;
}

/** `ValidateKubeletServingCSR`. */
export function validateKubeletServingCSR(
  req: CertificateRequest,
  usages: ReadonlySet<string>,
): string | undefined {
  if (!isSystemNodes(req)) return "subject organization is not system:nodes";
  if (req.dnsNames.length === 0 && req.ipAddresses.length === 0) {
    return "DNS or IP subjectAltName is required";
  }
  if (req.emailAddresses.length > 0) return "Email subjectAltNames are not allowed";
  if (req.uris.length > 0) return "URI subjectAltNames are not allowed";
  if (!sameSet(usages, kubeletServingUsages) && !sameSet(usages, kubeletServingUsagesNoRSA)) {
    return `usages did not match ${sorted(kubeletServingUsages)}`;
  }
  if (!req.subject.commonName.startsWith("system:node:")) {
    return "subject common name does not begin with system:node:";
  }
  return undefined;
}

/** `validAPIServerClientUsages`: client auth required; digital signature, key encipherment allowed. */
export function validateAPIServerClientUsages(usages: readonly string[]): string | undefined {
  let clientAuth = false;
  for (const u of usages) {
    if (u === "client auth") clientAuth = true;
    else if (u !== "digital signature" && u !== "key encipherment") {
      return `invalid usage for client certificate: ${u}`;
    }
  }
  return clientAuth ? undefined : "missing required usage for client certificate: client auth";
}
