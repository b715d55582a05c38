/**
 * The CSR signing controller (upstream `pkg/controller/certificates/signer`): signs approved
 * requests for `kubernetes.io/kube-apiserver-client-kubelet`, `kubernetes.io/kube-apiserver-client`
 * and `kubernetes.io/kubelet-serving` with the cluster CA and writes `status.certificate`. The
 * lifetime is `spec.expirationSeconds` when given, capped at the cluster signing duration (one
 * year, upstream's default) and at least 10 minutes; certificates are backdated 5 minutes. A
 * request its signer's rules refuse gets a `Failed` condition (`SignerValidationFailure`).
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { resourcePath, resources } from "../../client/resources.ts";
import { formatTime } from "../../machinery/time.ts";
import { type CertificateUsage, signCertificate } from "../../pki/certificate.ts";
import type { CertificateRequest } from "../../pki/csr.ts";
import type { ControllerContext, ControllerFactory } from "../context.ts";
import { CertificateController } from "./certificate-controller.ts";
import {
  type CSR,
  hasTrueCondition,
  isApproved,
  kubeAPIServerClientKubeletSignerName,
  kubeAPIServerClientSignerName,
  kubeletServingSignerName,
  parseRequest,
  validateAPIServerClientUsages,
  validateKubeletClientCSR,
  validateKubeletServingCSR,
} from "./csr-helpers.ts";

/** Upstream's `--cluster-signing-duration` default: 8760h. */
export const defaultClusterSigningDurationMs = 365 * 24 * 3600_000;
const minDurationMs = 10 * 60_000;
const DAY_MS = 24 * 3600_000;

/** Each signer's rules: the error that makes a request Failed, or undefined. */
const signerChecks: Readonly<
  Record<string, (req: CertificateRequest, usages: readonly string[]) => string | undefined>
> = {
  [kubeAPIServerClientKubeletSignerName]: (req, u) => validateKubeletClientCSR(req, new Set(u)),
  [kubeletServingSignerName]: (req, u) => validateKubeletServingCSR(req, new Set(u)),
  [kubeAPIServerClientSignerName]: (_req, u) => validateAPIServerClientUsages(u),
};

/** `signer.duration`: the requested lifetime within [10 minutes, the signing duration]. */
export function certificateDurationMs(
  expirationSeconds: number | undefined,
  maxMs = defaultClusterSigningDurationMs,
): number {
  if (expirationSeconds === undefined) return maxMs;
  return Math.min(maxMs, Math.max(minDurationMs, expirationSeconds * 1000));
}

const usagesOf = (usages: readonly string[]): CertificateUsage[] => [
  ...(usages.includes("server auth") ? (["server"] as const) : []),
  ...(usages.includes("client auth") ? (["client"] as const) : []),
];

export function createCSRSigningController(
  ctx: ControllerContext,
  maxDurationMs = defaultClusterSigningDurationMs,
): CertificateController {
  const ca = {
    certificate: new X509Certificate(ctx.settings.caCertPem),
    privateKey: createPrivateKey(ctx.settings.caKeyPem),
  };
  const nowISO = () => formatTime(ctx.clock.now());
  const statusPath = (csr: CSR) =>
    resourcePath(resources.csrs, "", csr.metadata?.name ?? "", "status");

  const fail = async (csr: CSR, message: string) => {
    const now = nowISO();
    csr.status = {
      ...csr.status,
      conditions: [
        ...(csr.status?.conditions ?? []),
        {
          type: "Failed",
          status: "True",
          reason: "SignerValidationFailure",
          message,
          lastUpdateTime: now,
          lastTransitionTime: now,
        },
      ],
    };
    await ctx.client.update(statusPath(csr), csr);
    ctx.log.info("certificate signing request failed", { csr: csr.metadata?.name, message });
  };

  const handle = async (csr: CSR): Promise<void> => {
    if (!isApproved(csr) || hasTrueCondition(csr, "Failed")) return;
    const check = signerChecks[csr.spec?.signerName ?? ""];
    if (!check) return;
    let req: CertificateRequest;
    try {
      req = parseRequest(csr);
    } catch (err) {
      await fail(csr, `unable to parse csr "${csr.metadata?.name}": ${(err as Error).message}`);
      return;
    }
    const usages = csr.spec?.usages ?? [];
    const problem = check(req, usages);
    if (problem !== undefined) {
      await fail(csr, problem);
      return;
    }
    const durationMs = certificateDurationMs(csr.spec?.expirationSeconds, maxDurationMs);
    const { certPem } = signCertificate({
      ca,
      publicKey: req.publicKey,
      commonName: req.subject.commonName,
      organizations: req.subject.organizations,
      organizationalUnits: req.subject.organizationalUnits,
      dnsNames: req.dnsNames,
      ipAddresses: req.ipAddresses,
      emailAddresses: req.emailAddresses,
      uris: req.uris,
      usages: usagesOf(usages),
      validityDays: durationMs / DAY_MS,
      now: new Date(ctx.clock.now()),
    });
    csr.status = { ...csr.status, certificate: Buffer.from(certPem).toString("base64") };
    await ctx.client.update(statusPath(csr), csr);
    ctx.log.info("signed certificate", {
      csr: csr.metadata?.name,
      signer: csr.spec?.signerName,
      subject: req.subject.commonName,
      seconds: durationMs / 1000,
    });
  };

  return new CertificateController(ctx, "certificatesigningrequest-signing-controller", handle);
}

export const csrSigningControllerFactory: ControllerFactory = {
  name: "certificatesigningrequest-signing-controller",
  create: (ctx) => createCSRSigningController(ctx),
};
