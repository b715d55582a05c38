/**
 * Which Ingresses the built-in controller serves: those of IngressClass `bosun` (by
 * `spec.ingressClassName` or the legacy `kubernetes.io/ingress.class` annotation), and those with
 * no class at all while `bosun` is the default class (the DefaultIngressClass admission plugin
 * would have set it at creation).
 */
import type { Ingress, IngressClass } from "../api/generated/types.ts";

export const ingressClassName = "bosun";
/** `spec.controller` of IngressClass `bosun`. */
export const ingressControllerName = "bosun.dev/ingress";
export const defaultClassAnnotation = "ingressclass.kubernetes.io/is-default-class";
const legacyClassAnnotation = "kubernetes.io/ingress.class";

/** The node label through which a node offers the ingress ports. */
export const ingressNodeLabel = "bosun.dev/ingress";

/** The names of classes whose controller is Bosun's, and whether one of them is the default. */
export function ourClasses(classes: readonly IngressClass[]): {
  names: Set<string>;
  isDefault: boolean;
} {
  const names = new Set<string>();
  let isDefault = false;
  for (const c of classes) {
    if (c.spec?.controller !== ingressControllerName || !c.metadata?.name) continue;
    names.add(c.metadata.name);
    if (c.metadata.annotations?.[defaultClassAnnotation] === "true") isDefault = true;
  }
  return { names, isDefault };
}

export function isOurIngress(
  ing: Ingress,
  classes: { names: Set<string>; isDefault: boolean },
): boolean {
  const name = ing.spec?.ingressClassName ?? ing.metadata?.annotations?.[legacyClassAnnotation];
  if (name === undefined || name === "") return classes.isDefault;
  return classes.names.has(name);
}
