/**
 * The CSR approving controller (upstream `pkg/controller/certificates/approver/sarapprove.go`):
 * approves a `kubernetes.io/kube-apiserver-client-kubelet` request that is a kubelet client
 * request (O `system:nodes`, CN `system:node:<name>`, no SANs, the kubelet's usages) when a
 * SubjectAccessReview says its requester may create `certificatesigningrequests/selfnodeclient`
 * (a node renewing its own certificate: requester = CN) or `.../nodeclient` (a new node, e.g. a
 * bootstrap token). Anything else stays pending for a person or another approver; a recognized
 * request whose review is denied is retried with back-off, since permissions may change.
 */
import type { SubjectAccessReview } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { formatTime } from "../../machinery/time.ts";
import type { CertificateRequest } from "../../pki/csr.ts";
import type { ControllerContext, ControllerFactory } from "../context.ts";
import { CertificateController } from "./certificate-controller.ts";
import {
  approvalCondition,
  type CSR,
  kubeAPIServerClientKubeletSignerName,
  parseRequest,
  validateKubeletClientCSR,
} from "./csr-helpers.ts";

interface Recognizer {
  readonly recognize: (csr: CSR, req: CertificateRequest) => boolean;
  readonly subresource: "selfnodeclient" | "nodeclient";
  readonly successMessage: string;
}

const isNodeClientCert = (csr: CSR, req: CertificateRequest) =>
  csr.spec?.signerName === kubeAPIServerClientKubeletSignerName &&
  validateKubeletClientCSR(req, new Set(csr.spec?.usages ?? [])) === undefined;

const recognizers: readonly Recognizer[] = [
  {
    recognize: (csr, req) =>
      csr.spec?.username === req.subject.commonName && isNodeClientCert(csr, req),
    subresource: "selfnodeclient",
    successMessage: "Auto approving self kubelet client certificate after SubjectAccessReview.",
  },
  {
    recognize: isNodeClientCert,
    subresource: "nodeclient",
    successMessage: "Auto approving kubelet client certificate after SubjectAccessReview.",
  },
];

/** Why a recognized request was not approved; thrown so the request is retried with back-off. */
export class NotAuthorizedError extends Error {
  override readonly name = "NotAuthorizedError";
}

export function createCSRApprovingController(ctx: ControllerContext): CertificateController {
  const authorize = async (csr: CSR, subresource: string): Promise<boolean> => {
    const review = await ctx.client.create<SubjectAccessReview>(
      "/apis/authorization.k8s.io/v1/subjectaccessreviews",
      {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: {
          user: csr.spec?.username,
          ...(csr.spec?.uid ? { uid: csr.spec.uid } : {}),
          groups: csr.spec?.groups ?? [],
          ...(csr.spec?.extra ? { extra: csr.spec.extra } : {}),
          resourceAttributes: {
            group: "certificates.k8s.io",
            resource: "certificatesigningrequests",
            verb: "create",
            subresource,
          },
        },
      },
    );
    return review.status?.allowed === true;
  };

  const handle = async (csr: CSR): Promise<void> => {
    const { approved, denied } = approvalCondition(csr);
    if (approved || denied) return;
    const name = csr.metadata?.name ?? "";
    // Unparsable requests are refused by validation; nothing to recognize in one.
    const req = parseRequest(csr);
    const tried: string[] = [];
    for (const r of recognizers) {
      if (!r.recognize(csr, req)) continue;
      tried.push(r.subresource);
      if (!(await authorize(csr, r.subresource))) continue;
      const now = formatTime(ctx.clock.now());
      csr.status = {
        ...csr.status,
        conditions: [
          ...(csr.status?.conditions ?? []),
          {
            type: "Approved",
            status: "True",
            reason: "AutoApproved",
            message: r.successMessage,
            lastUpdateTime: now,
            lastTransitionTime: now,
          },
        ],
      };
      await ctx.client.update(resourcePath(resources.csrs, "", name, "approval"), csr);
      ctx.log.info("approved certificate signing request", { csr: name, as: r.subresource });
      return;
    }
    if (tried.length > 0) {
      throw new NotAuthorizedError(
        `recognized csr "${name}" as [${tried.join(" ")}] but subject access review was not approved`,
      );
    }
  };

  return new CertificateController(ctx, "certificatesigningrequest-approving-controller", handle);
}

export const csrApprovingControllerFactory: ControllerFactory = {
  name: "certificatesigningrequest-approving-controller",
  create: createCSRApprovingController,
};
