/**
 * `admission.NewForbidden`: the Forbidden status a plugin refuses with, naming the resource and
 * the object as upstream does (the request's name, else the object's name or generateName, else
 * "Unknown"). A Forbidden error is passed through rather than wrapped twice.
 */
import { isStatusError, newForbidden, type StatusError } from "../../../machinery/status.ts";
import type { AdmissionAttributes } from "../admission.ts";

export function admissionResourceName(attrs: AdmissionAttributes): string {
  if (attrs.name !== "") return attrs.name;
  const meta = attrs.object?.metadata;
  return meta?.name || meta?.generateName || "Unknown";
}

export function admissionForbidden(attrs: AdmissionAttributes, why: string | Error): StatusError {
  if (isStatusError(why, "Forbidden")) return why;
  const gr = { group: attrs.resource.group, resource: attrs.resource.plural };
  return newForbidden(gr, admissionResourceName(attrs), why);
}

/** True when the request is for `group`/`plural` (any subresource). */
export function isResource(attrs: AdmissionAttributes, group: string, plural: string): boolean {
  return attrs.resource.group === group && attrs.resource.plural === plural;
}
