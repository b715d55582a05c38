/**
 * Service status validation (upstream `ValidateServiceStatusUpdate` → `ValidateLoadBalancerStatus`).
 */
import * as field from "../../../machinery/field-errors.ts";
import { newPath } from "../../../machinery/field-path.ts";
import { parseIPSloppy } from "../../../machinery/ip.ts";
import { isDNS1123Subdomain, isValidIP } from "../../../machinery/validation.ts";
import type { Service } from "../../generated/types.ts";
import type { FieldErrors, Obj } from "./common.ts";

/** `ValidateServiceStatusUpdate`: load-balancer ingress points are IPs or DNS names. */
export function validateServiceStatusUpdate(svc: Obj<Service>): FieldErrors {
  const path = newPath("status", "loadBalancer", "ingress");
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  if (svc.spec?.type !== "LoadBalancer" && ingress.length > 0) {
    return [field.forbidden(path, "may only be used when `spec.type` is 'LoadBalancer'")];
  }
  return ingress.flatMap((ing, i) => {
    const p = path.index(i);
    const errs: FieldErrors = [];
    const ip = ing.ip ?? "";
    if (ip !== "") errs.push(...isValidIP(p.child("ip"), ip));
    if (ing.ipMode !== undefined && ip === "") {
      errs.push(field.forbidden(p.child("ipMode"), "may not be specified when `ip` is not"));
    } else if (ing.ipMode !== undefined && ing.ipMode !== "Proxy" && ing.ipMode !== "VIP") {
      errs.push(field.notSupported(p.child("ipMode"), ing.ipMode, ["Proxy", "VIP"]));
    }
    const host = ing.hostname ?? "";
    if (host !== "") {
      for (const msg of isDNS1123Subdomain(host)) {
        errs.push(field.invalid(p.child("hostname"), host, msg));
      }
      if (parseIPSloppy(host) !== null) {
        errs.push(
          field.invalid(p.child("hostname"), host, "must be a DNS name, not an IP address"),
        );
      }
    }
    return errs;
  });
}
