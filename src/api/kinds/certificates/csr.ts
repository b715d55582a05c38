/**
 * certificates.k8s.io/v1 CertificateSigningRequest: a request for a certificate that a signer
 * issues once the request is approved (`approval` subresource) — how nodes get their client
 * certificates when they join. The requester's identity is recorded by an admission plugin.
 */

import * as field from "../../../machinery/field-errors.ts";
import { newPath } from "../../../machinery/field-path.ts";
import { parseCSR } from "../../../pki/csr.ts";
import type { CertificateSigningRequest } from "../../generated/types.ts";
import type { KubeObject } from "../../object.ts";
import { age, column, humanDuration } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";

type CSR = CertificateSigningRequest & KubeObject;

const knownUsages = [
  "signing",
  "digital signature",
  "content commitment",
  "key encipherment",
  "key agreement",
  "data encipherment",
  "cert sign",
  "crl sign",
  "encipher only",
  "decipher only",
  "any",
  "server auth",
  "client auth",
  "code signing",
  "email protection",
  "s/mime",
  "ipsec end system",
  "ipsec tunnel",
  "ipsec user",
  "timestamping",
  "ocsp signing",
  "microsoft sgc",
  "netscape sgc",
];

function validate(csr: CSR): field.FieldError[] {
  const errs: field.FieldError[] = [];
  const spec = csr.spec;
  const path = newPath("spec");
  if (!spec?.request) errs.push(field.required(path.child("request"), ""));
  else {
    try {
      parseCSR(Buffer.from(spec.request, "base64").toString("utf8"));
    } catch (err) {
      errs.push(field.invalid(path.child("request"), spec.request, (err as Error).message));
    }
  }
  if (!spec?.signerName) errs.push(field.required(path.child("signerName"), ""));
  else if (!/^[a-z0-9.-]+\/[A-Za-z0-9._-]+$/.test(spec.signerName)) {
    errs.push(
      field.invalid(
        path.child("signerName"),
        spec.signerName,
        "must be a fully qualified domain and path of the form 'example.com/signer-name'",
      ),
    );
  }
  (spec?.usages ?? []).forEach((u, i) => {
    if (!knownUsages.includes(u))
      errs.push(field.notSupported(path.child("usages").index(i), u, knownUsages));
  });
  if (spec?.expirationSeconds !== undefined && spec.expirationSeconds < 600) {
    errs.push(
      field.invalid(
        path.child("expirationSeconds"),
        spec.expirationSeconds,
        "may not specify a duration less than 600 seconds (10 minutes)",
      ),
    );
  }
  return errs;
}

function condition(csr: CSR): string {
  const conds: string[] = (csr.status?.conditions ?? []).map((c) => c.type);
  const parts: string[] = conds.filter((c) => ["Approved", "Denied", "Failed"].includes(c));
  if (csr.status?.certificate) parts.push("Issued");
  return parts.length > 0 ? parts.join(",") : "Pending";
}

export const certificateSigningRequestResource: ResourceDefinition<CSR> = {
  group: "certificates.k8s.io",
  version: "v1",
  kind: "CertificateSigningRequest",
  plural: "certificatesigningrequests",
  singular: "certificatesigningrequest",
  shortNames: ["csr"],
  namespaced: false,
  subresources: ["status", "approval"],
  strategy: {
    nameValidation: "path",
    validate,
    validateUpdate: (csr, old) => {
      const errs = validate(csr);
      if (JSON.stringify(csr.spec) !== JSON.stringify(old.spec)) {
        errs.push(field.invalid(newPath("spec"), "", "field is immutable"));
      }
      return errs;
    },
    printer: {
      columns: [
        column("Name"),
        column("Age", { type: "date" }),
        column("SignerName"),
        column("Requestor"),
        column("RequestedDuration"),
        column("Condition"),
      ],
      row: (csr, now) => [
        csr.metadata?.name ?? "",
        age(csr.metadata?.creationTimestamp, now),
        csr.spec?.signerName ?? "",
        csr.spec?.username ?? "",
        csr.spec?.expirationSeconds ? humanDuration(csr.spec.expirationSeconds * 1000) : "<none>",
        condition(csr),
      ],
    },
  },
};
