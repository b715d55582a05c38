/**
 * discovery.k8s.io/v1 EndpointSlice (upstream `SetDefaults_EndpointPort`,
 * `pkg/apis/discovery/validation`, `pkg/registry/discovery/endpointslice/strategy.go`,
 * `printEndpointSlice`). The address type is fixed at creation; every address must be of it.
 */
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { validateLabels } from "../../../machinery/object-meta.ts";
import { isQualifiedName, isValidIP, nameIsDNSSubdomain } from "../../../machinery/validation.ts";
import type { DiscoveryV1EndpointPort, Endpoint, EndpointSlice } from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import {
  ageColumn,
  ageOf,
  type FieldErrors,
  invalidEach,
  nameColumn,
  nameOf,
  type Obj,
  supportedPortProtocols,
  validateDNS1123Label,
  validateImmutableField,
} from "./common.ts";
import {
  isFullyQualifiedDomainName,
  isValidIPFamilyAddress,
  validateNonSpecialIP,
} from "./extra-validation.ts";

type SliceObj = Obj<EndpointSlice>;

const addressTypes = ["FQDN", "IPv4", "IPv6"];
const maxEndpoints = 1000;
const maxAddresses = 100;
const maxPorts = 100;
const maxTopologyLabels = 16;

function validateAddress(address: string, type: string, path: FieldPath): FieldErrors {
  switch (type) {
    case "IP":
      return isValidIP(path, address);
    case "IPv4":
    case "IPv6":
      return [
        ...isValidIPFamilyAddress(path, address, type),
        ...validateNonSpecialIP(address, path),
      ];
    case "FQDN":
      return isFullyQualifiedDomainName(path, address);
    default:
      return [];
  }
}

function validateEndpoint(endpoint: Endpoint, type: string, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  const addressPath = path.child("addresses");
  const addresses = endpoint.addresses ?? [];
  if (addresses.length === 0)
    errs.push(field.required(addressPath, "must contain at least 1 address"));
  else if (addresses.length > maxAddresses) {
    errs.push(field.tooMany(addressPath, addresses.length, maxAddresses));
  }
  addresses.forEach((a, i) => {
    errs.push(...validateAddress(a, type, addressPath.index(i)));
  });
  if (endpoint.nodeName !== undefined) {
    const p = path.child("nodeName");
    errs.push(...invalidEach(p, endpoint.nodeName, nameIsDNSSubdomain(endpoint.nodeName, false)));
  }
  const topology = endpoint.deprecatedTopology ?? {};
  const topologyPath = path.child("deprecatedTopology");
  if (Object.keys(topology).length > maxTopologyLabels) {
    errs.push(field.tooMany(topologyPath, Object.keys(topology).length, maxTopologyLabels));
  }
  errs.push(...validateLabels(topology, topologyPath));
  if (endpoint.hostname !== undefined) {
    errs.push(...validateDNS1123Label(endpoint.hostname, path.child("hostname")));
  }
  return errs;
}

function validatePorts(ports: readonly DiscoveryV1EndpointPort[], path: FieldPath): FieldErrors {
  if (ports.length > maxPorts) return [field.tooMany(path, ports.length, maxPorts)];
  const errs: FieldErrors = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = path.index(i);
    const name = port.name ?? "";
    if (name !== "") errs.push(...validateDNS1123Label(name, p.child("name")));
    if (names.has(name)) errs.push(field.duplicate(p.child("name"), name));
    else names.add(name);
    if (port.protocol === undefined) errs.push(field.required(p.child("protocol")));
    else if (!(supportedPortProtocols as readonly string[]).includes(port.protocol)) {
      errs.push(field.notSupported(p.child("protocol"), port.protocol, supportedPortProtocols));
    }
    if (port.appProtocol !== undefined) {
      errs.push(
        ...invalidEach(p.child("appProtocol"), port.appProtocol, isQualifiedName(port.appProtocol)),
      );
    }
  });
  return errs;
}

/** `ValidateEndpointSlice` beyond object meta; `validTypes` widens on update (legacy "IP"). */
export function validateEndpointSlice(slice: SliceObj, validTypes = addressTypes): FieldErrors {
  const errs: FieldErrors = [];
  const type: string = slice.addressType ?? "";
  if (type === "") errs.push(field.required(newPath("addressType")));
  else if (!validTypes.includes(type))
    errs.push(field.notSupported(newPath("addressType"), type, validTypes));
  const endpoints = slice.endpoints ?? [];
  if (endpoints.length > maxEndpoints) {
    errs.push(field.tooMany(newPath("endpoints"), endpoints.length, maxEndpoints));
  } else {
    endpoints.forEach((e, i) => {
      errs.push(...validateEndpoint(e, type, newPath("endpoints").index(i)));
    });
  }
  errs.push(...validatePorts(slice.ports ?? [], newPath("ports")));
  return errs;
}

/** `formatDiscoveryPorts` / `formatDiscoveryEndpoints`: three items, then `+ N more...`. */
function listWithMore(items: readonly string[]): string {
  const max = 3;
  const text = items.slice(0, max).join(",");
  if (items.length > max) return `${text} + ${items.length - max} more...`;
  return text === "" ? "<unset>" : text;
}

export const endpointSliceStrategy: Strategy<SliceObj> = {
  tracksGeneration: true,
  defaults(slice) {
    for (const port of slice.ports ?? []) {
      port.name ??= "";
      port.protocol ??= "TCP";
    }
  },
  validate: (slice) => validateEndpointSlice(slice),
  validateUpdate: (slice, old) => [
    ...validateEndpointSlice(slice, ["FQDN", "IP", "IPv4", "IPv6"]),
    ...validateImmutableField(slice.addressType, old.addressType, newPath("addressType")),
  ],
  printer: {
    columns: [
      nameColumn(),
      column("AddressType", {
        description: "addressType specifies the type of address carried by this EndpointSlice.",
      }),
      column("Ports", {
        description:
          "ports specifies the list of network ports exposed by each endpoint in this slice.",
      }),
      column("Endpoints", {
        description: "endpoints is a list of unique endpoints in this slice.",
      }),
      ageColumn(),
    ],
    row: (slice, now) => [
      nameOf(slice),
      slice.addressType ?? "",
      listWithMore(
        (slice.ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : (p.name ?? "*"))),
      ),
      listWithMore((slice.endpoints ?? []).flatMap((e) => e.addresses ?? [])),
      ageOf(slice, now),
    ],
  },
};

export const endpointSliceResource: ResourceDefinition<SliceObj> = {
  group: "discovery.k8s.io",
  version: "v1",
  kind: "EndpointSlice",
  plural: "endpointslices",
  singular: "endpointslice",
  namespaced: true,
  strategy: endpointSliceStrategy,
};
