/**
 * Who may approve and sign which certificates (upstream's CertificateApproval,
 * CertificateSigning and CertificateSubjectRestriction plugins):
 *
 * - approving or denying a CertificateSigningRequest (`/approval`) needs the `approve` verb on
 *   `signers` in certificates.k8s.io named after the request's signerName (or `<domain>/*`);
 * - writing a certificate into `/status` needs `sign` on the same;
 * - nobody may ask the kube-apiserver-client signer for a `system:masters` certificate.
 */
import type { CertificateSigningRequest } from "../../api/generated/types.ts";
import { parseCSR } from "../../pki/csr.ts";
import type { UserInfo } from "../authn/user.ts";
import { resourceAttributes } from "../authz/rbac/attributes.ts";
import type { AttributesAuthorizer } from "../authz/rbac/escalation.ts";
import type { AdmissionAttributes, AdmissionPlugin } from "./admission.ts";
import { admissionForbidden } from "./plugins/forbidden.ts";

const group = "certificates.k8s.io";
const mastersGroup = "system:masters";

function isCSR(attrs: AdmissionAttributes): boolean {
  return attrs.resource.group === group && attrs.resource.plural === "certificatesigningrequests";
}

/** `IsAuthorizedForSignerName`: the exact signer, or the domain wildcard. */
async function mayUseSigner(
  authorizer: AttributesAuthorizer,
  user: UserInfo,
  verb: string,
  signerName: string,
): Promise<boolean> {
  if (user.groups.includes(mastersGroup)) return true;
  const ask = (name: string) =>
    authorizer.authorizeAttributes(
      user,
      resourceAttributes({ verb, apiGroup: group, resource: "signers", name }),
    );
  if ((await ask(signerName)).allowed) return true;
  const domain = signerName.split("/")[0] ?? "";
  return (await ask(`${domain}/*`)).allowed;
}

export function csrSignerPermissions(authorizer: AttributesAuthorizer): AdmissionPlugin {
  return {
    name: "CertificateSigning",
    async validate(attrs) {
      if (!isCSR(attrs) || !attrs.object) return;
      const csr = attrs.object as unknown as CertificateSigningRequest;
      const signerName = csr.spec?.signerName ?? "";
      if (attrs.operation === "CREATE" && attrs.subresource === "") {
        if (signerName !== "kubernetes.io/kube-apiserver-client") return;
        let organizations: readonly string[] = [];
        try {
          const pem = Buffer.from(csr.spec?.request ?? "", "base64").toString("utf8");
          organizations = parseCSR(pem).subject.organizations;
        } catch {
          return; // Validation reports an unparsable request.
        }
        if (organizations.includes(mastersGroup)) {
          throw admissionForbidden(
            attrs,
            `use of ${signerName} signer with ${mastersGroup} group is not allowed`,
          );
        }
        return;
      }
      if (attrs.operation !== "UPDATE") return;
      if (attrs.subresource === "approval") {
        if (!(await mayUseSigner(authorizer, attrs.user, "approve", signerName))) {
          throw admissionForbidden(
            attrs,
            `user not permitted to approve requests with signerName "${signerName}"`,
          );
        }
      } else if (attrs.subresource === "status") {
        const old = attrs.oldObject as unknown as CertificateSigningRequest | undefined;
        if ((old?.status?.certificate ?? "") === (csr.status?.certificate ?? "")) return;
        if (!(await mayUseSigner(authorizer, attrs.user, "sign", signerName))) {
          throw admissionForbidden(
            attrs,
            `user not permitted to sign requests with signerName "${signerName}"`,
          );
        }
      }
    },
  };
}
