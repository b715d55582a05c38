/**
 * Service ports (upstream `validateServicePort` and the port checks of `ValidateService`): names,
 * numbers, protocols and target ports, node ports only where the type allows them, and no
 * (protocol, port) or (protocol, nodePort) pair twice.
 */
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { isQualifiedName, isValidPortName, isValidPortNum } from "../../../machinery/validation.ts";
import type { Service, ServicePort } from "../../generated/types.ts";
import {
  type FieldErrors,
  type Obj,
  supportedPortProtocols,
  validateDNS1123Label,
} from "./common.ts";

type ServiceObj = Obj<Service>;

const spec = newPath("spec");

/** `ValidatePortNumOrName`: a port number, or an IANA service name. */
export function validatePortNumOrName(port: number | string, path: FieldPath): FieldErrors {
  if (typeof port === "number") {
    return isValidPortNum(port).map((msg) => field.invalid(path, port, msg));
  }
  return isValidPortName(port).map((msg) => field.invalid(path, port, msg));
}

function validateServicePort(
  port: ServicePort,
  requireName: boolean,
  names: Set<string>,
  path: FieldPath,
): FieldErrors {
  const errs: FieldErrors = [];
  const name = port.name ?? "";
  if (requireName && name === "") errs.push(field.required(path.child("name")));
  else if (name !== "") {
    errs.push(...validateDNS1123Label(name, path.child("name")));
    if (names.has(name)) errs.push(field.duplicate(path.child("name"), name));
    else names.add(name);
  }
  for (const msg of isValidPortNum(port.port ?? 0)) {
    errs.push(field.invalid(path.child("port"), port.port ?? 0, msg));
  }
  const protocol = port.protocol ?? "";
  if (protocol === "") errs.push(field.required(path.child("protocol")));
  else if (!(supportedPortProtocols as readonly string[]).includes(protocol)) {
    errs.push(field.notSupported(path.child("protocol"), protocol, supportedPortProtocols));
  }
  errs.push(...validatePortNumOrName(port.targetPort ?? 0, path.child("targetPort")));
  if (port.appProtocol !== undefined) {
    for (const msg of isQualifiedName(port.appProtocol)) {
      errs.push(field.invalid(path.child("appProtocol"), port.appProtocol, msg));
    }
  }
  return errs;
}

/** Go's `%#v` of the `(protocol, port)` key upstream reports duplicate ports with. */
function portKey(port: ServicePort): field.RawValue {
  return new field.RawValue(
    `core.ServicePort{Name:"", Protocol:"${port.protocol ?? ""}", AppProtocol:(*string)(nil), Port:${port.port ?? 0}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`,
  );
}

export function validatePortList(svc: ServiceObj): FieldErrors {
  const ports = svc.spec?.ports ?? [];
  const path = spec.child("ports");
  const names = new Set<string>();
  return ports.flatMap((p, i) => validateServicePort(p, ports.length > 1, names, path.index(i)));
}

/** Node ports only where allowed, and no (protocol, port) or (protocol, nodePort) twice. */
export function validatePortConflicts(svc: ServiceObj): FieldErrors {
  const ports = svc.spec?.ports ?? [];
  const path = spec.child("ports");
  const errs: FieldErrors = [];
  if (svc.spec?.type === "ClusterIP") {
    ports.forEach((p, i) => {
      if ((p.nodePort ?? 0) !== 0) {
        errs.push(
          field.forbidden(
            path.index(i).child("nodePort"),
            "may not be used when `type` is 'ClusterIP'",
          ),
        );
      }
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if ((p.nodePort ?? 0) === 0) return;
    const key = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(key)) errs.push(field.duplicate(path.index(i).child("nodePort"), p.nodePort));
    nodePorts.add(key);
  });
  const keys = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.protocol}/${p.port}`;
    if (keys.has(key)) errs.push(field.duplicate(path.index(i), portKey(p)));
    keys.add(key);
  });
  return errs;
}
