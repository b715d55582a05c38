/**
 * Container validation (upstream `validateContainers`, `validateInitContainers`,
 * `validateContainerCommon`): names, image, ports, env, volume mounts, pull and termination
 * message policies, resources and probes; host ports unique across the pod.
 */

import * as field from "../../../machinery/field-errors.ts";
import type { FieldPath } from "../../../machinery/field-path.ts";
import { isDNS1123Label, isValidPortName, isValidPortNum } from "../../../machinery/validation.ts";
import type { Container, ContainerPort, VolumeMount } from "../../generated/types.ts";
import type { FieldErrors } from "./common.ts";
import { validateProbe } from "./pod-probe-validation.ts";
import { validateResourceRequirements } from "./pod-resources.ts";

export const supportedPortProtocols = ["SCTP", "TCP", "UDP"];

/** Regular containers: at least one; names unique among them. */
export function validateContainers(
  containers: readonly Container[] | undefined,
  volumes: ReadonlySet<string>,
  path: FieldPath,
): FieldErrors {
  if (!containers || containers.length === 0) return [field.required(path, "")];
  const errs: FieldErrors = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const idxPath = path.index(i);
    errs.push(...validateContainerCommon(c, volumes, idxPath));
    if (names.has(c.name)) errs.push(field.duplicate(idxPath.child("name"), c.name));
    else names.add(c.name);
    errs.push(...validateProbe(c.livenessProbe, idxPath.child("livenessProbe"), true));
    errs.push(...validateProbe(c.readinessProbe, idxPath.child("readinessProbe"), false));
    errs.push(...validateProbe(c.startupProbe, idxPath.child("startupProbe"), true));
  });
  errs.push(...checkHostPortConflicts(containers, path));
  return errs;
}

/** Init containers: names unique among themselves and the regular containers. */
export function validateInitContainers(
  containers: readonly Container[] | undefined,
  others: readonly Container[] | undefined,
  volumes: ReadonlySet<string>,
  path: FieldPath,
): FieldErrors {
  const errs: FieldErrors = [];
  const names = new Set((others ?? []).map((c) => c.name));
  (containers ?? []).forEach((c, i) => {
    const idxPath = path.index(i);
    errs.push(...validateContainerCommon(c, volumes, idxPath));
    if (names.has(c.name)) errs.push(field.duplicate(idxPath.child("name"), c.name));
    else if (c.name) names.add(c.name);
    const sidecar = c.restartPolicy === "Always";
    if (!sidecar) {
      for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"] as const) {
        if (c[probe]) {
          errs.push(
            field.forbidden(
              idxPath.child(probe),
              "may not be set for init containers without restartPolicy=Always",
            ),
          );
        }
      }
    }
  });
  errs.push(...checkHostPortConflicts(containers ?? [], path));
  return errs;
}

export function validateContainerCommon(
  c: Container,
  volumes: ReadonlySet<string>,
  path: FieldPath,
): FieldErrors {
  const errs: FieldErrors = [];
  const namePath = path.child("name");
  if (!c.name) errs.push(field.required(namePath, ""));
  else for (const msg of isDNS1123Label(c.name)) errs.push(field.invalid(namePath, c.name, msg));
  if (!c.image) errs.push(field.required(path.child("image"), ""));
  errs.push(
    ...validateEnum(c.terminationMessagePolicy, path.child("terminationMessagePolicy"), [
      "File",
      "FallbackToLogsOnError",
    ]),
  );
  errs.push(...validateContainerPorts(c.ports, path.child("ports")));
  (c.env ?? []).forEach((e, i) => {
    if (!e.name) errs.push(field.required(path.child("env").index(i).child("name"), ""));
  });
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, path.child("volumeMounts")));
  errs.push(
    ...validateEnum(c.imagePullPolicy, path.child("imagePullPolicy"), [
      "Always",
      "IfNotPresent",
      "Never",
    ]),
  );
  errs.push(...validateResourceRequirements(c.resources, path.child("resources")));
  return errs;
}

/** Required when empty, Unsupported value when not one of `valid`. */
export function validateEnum(
  value: string | undefined,
  path: FieldPath,
  valid: readonly string[],
): FieldErrors {
  if (!value) return [field.required(path, "")];
  return valid.includes(value) ? [] : [field.notSupported(path, value, valid)];
}

function validateContainerPorts(ports: readonly ContainerPort[] | undefined, path: FieldPath) {
  const errs: FieldErrors = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const idxPath = path.index(i);
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length > 0) {
        for (const msg of msgs) errs.push(field.invalid(idxPath.child("name"), port.name, msg));
      } else if (names.has(port.name)) {
        errs.push(field.duplicate(idxPath.child("name"), port.name));
      } else {
        names.add(port.name);
      }
    }
    if (!port.containerPort) {
      errs.push(field.required(idxPath.child("containerPort"), ""));
    } else {
      for (const msg of isValidPortNum(port.containerPort)) {
        errs.push(field.invalid(idxPath.child("containerPort"), port.containerPort, msg));
      }
    }
    if (port.hostPort) {
      for (const msg of isValidPortNum(port.hostPort)) {
        errs.push(field.invalid(idxPath.child("hostPort"), port.hostPort, msg));
      }
    }
    if (!port.protocol) errs.push(field.required(idxPath.child("protocol"), ""));
    else if (!supportedPortProtocols.includes(port.protocol)) {
      errs.push(
        field.notSupported(idxPath.child("protocol"), port.protocol, supportedPortProtocols),
      );
    }
  });
  return errs;
}

function validateVolumeMounts(
  mounts: readonly VolumeMount[] | undefined,
  volumes: ReadonlySet<string>,
  path: FieldPath,
): FieldErrors {
  const errs: FieldErrors = [];
  const mountPoints = new Set<string>();
  (mounts ?? []).forEach((m, i) => {
    const idxPath = path.index(i);
    if (!m.name) errs.push(field.required(idxPath.child("name"), ""));
    if (!volumes.has(m.name)) errs.push(field.notFound(idxPath.child("name"), m.name));
    if (!m.mountPath) errs.push(field.required(idxPath.child("mountPath"), ""));
    if (mountPoints.has(m.mountPath)) {
      errs.push(field.invalid(idxPath.child("mountPath"), m.mountPath, "must be unique"));
    }
    mountPoints.add(m.mountPath);
    if (m.subPath) errs.push(...validateLocalDescendingPath(m.subPath, idxPath.child("subPath")));
  });
  return errs;
}

/** A relative path that does not climb out of its volume. */
function validateLocalDescendingPath(p: string, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  if (p.startsWith("/")) errs.push(field.invalid(path, p, "must be a relative path"));
  if (p.split(/[/\\]/).includes("..")) errs.push(field.invalid(path, p, "must not contain '..'"));
  return errs;
}

/** `AccumulateUniqueHostPorts`: a protocol/hostIP/hostPort triple used once. */
function checkHostPortConflicts(containers: readonly Container[], path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    (c.ports ?? []).forEach((p, pi) => {
      if (!p.hostPort) return;
      const key = `${p.protocol ?? ""}/${p.hostIP ?? ""}/${p.hostPort}`;
      if (seen.has(key)) {
        errs.push(field.duplicate(path.index(ci).child("ports").index(pi).child("hostPort"), key));
      } else {
        seen.add(key);
      }
    });
  });
  return errs;
}
