/**
 * LimitRanger (upstream `plugin/pkg/admission/limitranger`): on pod create, containers without
 * requests or limits get the namespace LimitRanges' Container `defaultRequest` and `default`
 * (recorded in the `kubernetes.io/limit-ranger` annotation); then pods (create) and PVCs
 * (create, update) must respect every LimitRange's min, max and maxLimitRequestRatio.
 *
 * Reads limitranges from the `AdmissionReader`.
 */
import type {
  Container,
  LimitRange,
  PersistentVolumeClaim,
  Pod,
} from "../../../api/generated/types.ts";
import {
  podLimits,
  podRequests,
  type ResourceList,
  toResourceList,
} from "../../../api/quota/resource-list.ts";
import { compareStrings } from "../../../machinery/apply/go-json.ts";
import { aggregateMessages } from "../../../machinery/field-errors.ts";
import type { AdmissionAttributes, AdmissionPlugin } from "../admission.ts";
import { admissionForbidden, isResource } from "./forbidden.ts";
import {
  limitRequestRatioConstraint,
  maxConstraint,
  maxRequestConstraint,
  minConstraint,
} from "./limit-constraints.ts";
import { type AdmissionReader, listAs } from "./reader.ts";

export const limitRangerAnnotation = "kubernetes.io/limit-ranger";

export interface LimitRangerOptions {
  readonly reader: AdmissionReader;
}

/** `defaultContainerResourceRequirements`: the Container items' defaults, later items winning. */
function containerDefaults(lr: LimitRange) {
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== "Container") continue;
    Object.assign(requests, item.defaultRequest);
    Object.assign(limits, item.default);
  }
  return { requests, limits };
}

/** Fills one container's missing requests and limits; returns the annotation phrases. */
function mergeContainer(
  c: Container,
  defaults: ReturnType<typeof containerDefaults>,
  kind: string,
) {
  const limits: Record<string, string> = { ...c.resources?.limits };
  const requests: Record<string, string> = { ...c.resources?.requests };
  const fill = (into: Record<string, string>, from: Record<string, string>) =>
    Object.entries(from)
      .filter(([k]) => !(k in into))
      .map(([k, v]) => {
        into[k] = v;
        return k;
      })
      .sort();
  const setLimits = fill(limits, defaults.limits);
  const setRequests = fill(requests, defaults.requests);
  if (setLimits.length + setRequests.length > 0) {
    c.resources = {
      ...c.resources,
      ...(Object.keys(limits).length > 0 ? { limits } : {}),
      ...(Object.keys(requests).length > 0 ? { requests } : {}),
    };
  }
  const out: string[] = [];
  if (setRequests.length > 0) out.push(`${setRequests.join(", ")} request for ${kind} ${c.name}`);
  if (setLimits.length > 0) out.push(`${setLimits.join(", ")} limit for ${kind} ${c.name}`);
  return out;
}

/** `PodMutateLimitFunc`. */
export function podMutateLimit(lr: LimitRange, pod: Pod): void {
  const defaults = containerDefaults(lr);
  const notes = [
    ...(pod.spec?.containers ?? []).flatMap((c) => mergeContainer(c, defaults, "container")),
    ...(pod.spec?.initContainers ?? []).flatMap((c) =>
      mergeContainer(c, defaults, "init container"),
    ),
  ];
  if (notes.length === 0) return;
  pod.metadata ??= {};
  const meta = pod.metadata;
  meta.annotations = {
    ...meta.annotations,
    [limitRangerAnnotation]: `LimitRanger plugin set: ${notes.join("; ")}`,
  };
}

type Checker = (
  type: string,
  name: string,
  enforced: string,
  req: ResourceList,
  lim: ResourceList,
) => string | undefined;

function checkAll(
  type: string,
  lists: {
    min?: Record<string, string>;
    max?: Record<string, string>;
    maxLimitRequestRatio?: Record<string, string>;
  },
  req: ResourceList,
  lim: ResourceList,
): string[] {
  const run = (list: Record<string, string> | undefined, check: Checker) =>
    Object.entries(list ?? {}).map(([name, v]) => check(type, name, v, req, lim));
  return [
    ...run(lists.min, minConstraint),
    ...run(lists.max, maxConstraint),
    ...run(lists.maxLimitRequestRatio, limitRequestRatioConstraint),
  ].filter((e): e is string => e !== undefined);
}

/** `PodValidateLimitFunc`: every container, init container and the pod as a whole. */
export function podValidateLimit(lr: LimitRange, pod: Pod): string[] {
  const errs: string[] = [];
  for (const item of lr.spec?.limits ?? []) {
    if (item.type === "Container") {
      for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
        const req = toResourceList(c.resources?.requests);
        errs.push(...checkAll(item.type, item, req, toResourceList(c.resources?.limits)));
      }
    }
    if (item.type === "Pod")
      errs.push(...checkAll(item.type, item, podRequests(pod), podLimits(pod)));
  }
  return errs;
}

/** `PersistentVolumeClaimValidateLimitFunc`: storage requests against min and max. */
export function pvcValidateLimit(lr: LimitRange, pvc: PersistentVolumeClaim): string[] {
  const errs: (string | undefined)[] = [];
  const requests = toResourceList(pvc.spec?.resources?.requests);
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== "PersistentVolumeClaim") continue;
    for (const [k, v] of Object.entries(item.min ?? {}))
      errs.push(minConstraint(item.type, k, v, requests, new Map()));
    for (const [k, v] of Object.entries(item.max ?? {}))
      errs.push(maxRequestConstraint(item.type, k, v, requests));
  }
  return errs.filter((e): e is string => e !== undefined);
}

/** `SupportsAttributes`: pods (create only) and PVCs, never subresources. */
function supports(attrs: AdmissionAttributes): "pod" | "pvc" | undefined {
  if (attrs.subresource !== "" || attrs.object === undefined) return undefined;
  if (attrs.operation !== "CREATE" && attrs.operation !== "UPDATE") return undefined;
  if (isResource(attrs, "", "pods")) return attrs.operation === "CREATE" ? "pod" : undefined;
  return isResource(attrs, "", "persistentvolumeclaims") ? "pvc" : undefined;
}

export function limitRangerAdmission(options: LimitRangerOptions): AdmissionPlugin {
  const limitRanges = (namespace: string) =>
    listAs<LimitRange>(options.reader, "", "limitranges", namespace).sort((a, b) =>
      compareStrings(a.metadata?.name ?? "", b.metadata?.name ?? ""),
    );
  const beingDeleted = (attrs: AdmissionAttributes) =>
    attrs.oldObject?.metadata?.deletionTimestamp !== undefined;
  return {
    name: "LimitRanger",
    async admit(attrs) {
      if (supports(attrs) !== "pod" || beingDeleted(attrs)) return;
      for (const lr of limitRanges(attrs.namespace)) podMutateLimit(lr, attrs.object as Pod);
    },
    async validate(attrs) {
      const kind = supports(attrs);
      if (kind === undefined || beingDeleted(attrs)) return;
      for (const lr of limitRanges(attrs.namespace)) {
        const errs =
          kind === "pod"
            ? podValidateLimit(lr, attrs.object as Pod)
            : pvcValidateLimit(lr, attrs.object as PersistentVolumeClaim);
        if (errs.length > 0) throw admissionForbidden(attrs, aggregateMessages(errs));
      }
    },
  };
}
