/**
 * core/v1 Endpoints (upstream `ValidateEndpoints`, `pkg/registry/core/endpoint/strategy.go`,
 * `printEndpoints`). PUT creates missing objects, as the endpoints controller relies on.
 */
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import {
  isQualifiedName,
  isValidIP,
  isValidPortNum,
  nameIsDNSSubdomain,
} from "../../../machinery/validation.ts";
import type { CoreV1EndpointPort, EndpointAddress, Endpoints } from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import {
  ageColumn,
  ageOf,
  type FieldErrors,
  nameColumn,
  nameOf,
  type Obj,
  supportedPortProtocols,
  validateDNS1123Label,
} from "./common.ts";
import { validateNonSpecialIP } from "./extra-validation.ts";

type EndpointsObj = Obj<Endpoints>;

export const endpointsDeprecationWarning =
  "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice";

function validateAddress(address: EndpointAddress, path: FieldPath): FieldErrors {
  const ip = address.ip ?? "";
  const errs = isValidIP(path.child("ip"), ip);
  if ((address.hostname ?? "") !== "") {
    errs.push(...validateDNS1123Label(address.hostname ?? "", path.child("hostname")));
  }
  if (address.nodeName !== undefined) {
    for (const msg of nameIsDNSSubdomain(address.nodeName, false)) {
      errs.push(field.invalid(path.child("nodeName"), address.nodeName, msg));
    }
  }
  errs.push(...validateNonSpecialIP(ip, path.child("ip")));
  return errs;
}

function validatePort(port: CoreV1EndpointPort, requireName: boolean, path: FieldPath) {
  const errs: FieldErrors = [];
  const name = port.name ?? "";
  if (requireName && name === "") errs.push(field.required(path.child("name")));
  else if (name !== "") errs.push(...validateDNS1123Label(name, path.child("name")));
  for (const msg of isValidPortNum(port.port ?? 0)) {
    errs.push(field.invalid(path.child("port"), port.port ?? 0, msg));
  }
  const protocol = port.protocol ?? "";
  if (protocol === "") errs.push(field.required(path.child("protocol")));
  else if (!(supportedPortProtocols as readonly string[]).includes(protocol)) {
    errs.push(field.notSupported(path.child("protocol"), protocol, supportedPortProtocols));
  }
  if (port.appProtocol !== undefined) {
    for (const msg of isQualifiedName(port.appProtocol)) {
      errs.push(field.invalid(path.child("appProtocol"), port.appProtocol, msg));
    }
  }
  return errs;
}

/** `ValidateEndpoints` beyond object meta. */
export function validateEndpoints(ep: EndpointsObj): FieldErrors {
  const errs: FieldErrors = [];
  (ep.subsets ?? []).forEach((subset, i) => {
    const path = newPath("subsets").index(i);
    const addresses = subset.addresses ?? [];
    const notReady = subset.notReadyAddresses ?? [];
    if (addresses.length === 0 && notReady.length === 0) {
      errs.push(field.required(path, "must specify `addresses` or `notReadyAddresses`"));
    }
    addresses.forEach((a, j) => {
      errs.push(...validateAddress(a, path.child("addresses").index(j)));
    });
    notReady.forEach((a, j) => {
      errs.push(...validateAddress(a, path.child("notReadyAddresses").index(j)));
    });
    const ports = subset.ports ?? [];
    ports.forEach((p, j) => {
      errs.push(...validatePort(p, ports.length > 1, path.child("ports").index(j)));
    });
  });
  return errs;
}

/** `formatEndpoints`: up to three `ip:port` (or bare IPs), then `+ N more...`. */
export function formatEndpoints(ep: EndpointsObj): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return "<none>";
  const max = 3;
  const list: string[] = [];
  let count = 0;
  const hostPort = (ip: string, port: number) =>
    ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
  for (const subset of subsets) {
    const addresses = subset.addresses ?? [];
    const ports = subset.ports ?? [];
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) if (list.length < max) list.push(a.ip ?? "");
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses)
        if (list.length < max) list.push(hostPort(a.ip ?? "", port.port ?? 0));
    }
  }
  const text = list.join(",");
  return count > max ? `${text} + ${count - max} more...` : text;
}

export const endpointsStrategy: Strategy<EndpointsObj> = {
  allowCreateOnUpdate: true,
  defaults(ep) {
    for (const subset of ep.subsets ?? []) {
      for (const port of subset.ports ?? []) port.protocol ??= "TCP";
    }
  },
  validate: validateEndpoints,
  warnings: () => [endpointsDeprecationWarning],
  printer: {
    columns: [
      nameColumn(),
      column("Endpoints", { description: "The set of all endpoints is the union of all subsets." }),
      ageColumn(),
    ],
    row: (ep, now) => [nameOf(ep), formatEndpoints(ep), ageOf(ep, now)],
  },
};

export const endpointsResource: ResourceDefinition<EndpointsObj> = {
  group: "",
  version: "v1",
  kind: "Endpoints",
  plural: "endpoints",
  singular: "endpoints",
  shortNames: ["ep"],
  namespaced: true,
  strategy: endpointsStrategy,
};
