/**
 * Service validation (upstream `ValidateService`, `ValidateServiceUpdate`,
 * `ValidateServiceStatusUpdate` in `pkg/apis/core/validation/validation.go`). Cluster IPs and node
 * ports may still be unallocated here: the registry's allocator fills them.
 */
import * as field from "../../../machinery/field-errors.ts";
import { newPath } from "../../../machinery/field-path.ts";
import { validateLabels } from "../../../machinery/object-meta.ts";
import {
  isDNS1123Subdomain,
  isQualifiedName,
  isValidCIDR,
  isValidIP,
  isValidPortNum,
} from "../../../machinery/validation.ts";
import type { Service } from "../../generated/types.ts";
import type { FieldErrors, Obj } from "./common.ts";
import { validateNonSpecialIP } from "./extra-validation.ts";
import { validateClusterIPsRelatedFields, validateServiceUpdateRules } from "./service-ips.ts";
import { validatePortConflicts, validatePortList } from "./service-ports.ts";
import { externallyAccessible, needsHealthCheck } from "./service-prepare.ts";

type ServiceObj = Obj<Service>;

const spec = newPath("spec");
const serviceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const maxClientIPAffinitySeconds = 86400;
const lbSourceRangesAnnotation = "service.beta.kubernetes.io/load-balancer-source-ranges";
const topologyHintsAnnotation = "service.kubernetes.io/topology-aware-hints";
const topologyModeAnnotation = "service.kubernetes.io/topology-mode";

export const isHeadless = (svc: ServiceObj): boolean =>
  svc.spec?.clusterIPs?.length === 1 && svc.spec.clusterIPs[0] === "None";

function validateTypeSpecific(svc: ServiceObj): FieldErrors {
  const s = svc.spec ?? {};
  const errs: FieldErrors = [];
  if ((s.ports ?? []).length === 0 && !isHeadless(svc) && s.type !== "ExternalName") {
    errs.push(field.required(spec.child("ports")));
  }
  if ((s.type === "LoadBalancer" || s.type === "NodePort") && isHeadless(svc)) {
    const msg = `may not be set to 'None' for ${s.type} services`;
    errs.push(field.invalid(spec.child("clusterIPs").index(0), "None", msg));
  }
  if (s.type === "ExternalName") {
    const msg = "may not be set for ExternalName services";
    if ((s.clusterIPs ?? []).length > 0) errs.push(field.forbidden(spec.child("clusterIPs"), msg));
    if ((s.ipFamilies ?? []).length > 0) errs.push(field.forbidden(spec.child("ipFamilies"), msg));
    if (s.ipFamilyPolicy !== undefined) {
      errs.push(field.forbidden(spec.child("ipFamilyPolicy"), msg));
    }
    const cname = (s.externalName ?? "").replace(/\.$/, "");
    if (cname === "") errs.push(field.required(spec.child("externalName")));
    for (const m of cname === "" ? [] : isDNS1123Subdomain(cname)) {
      errs.push(field.invalid(spec.child("externalName"), cname, m));
    }
  }
  return errs;
}

function validateType(svc: ServiceObj): FieldErrors {
  const type = svc.spec?.type ?? "";
  if (type === "") return [field.required(spec.child("type"))];
  return serviceTypes.includes(type)
    ? []
    : [field.notSupported(spec.child("type"), type, serviceTypes)];
}

function validateSessionAffinity(svc: ServiceObj): FieldErrors {
  const s = svc.spec ?? {};
  const path = spec.child("sessionAffinity");
  const affinity = s.sessionAffinity ?? "";
  if (affinity === "") return [field.required(path)];
  if (affinity === "None") {
    return s.sessionAffinityConfig === undefined
      ? []
      : [
          field.forbidden(
            spec.child("sessionAffinityConfig"),
            "must not be set when session affinity is None",
          ),
        ];
  }
  if (affinity !== "ClientIP") return [field.notSupported(path, affinity, ["ClientIP", "None"])];
  const configPath = spec.child("sessionAffinityConfig");
  const why = "when session affinity type is ClientIP";
  if (s.sessionAffinityConfig === undefined) return [field.required(configPath, why)];
  const clientIP = s.sessionAffinityConfig.clientIP;
  if (clientIP === undefined) return [field.required(configPath.child("clientIP"), why)];
  const timeoutPath = configPath.child("clientIP", "timeoutSeconds");
  const timeout = clientIP.timeoutSeconds;
  if (timeout === undefined) return [field.required(timeoutPath, why)];
  if (timeout <= 0 || timeout > maxClientIPAffinitySeconds) {
    const msg = `must be greater than 0 and less than ${maxClientIPAffinitySeconds}`;
    return [field.invalid(timeoutPath, timeout, msg)];
  }
  return [];
}

function validateSourceRanges(svc: ServiceObj): FieldErrors {
  const s = svc.spec ?? {};
  const errs: FieldErrors = [];
  const onlyLB = "may only be used when `type` is 'LoadBalancer'";
  const annotation = svc.metadata?.annotations?.[lbSourceRangesAnnotation];
  if ((s.loadBalancerSourceRanges ?? []).length > 0) {
    const path = spec.child("LoadBalancerSourceRanges");
    if (s.type !== "LoadBalancer") errs.push(field.forbidden(path, onlyLB));
    (s.loadBalancerSourceRanges ?? []).forEach((cidr, i) => {
      errs.push(...isValidCIDR(path.index(i), cidr.trim()));
    });
  } else if (annotation !== undefined) {
    const path = newPath("metadata", "annotations").key(lbSourceRangesAnnotation);
    if (s.type !== "LoadBalancer") errs.push(field.forbidden(path, onlyLB));
    const value = annotation.trim();
    for (const cidr of value === "" ? [] : value.split(",")) {
      errs.push(...isValidCIDR(path, cidr.trim()));
    }
  }
  if (s.allocateLoadBalancerNodePorts !== undefined && s.type !== "LoadBalancer") {
    errs.push(field.forbidden(spec.child("allocateLoadBalancerNodePorts"), onlyLB));
  }
  if (s.type === "LoadBalancer" && s.allocateLoadBalancerNodePorts === undefined) {
    errs.push(field.required(newPath("allocateLoadBalancerNodePorts")));
  }
  if (s.loadBalancerClass !== undefined) {
    const path = spec.child("loadBalancerClass");
    if (s.type !== "LoadBalancer") errs.push(field.forbidden(path, onlyLB));
    else {
      for (const msg of isQualifiedName(s.loadBalancerClass)) {
        errs.push(field.invalid(path, s.loadBalancerClass, msg));
      }
    }
  }
  return errs;
}

function validateTrafficPolicies(svc: ServiceObj): FieldErrors {
  const s = svc.spec ?? {};
  const errs: FieldErrors = [];
  const etp = s.externalTrafficPolicy ?? "";
  const etpPath = spec.child("externalTrafficPolicy");
  if (!externallyAccessible(svc)) {
    if (etp !== "") {
      errs.push(field.invalid(etpPath, etp, "may only be set for externally-accessible services"));
    }
  } else if (etp === "") errs.push(field.required(etpPath));
  else if (etp !== "Cluster" && etp !== "Local") {
    errs.push(field.notSupported(etpPath, etp, ["Cluster", "Local"]));
  }
  const hc = s.healthCheckNodePort ?? 0;
  const hcPath = spec.child("healthCheckNodePort");
  if (!needsHealthCheck(svc) && hc !== 0) {
    const msg =
      "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'";
    errs.push(field.invalid(hcPath, hc, msg));
  } else if (needsHealthCheck(svc) && hc !== 0) {
    for (const msg of isValidPortNum(hc)) errs.push(field.invalid(hcPath, hc, msg));
  }
  const itpPath = spec.child("internalTrafficPolicy");
  if (s.internalTrafficPolicy === undefined) {
    if (s.type === "NodePort" || s.type === "LoadBalancer" || s.type === "ClusterIP") {
      errs.push(field.required(itpPath));
    }
  } else if (s.internalTrafficPolicy !== "Cluster" && s.internalTrafficPolicy !== "Local") {
    errs.push(field.notSupported(itpPath, s.internalTrafficPolicy, ["Cluster", "Local"]));
  }
  const td = s.trafficDistribution;
  const tdValues = ["PreferClose", "PreferSameNode", "PreferSameZone"];
  if (td !== undefined && !tdValues.includes(td)) {
    errs.push(field.notSupported(spec.child("trafficDistribution"), td, tdValues));
  }
  return errs;
}

function validateExternalIPs(svc: ServiceObj): FieldErrors {
  const path = spec.child("externalIPs");
  return (svc.spec?.externalIPs ?? []).flatMap((ip, i) => {
    const errs = isValidIP(path.index(i), ip);
    return errs.length > 0 ? errs : validateNonSpecialIP(ip, path.index(i));
  });
}

/** `ValidateService` beyond object meta. */
export function validateService(svc: ServiceObj): FieldErrors {
  const errs: FieldErrors = [];
  const annotations = svc.metadata?.annotations ?? {};
  const hints = annotations[topologyHintsAnnotation];
  const mode = annotations[topologyModeAnnotation];
  if (hints !== undefined && mode !== undefined && hints !== mode) {
    errs.push(
      field.invalid(
        newPath("metadata", "annotations").key(topologyModeAnnotation),
        mode,
        `must match annotations[${topologyHintsAnnotation}] when both are specified`,
      ),
    );
  }
  errs.push(...validateTypeSpecific(svc));
  errs.push(...validatePortList(svc));
  if (svc.spec?.selector !== undefined) {
    errs.push(...validateLabels(svc.spec.selector, spec.child("selector")));
  }
  errs.push(...validateSessionAffinity(svc));
  errs.push(...validateClusterIPsRelatedFields(svc));
  errs.push(...validateExternalIPs(svc));
  errs.push(...validateType(svc));
  errs.push(...validatePortConflicts(svc));
  errs.push(...validateSourceRanges(svc));
  errs.push(...validateTrafficPolicies(svc));
  return errs;
}

/** `ValidateServiceUpdate`: the transition rules, then everything `validateService` checks. */
export function validateServiceUpdate(svc: ServiceObj, old: ServiceObj): FieldErrors {
  return [...validateServiceUpdateRules(svc, old), ...validateService(svc)];
}
