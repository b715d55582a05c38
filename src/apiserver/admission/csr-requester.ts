/**
 * Records who asked for a certificate: on create, a CertificateSigningRequest's spec.username,
 * uid, groups and extra are set from the authenticated user (whatever the client sent), as
 * upstream's CSR strategy does.
 */
import type { AdmissionPlugin } from "./admission.ts";

export const certificateRequester: AdmissionPlugin = {
  name: "CertificateRequester",
  async admit(attrs) {
    const def = attrs.resource;
    if (attrs.operation !== "CREATE" || def.group !== "certificates.k8s.io") return;
    if (def.plural !== "certificatesigningrequests" || !attrs.object) return;
    const spec = (attrs.object.spec ?? {}) as Record<string, unknown>;
    const { user } = attrs;
    attrs.object.spec = {
      ...spec,
      username: user.username,
      ...(user.uid ? { uid: user.uid } : {}),
      groups: [...user.groups],
      ...(user.extra ? { extra: user.extra } : {}),
    };
  },
};
