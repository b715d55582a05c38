/**
 * DefaultIngressClass (upstream `plugin/pkg/admission/network/defaultingressclass`): a new
 * Ingress that names no class (no `spec.ingressClassName` and no `kubernetes.io/ingress.class`
 * annotation) gets the default IngressClass, the one annotated
 * `ingressclass.kubernetes.io/is-default-class: "true"`. With several defaults the newest wins,
 * then the first name (as upstream since 1.26, and as DefaultStorageClass). Bosun's built-in
 * controller installs `bosun` as the default, so class-less Ingresses are stamped with it.
 *
 * Reads networking.k8s.io ingressclasses from the `AdmissionReader`.
 */
import type { Ingress, IngressClass } from "../../../api/generated/types.ts";
import type { AdmissionPlugin } from "../admission.ts";
import { isResource } from "./forbidden.ts";
import { type AdmissionReader, listAs } from "./reader.ts";

export const isDefaultIngressClassAnnotation = "ingressclass.kubernetes.io/is-default-class";
/** The deprecated class annotation; an Ingress carrying it has chosen its class. */
const ingressClassAnnotation = "kubernetes.io/ingress.class";

export interface DefaultIngressClassOptions {
  readonly reader: AdmissionReader;
}

/** `getDefaultClass`: the newest class annotated as default (ties: the smallest name), if any. */
export function defaultIngressClass(classes: readonly IngressClass[]): IngressClass | undefined {
  const created = (c: IngressClass) => Date.parse(c.metadata?.creationTimestamp ?? "") || 0;
  const name = (c: IngressClass) => c.metadata?.name ?? "";
  return classes
    .filter((c) => c.metadata?.annotations?.[isDefaultIngressClassAnnotation] === "true")
    .sort(
      (a, b) => created(b) - created(a) || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0),
    )[0];
}

export function defaultIngressClassAdmission(options: DefaultIngressClassOptions): AdmissionPlugin {
  return {
    name: "DefaultIngressClass",
    async admit(attrs) {
      if (attrs.operation !== "CREATE" || attrs.subresource !== "") return;
      if (!isResource(attrs, "networking.k8s.io", "ingresses") || attrs.object === undefined) {
        return;
      }
      const ingress = attrs.object as Ingress;
      if (ingress.spec?.ingressClassName != null) return;
      if (ingress.metadata?.annotations?.[ingressClassAnnotation] !== undefined) return;
      const classes = listAs<IngressClass>(
        options.reader,
        "networking.k8s.io",
        "ingressclasses",
        "",
      );
      const def = defaultIngressClass(classes);
      if (def?.metadata?.name === undefined) return;
      ingress.spec = { ...ingress.spec, ingressClassName: def.metadata.name };
    },
  };
}
