/**
 * Ingress validation (upstream `pkg/apis/networking/validation`: `ValidateIngressCreate`,
 * `ValidateIngressUpdate`, `ValidateIngressSpec`, `ValidateIngressLoadBalancerStatus`).
 */
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { parseIPSloppy } from "../../../machinery/ip.ts";
import {
  isDNS1123Subdomain,
  isValidIP,
  isValidPortName,
  isValidPortNum,
  nameIsDNS1035Label,
  nameIsDNSSubdomain,
  validatePathSegmentName,
} from "../../../machinery/validation.ts";
import type {
  HTTPIngressPath,
  Ingress,
  IngressBackend,
  IngressRule,
  TypedLocalObjectReference,
} from "../../generated/types.ts";
import { type FieldErrors, invalidEach, type Obj } from "./common.ts";
import { isWildcardDNS1123Subdomain } from "./extra-validation.ts";

type IngressObj = Obj<Ingress>;

interface Options {
  readonly allowInvalidSecretName: boolean;
  readonly allowInvalidWildcardHostRule: boolean;
}

const pathTypes = ["Exact", "ImplementationSpecific", "Prefix"];
const invalidPathSequences = ["//", "/./", "/../", "%2f", "%2F"];
const invalidPathSuffixes = ["/..", "/."];

/** The ref of a resource backend: optional apiGroup, kind and name as path segments. */
export function validateTypedLocalObjectReference(ref: TypedLocalObjectReference, path: FieldPath) {
  const errs: FieldErrors = [];
  if (ref.apiGroup !== undefined) {
    errs.push(
      ...invalidEach(path.child("apiGroup"), ref.apiGroup, isDNS1123Subdomain(ref.apiGroup)),
    );
  }
  for (const key of ["kind", "name"] as const) {
    const value = ref[key] ?? "";
    if (value === "") errs.push(field.required(path.child(key)));
    else errs.push(...invalidEach(path.child(key), value, validatePathSegmentName(value, false)));
  }
  return errs;
}

function validateBackend(backend: IngressBackend, path: FieldPath): FieldErrors {
  const { resource, service } = backend;
  if (resource && service)
    return [field.invalid(path, "", "cannot set both resource and service backends")];
  if (resource) return validateTypedLocalObjectReference(resource, path.child("resource"));
  if (!service) return [field.invalid(path, "", "resource or service backend is required")];
  const errs: FieldErrors = [];
  const namePath = path.child("service", "name");
  if ((service.name ?? "") === "") errs.push(field.required(namePath));
  else errs.push(...invalidEach(namePath, service.name, nameIsDNS1035Label(service.name, false)));
  const portName = service.port?.name ?? "";
  const portNumber = service.port?.number ?? 0;
  const portPath = path.child("service", "port");
  if (portName !== "" && portNumber !== 0) {
    errs.push(field.invalid(path, "", "cannot set both port name & port number"));
  } else if (portName !== "") {
    errs.push(...invalidEach(portPath.child("name"), portName, isValidPortName(portName)));
  } else if (portNumber !== 0) {
    errs.push(...invalidEach(portPath.child("number"), portNumber, isValidPortNum(portNumber)));
  } else errs.push(field.required(path, "port name or number is required"));
  return errs;
}

function validatePath(p: HTTPIngressPath, path: FieldPath): FieldErrors {
  if (p.pathType === undefined)
    return [field.required(path.child("pathType"), "pathType must be specified")];
  const errs: FieldErrors = [];
  const value = p.path ?? "";
  const valuePath = path.child("path");
  if (p.pathType === "Exact" || p.pathType === "Prefix") {
    if (!value.startsWith("/"))
      errs.push(field.invalid(valuePath, value, "must be an absolute path"));
    for (const seq of value === "" ? [] : invalidPathSequences) {
      if (value.includes(seq))
        errs.push(field.invalid(valuePath, value, `must not contain '${seq}'`));
    }
    for (const suffix of value === "" ? [] : invalidPathSuffixes) {
      if (value.endsWith(suffix))
        errs.push(field.invalid(valuePath, value, `cannot end with '${suffix}'`));
    }
  } else if (p.pathType === "ImplementationSpecific") {
    if (value !== "" && !value.startsWith("/")) {
      errs.push(field.invalid(valuePath, value, "must be an absolute path"));
    }
  } else errs.push(field.notSupported(path.child("pathType"), p.pathType, pathTypes));
  errs.push(...validateBackend(p.backend ?? {}, path.child("backend")));
  return errs;
}

function validateRuleValue(rule: IngressRule, path: FieldPath): FieldErrors {
  if (rule.http === undefined) return [];
  const paths = rule.http.paths ?? [];
  const errs = paths.length === 0 ? [field.required(path.child("http", "paths"))] : [];
  paths.forEach((p, i) => {
    errs.push(...validatePath(p, path.child("http", "paths").index(i)));
  });
  return errs;
}

function validateRules(rules: readonly IngressRule[], path: FieldPath, opts: Options): FieldErrors {
  const errs: FieldErrors = [];
  rules.forEach((rule, i) => {
    const host = rule.host ?? "";
    const hostPath = path.index(i).child("host");
    const wildcard = host.includes("*");
    if (host !== "") {
      if (parseIPSloppy(host) !== null) {
        errs.push(field.invalid(hostPath, host, "must be a DNS name, not an IP address"));
      }
      const msgs = wildcard ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      errs.push(...invalidEach(hostPath, host, msgs));
    }
    if (!wildcard || !opts.allowInvalidWildcardHostRule) {
      errs.push(...validateRuleValue(rule, path.index(i)));
    }
  });
  return errs;
}

function validateTLS(ingress: IngressObj, path: FieldPath, opts: Options): FieldErrors {
  const errs: FieldErrors = [];
  (ingress.spec?.tls ?? []).forEach((tls, i) => {
    (tls.hosts ?? []).forEach((host, j) => {
      const msgs = host.includes("*") ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      errs.push(...invalidEach(path.index(i).child("hosts").index(j), host, msgs));
    });
    const secret = tls.secretName ?? "";
    if (!opts.allowInvalidSecretName && secret !== "") {
      errs.push(
        ...invalidEach(
          path.index(i).child("secretName"),
          secret,
          nameIsDNSSubdomain(secret, false),
        ),
      );
    }
  });
  return errs;
}

function validateSpec(ingress: IngressObj, opts: Options): FieldErrors {
  const spec = ingress.spec ?? {};
  const path = newPath("spec");
  const errs: FieldErrors = [];
  const rules = spec.rules ?? [];
  if (rules.length === 0 && spec.defaultBackend === undefined) {
    const shown = new field.RawValue(
      spec.rules === undefined ? "[]networking.IngressRule(nil)" : "[]networking.IngressRule{}",
    );
    errs.push(field.invalid(path, shown, "either `defaultBackend` or `rules` must be specified"));
  }
  if (spec.defaultBackend)
    errs.push(...validateBackend(spec.defaultBackend, path.child("defaultBackend")));
  if (rules.length > 0) errs.push(...validateRules(rules, path.child("rules"), opts));
  if ((spec.tls ?? []).length > 0) errs.push(...validateTLS(ingress, path.child("tls"), opts));
  if (spec.ingressClassName !== undefined) {
    const name = spec.ingressClassName;
    errs.push(
      ...invalidEach(path.child("ingressClassName"), name, nameIsDNSSubdomain(name, false)),
    );
  }
  return errs;
}

/** `ValidateIngressCreate` beyond object meta. */
export function validateIngressCreate(ingress: IngressObj): FieldErrors {
  const errs = validateSpec(ingress, {
    allowInvalidSecretName: false,
    allowInvalidWildcardHostRule: false,
  });
  const annotation = ingress.metadata?.annotations?.["kubernetes.io/ingress.class"];
  const className = ingress.spec?.ingressClassName;
  if (annotation !== undefined && className !== undefined && annotation !== className) {
    const path = newPath("annotations").child("kubernetes.io/ingress.class");
    errs.push(
      field.invalid(path, annotation, "must match `ingressClassName` when both are specified"),
    );
  }
  return errs;
}

/** `ValidateIngressUpdate`: the spec rules, relaxed where the stored object already broke them. */
export function validateIngressUpdate(ingress: IngressObj, old: IngressObj): FieldErrors {
  const badSecret = (old.spec?.tls ?? []).some(
    (tls) =>
      (tls.secretName ?? "") !== "" && nameIsDNSSubdomain(tls.secretName ?? "", false).length > 0,
  );
  const badWildcard = (old.spec?.rules ?? []).some(
    (rule) => (rule.host ?? "").includes("*") && validateRuleValue(rule, newPath("x")).length > 0,
  );
  return validateSpec(ingress, {
    allowInvalidSecretName: badSecret,
    allowInvalidWildcardHostRule: badWildcard,
  });
}

/** `ValidateIngressStatusUpdate`: load-balancer ingress points are IPs or DNS names. */
export function validateIngressStatus(ingress: IngressObj): FieldErrors {
  const path = newPath("status", "loadBalancer", "ingress");
  return (ingress.status?.loadBalancer?.ingress ?? []).flatMap((ing, i) => {
    const errs: FieldErrors = [];
    if ((ing.ip ?? "") !== "") errs.push(...isValidIP(path.index(i).child("ip"), ing.ip ?? ""));
    const host = ing.hostname ?? "";
    if (host !== "") {
      errs.push(...invalidEach(path.index(i).child("hostname"), host, isDNS1123Subdomain(host)));
      if (parseIPSloppy(host) !== null) {
        errs.push(
          field.invalid(
            path.index(i).child("hostname"),
            host,
            "must be a DNS name, not an IP address",
          ),
        );
      }
    }
    return errs;
  });
}
