/**
 * Service cluster IPs and IP families: their consistency on every write
 * (`ValidateServiceClusterIPsRelatedFields`) and what an update may change
 * (`validateUpgradeDowngradeClusterIPs`, `validateUpgradeDowngradeIPFamilies`, the
 * loadBalancerClass and healthCheckNodePort rules).
 */
import * as field from "../../../machinery/field-errors.ts";
import { newPath } from "../../../machinery/field-path.ts";
import { parseIPSloppy } from "../../../machinery/ip.ts";
import { isValidIP } from "../../../machinery/validation.ts";
import type { Service } from "../../generated/types.ts";
import type { FieldErrors, Obj } from "./common.ts";
import { needsHealthCheck } from "./service-prepare.ts";

type ServiceObj = Obj<Service>;

const clusterIPsPath = newPath("spec", "clusterIPs");
const ipFamiliesPath = newPath("spec", "ipFamilies");
const policyPath = newPath("spec", "ipFamilyPolicy");
const families = ["IPv4", "IPv6"];
const policies = ["PreferDualStack", "RequireDualStack", "SingleStack"];

const isHeadless = (svc: ServiceObj) =>
  svc.spec?.clusterIPs?.length === 1 && svc.spec.clusterIPs[0] === "None";

/** True for an IPv6 address (an IPv4-mapped one counts as IPv4, as Go's `To4`). */
function isIPv6(ip: string): boolean {
  const bytes = parseIPSloppy(ip);
  if (bytes === null || bytes.length === 4) return false;
  const mapped =
    bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return !mapped;
}

function validateClusterIPsShape(clusterIP: string, clusterIPs: readonly string[]): FieldErrors {
  if (clusterIP !== "") {
    if (clusterIPs.length === 0) return [field.required(clusterIPsPath)];
    if (clusterIPs[0] !== clusterIP) {
      return [field.invalid(clusterIPsPath, clusterIPs, "first value must match `clusterIP`")];
    }
  } else if (clusterIPs.length !== 0) {
    return [
      field.invalid(clusterIPsPath, clusterIPs, "must be empty when `clusterIP` is not specified"),
    ];
  }
  return [];
}

/** `ValidateServiceClusterIPsRelatedFields` (ExternalName services are checked elsewhere). */
export function validateClusterIPsRelatedFields(svc: ServiceObj): FieldErrors {
  const s = svc.spec ?? {};
  if (s.type === "ExternalName") return [];
  const clusterIPs = s.clusterIPs ?? [];
  const errs = validateClusterIPsShape(s.clusterIP ?? "", clusterIPs);
  const seen = new Set<string>();
  (s.ipFamilies ?? []).forEach((family, i) => {
    if (!families.includes(family)) {
      errs.push(field.notSupported(ipFamiliesPath.index(i), family, families));
    }
    if (seen.has(family)) errs.push(field.duplicate(ipFamiliesPath.index(i), family));
    seen.add(family);
  });
  if (s.ipFamilyPolicy !== undefined && !policies.includes(s.ipFamilyPolicy)) {
    errs.push(field.notSupported(policyPath, s.ipFamilyPolicy, policies));
  }
  let invalidIPs = false;
  clusterIPs.forEach((ip, i) => {
    if (i === 0 && ip === "None") {
      if (clusterIPs.length > 1) {
        invalidIPs = true;
        errs.push(
          field.invalid(clusterIPsPath, clusterIPs, "'None' must be the first and only value"),
        );
      }
      return;
    }
    const ipErrs = isValidIP(clusterIPsPath.index(i), ip);
    invalidIPs ||= ipErrs.length > 0;
    errs.push(...ipErrs);
  });
  if (clusterIPs.length > 2) {
    errs.push(field.invalid(clusterIPsPath, clusterIPs, "may only hold up to 2 values"));
  }
  if (invalidIPs) return errs;
  if (clusterIPs.length > 1 && new Set(clusterIPs.map(isIPv6)).size !== 2) {
    errs.push(
      field.invalid(
        clusterIPsPath,
        clusterIPs,
        "may specify no more than one IP for each IP family",
      ),
    );
  }
  if (!isHeadless(svc) && clusterIPs.length > 0) {
    const ipFamilies = s.ipFamilies ?? [];
    clusterIPs.slice(0, ipFamilies.length).forEach((ip, i) => {
      const want = ipFamilies[i];
      if (want === "IPv4" && isIPv6(ip)) {
        const msg = `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``;
        errs.push(field.invalid(clusterIPsPath.index(i), ip, msg));
      }
      if (want === "IPv6" && !isIPv6(ip)) {
        const msg = `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``;
        errs.push(field.invalid(clusterIPsPath.index(i), ip, msg));
      }
    });
  }
  return errs;
}

const changedMsg = "may not change once set";

function validateClusterIPsUpdate(svc: ServiceObj, old: ServiceObj): FieldErrors {
  if (svc.spec?.type === "ExternalName" || old.spec?.type === "ExternalName") return [];
  if (isHeadless(svc) && isHeadless(old)) return [];
  const now = svc.spec?.clusterIPs ?? [];
  const before = old.spec?.clusterIPs ?? [];
  const errs: FieldErrors = [];
  if (before.length === now.length) {
    before.forEach((ip, i) => {
      if (ip !== now[i]) errs.push(field.invalid(clusterIPsPath.index(i), now, changedMsg));
    });
  } else if (before.length > now.length) {
    if (now.length === 0) {
      errs.push(field.invalid(clusterIPsPath.index(0), now, "primary clusterIP can not be unset"));
    }
    if (before.length > 0 && now.length > 0 && now[0] !== before[0]) {
      errs.push(field.invalid(clusterIPsPath.index(0), now, changedMsg));
    }
    if (now.length === 1 && svc.spec?.ipFamilyPolicy !== "SingleStack") {
      const msg = "must be set to 'SingleStack' when releasing the secondary clusterIP";
      errs.push(field.invalid(policyPath, svc.spec?.ipFamilyPolicy ?? null, msg));
    }
  } else if (before.length > 0 && now[0] !== before[0]) {
    errs.push(field.invalid(clusterIPsPath.index(0), now, changedMsg));
  }
  return errs;
}

function validateIPFamiliesUpdate(svc: ServiceObj, old: ServiceObj): FieldErrors {
  if (svc.spec?.type === "ExternalName" || old.spec?.type === "ExternalName") return [];
  if (isHeadless(svc) || isHeadless(old)) return [];
  const now = svc.spec?.ipFamilies ?? [];
  const before = old.spec?.ipFamilies ?? [];
  const clusterIPs = svc.spec?.clusterIPs ?? [];
  const errs: FieldErrors = [];
  const first = ipFamiliesPath.index(0);
  if (before.length === now.length) {
    before.forEach((family, i) => {
      if (family !== now[i]) errs.push(field.invalid(first, now, changedMsg));
    });
  } else if (before.length > now.length) {
    if (clusterIPs.length === 0) {
      errs.push(field.invalid(first, now, "primary ipFamily can not be unset"));
    }
    if (now.length > 0 && now[0] !== before[0])
      errs.push(field.invalid(first, clusterIPs, changedMsg));
    if (now.length === 1 && svc.spec?.ipFamilyPolicy !== "SingleStack") {
      const msg = "must be set to 'SingleStack' when releasing the secondary ipFamily";
      errs.push(field.invalid(policyPath, svc.spec?.ipFamilyPolicy ?? null, msg));
    }
  } else if (before.length > 0 && now.length > 0 && now[0] !== before[0]) {
    errs.push(field.invalid(first, clusterIPs, changedMsg));
  }
  return errs;
}

/** The rules `ValidateServiceUpdate` adds to `ValidateService`. */
export function validateServiceUpdateRules(svc: ServiceObj, old: ServiceObj): FieldErrors {
  const errs = [...validateClusterIPsUpdate(svc, old), ...validateIPFamiliesUpdate(svc, old)];
  const bothLB = svc.spec?.type === "LoadBalancer" && old.spec?.type === "LoadBalancer";
  if (bothLB && svc.spec?.loadBalancerClass !== old.spec?.loadBalancerClass) {
    const value = svc.spec?.loadBalancerClass ?? null;
    errs.push(field.invalid(newPath("spec", "loadBalancerClass"), value, changedMsg));
  }
  const hcChanged = (svc.spec?.healthCheckNodePort ?? 0) !== (old.spec?.healthCheckNodePort ?? 0);
  if (needsHealthCheck(old) && needsHealthCheck(svc) && hcChanged) {
    errs.push(field.forbidden(newPath("spec", "healthCheckNodePort"), "field is immutable"));
  }
  return errs;
}
