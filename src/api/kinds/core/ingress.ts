/**
 * networking.k8s.io/v1 Ingress (upstream `pkg/registry/networking/ingress/strategy.go`,
 * `printIngress`). Spec changes bump metadata.generation; controllers report addresses through
 * the status subresource.
 */
import type { Ingress, IngressRule } from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import { ageColumn, ageOf, nameColumn, nameOf, type Obj } from "./common.ts";
import {
  validateIngressCreate,
  validateIngressStatus,
  validateIngressUpdate,
} from "./ingress-validation.ts";

type IngressObj = Obj<Ingress>;

/** `formatHosts`: up to three hosts, `*` when none is named. */
function formatHosts(rules: readonly IngressRule[]): string {
  const max = 3;
  const list: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (list.length === max) more = true;
    if (!more && (rule.host ?? "") !== "") list.push(rule.host ?? "");
  }
  if (list.length === 0) return "*";
  const text = list.join(",");
  return more ? `${text} + ${rules.length - max} more...` : text;
}

/** `ingressLoadBalancerStatusStringer` (wide: never truncated). */
function addresses(ingress: IngressObj): string {
  const set = new Set<string>();
  for (const ing of ingress.status?.loadBalancer?.ingress ?? []) {
    if (ing.ip) set.add(ing.ip);
    else if (ing.hostname) set.add(ing.hostname);
  }
  return [...set].sort().join(",");
}

export const ingressStrategy: Strategy<IngressObj> = {
  tracksGeneration: true,
  prepareForCreate(ingress) {
    ingress.status = { loadBalancer: {} };
  },
  validate: validateIngressCreate,
  validateUpdate: validateIngressUpdate,
  validateStatusUpdate: validateIngressStatus,
  printer: {
    columns: [
      nameColumn(),
      column("Class", {
        description:
          "The name of the IngressClass resource that should be used for additional configuration",
      }),
      column("Hosts", {
        description: "Hosts that incoming requests are matched against before the ingress rule",
      }),
      column("Address", {
        description: "Address is a list containing ingress points for the load-balancer",
      }),
      column("Ports", { description: "Ports of TLS configurations that open" }),
      ageColumn(),
    ],
    row: (ingress, now) => [
      nameOf(ingress),
      ingress.spec?.ingressClassName ?? "<none>",
      formatHosts(ingress.spec?.rules ?? []),
      addresses(ingress),
      (ingress.spec?.tls ?? []).length > 0 ? "80, 443" : "80",
      ageOf(ingress, now),
    ],
  },
};

export const ingressResource: ResourceDefinition<IngressObj> = {
  group: "networking.k8s.io",
  version: "v1",
  kind: "Ingress",
  plural: "ingresses",
  singular: "ingress",
  shortNames: ["ing"],
  namespaced: true,
  subresources: ["status"],
  strategy: ingressStrategy,
};
