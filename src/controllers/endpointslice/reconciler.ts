/**
 * The EndpointSlice reconciler (upstream `reconciler.reconcileByAddressType`): turns desired
 * endpoints and the slices that exist into a minimal plan of creates, updates and deletes.
 * Endpoints stay in the slice they are in when unchanged; changed ones are rewritten in place;
 * new ones first fill slices that are being updated anyway, then an unchanged slice that can
 * take them all, and only then new slices of at most `maxEndpointsPerSlice`. A Service with
 * nothing to publish keeps one empty placeholder slice.
 */
import { isDeepStrictEqual } from "node:util";
import type {
  Endpoint,
  EndpointSlice as EndpointSliceType,
  Service,
} from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { formatTime } from "../../machinery/time.ts";
import {
  type AddressType,
  type DesiredEndpoints,
  type EndpointGroup,
  endpointKey,
  portsKey,
} from "./desired-endpoints.ts";
import { endpointsLastChangeTriggerTime, isHeadlessServiceLabel } from "./endpoint-util.ts";

export type EndpointSlice = EndpointSliceType & KubeObject;

export const labelServiceName = "kubernetes.io/service-name";
export const labelManagedBy = "endpointslice.kubernetes.io/managed-by";
export const controllerName = "endpointslice-controller.k8s.io";
export const maxEndpointsPerSlice = 100;

export interface ReconcilePlan {
  readonly create: EndpointSlice[];
  readonly update: EndpointSlice[];
  readonly delete: EndpointSlice[];
}

export interface ReconcileInput {
  readonly service: Service;
  readonly desired: DesiredEndpoints;
  /** Slices this controller manages for the service. */
  readonly existing: readonly EndpointSlice[];
  readonly triggerTime: number | undefined;
  readonly maxEndpointsPerSlice?: number;
}

/** `setEndpointSliceLabels`: the service's labels (minus reserved keys) plus ours. */
export function sliceLabels(service: Service): Record<string, string> {
  const labels: Record<string, string> = {};
  const reserved = new Set([labelServiceName, labelManagedBy, isHeadlessServiceLabel]);
  for (const [k, v] of Object.entries(service.metadata?.labels ?? {})) {
    if (!reserved.has(k)) labels[k] = v;
  }
  labels[labelServiceName] = service.metadata?.name ?? "";
  labels[labelManagedBy] = controllerName;
  if (service.spec?.clusterIP === "None") labels[isHeadlessServiceLabel] = "";
  return labels;
}

/** `getEndpointSlicePrefix`: `<service>-`, shortened so the generated name stays valid. */
function slicePrefix(serviceName: string): string {
  const prefix = `${serviceName}-`;
  return prefix.length > 58 ? prefix.slice(0, 58) : prefix;
}

function ownerReference(service: Service) {
  return {
    apiVersion: "v1",
    kind: "Service",
    name: service.metadata?.name ?? "",
    uid: service.metadata?.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

function newSlice(service: Service, addressType: AddressType, group: EndpointGroup | undefined) {
  const slice: EndpointSlice = {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      generateName: slicePrefix(service.metadata?.name ?? ""),
      namespace: service.metadata?.namespace ?? "",
      labels: sliceLabels(service),
      ownerReferences: [ownerReference(service)],
    },
    addressType,
    endpoints: [],
  };
  if (group?.ports.length) slice.ports = group.ports;
  return slice;
}

/** A slice whose labels no longer match the service's. */
function metadataChanged(slice: EndpointSlice, service: Service): boolean {
  return !isDeepStrictEqual(slice.metadata?.labels ?? {}, sliceLabels(service));
}

/** `ownedBy`: the slice's controller reference is this service (same uid). */
function ownedBy(slice: EndpointSlice, service: Service): boolean {
  return (slice.metadata?.ownerReferences ?? []).some(
    (o) => o.kind === "Service" && o.uid === service.metadata?.uid && o.controller === true,
  );
}

interface TypePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  unchanged: EndpointSlice[];
}

/** Step 1: keep, rewrite or drop the endpoints already in each slice. */
function reviseExisting(
  service: Service,
  existing: readonly EndpointSlice[],
  groups: Map<string, EndpointGroup>,
  remaining: Map<string, Map<string, Endpoint>>,
  plan: TypePlan,
): void {
  for (const slice of existing) {
    const pk = portsKey(slice.ports);
    const group = groups.get(pk);
    const left = remaining.get(pk);
    if (!group || !left) {
      plan.delete.push(slice);
      continue;
    }
    let changed = metadataChanged(slice, service);
    const kept: Endpoint[] = [];
    for (const ep of slice.endpoints ?? []) {
      const key = endpointKey(ep);
      const want = left.get(key);
      if (!want) {
        changed = true;
        continue;
      }
      if (!isDeepStrictEqual(ep, want)) changed = true;
      kept.push(want);
      left.delete(key);
    }
    if (kept.length === 0) plan.delete.push(slice);
    else if (changed) plan.update.push({ ...slice, endpoints: kept });
    else plan.unchanged.push(slice);
  }
}

/** Steps 2 and 3: place the endpoints not yet in any slice. */
function placeRemaining(
  service: Service,
  addressType: AddressType,
  groups: Map<string, EndpointGroup>,
  remaining: Map<string, Map<string, Endpoint>>,
  plan: TypePlan,
  max: number,
): void {
  for (const [pk, left] of remaining) {
    if (left.size === 0) continue;
    const queue = [...left.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, ep]) => ep);
    const updating = plan.update
      .filter((s) => portsKey(s.ports) === pk)
      .sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const slice of updating) {
      while (slice.endpoints.length < max && queue.length) slice.endpoints.push(queue.shift()!);
    }
    while (queue.length > 0) {
      let slice: EndpointSlice | undefined;
      if (queue.length < max) {
        // The unchanged slice that ends closest to full when taking all that is left.
        const fits = plan.unchanged
          .filter((s) => portsKey(s.ports) === pk && s.endpoints.length + queue.length <= max)
          .sort((a, b) => b.endpoints.length - a.endpoints.length)[0];
        if (fits) {
          plan.unchanged.splice(plan.unchanged.indexOf(fits), 1);
          slice = { ...fits, endpoints: [...fits.endpoints] };
          plan.update.push(slice);
        }
      }
      if (!slice) {
        slice = newSlice(service, addressType, groups.get(pk));
        plan.create.push(slice);
      }
      while (slice.endpoints.length < max && queue.length) slice.endpoints.push(queue.shift()!);
    }
  }
}

function reconcileAddressType(
  input: ReconcileInput,
  addressType: AddressType,
  existing: readonly EndpointSlice[],
): TypePlan {
  const groups = input.desired.byAddressType.get(addressType) ?? new Map<string, EndpointGroup>();
  const remaining = new Map([...groups].map(([pk, g]) => [pk, new Map(g.endpoints)]));
  const plan: TypePlan = { create: [], update: [], delete: [], unchanged: [] };
  reviseExisting(input.service, existing, groups, remaining, plan);
  placeRemaining(
    input.service,
    addressType,
    groups,
    remaining,
    plan,
    input.maxEndpointsPerSlice ?? maxEndpointsPerSlice,
  );
  return plan;
}

export function reconcile(input: ReconcileInput): ReconcilePlan {
  const wanted = [...input.desired.byAddressType.keys()];
  const plan: TypePlan = { create: [], update: [], delete: [], unchanged: [] };
  const owned = input.existing.filter((s) => ownedBy(s, input.service));
  for (const slice of input.existing) {
    const wantedType = wanted.includes(slice.addressType as AddressType);
    if (!wantedType || !ownedBy(slice, input.service)) plan.delete.push(slice);
  }
  for (const addressType of wanted) {
    const own = owned.filter((s) => s.addressType === addressType);
    const p = reconcileAddressType(input, addressType, own);
    plan.create.push(...p.create);
    plan.update.push(...p.update);
    plan.delete.push(...p.delete);
    plan.unchanged.push(...p.unchanged);
  }
  keepPlaceholder(input, plan, wanted[0] ?? "IPv4");
  for (const slice of [...plan.create, ...plan.update]) {
    finalizeSlice(slice, input.service, input.triggerTime);
  }
  return { create: plan.create, update: plan.update, delete: plan.delete };
}

const isPlaceholder = (s: EndpointSlice) => s.endpoints.length === 0 && !(s.ports ?? []).length;

/** A service with nothing to publish keeps exactly one empty slice (upstream's placeholder). */
function keepPlaceholder(input: ReconcileInput, plan: TypePlan, addressType: AddressType): void {
  if (plan.create.length + plan.update.length + plan.unchanged.length > 0) return;
  const existing = plan.delete.find(
    (s) =>
      isPlaceholder(s) &&
      s.addressType === addressType &&
      ownedBy(s, input.service) &&
      !metadataChanged(s, input.service),
  );
  if (existing) plan.delete.splice(plan.delete.indexOf(existing), 1);
  else plan.create.push(newSlice(input.service, addressType, undefined));
}

/** Labels and the trigger-time annotation of a slice about to be written. */
function finalizeSlice(slice: EndpointSlice, service: Service, triggerTime: number | undefined) {
  const meta = { ...slice.metadata };
  const annotations = { ...meta.annotations };
  if (triggerTime !== undefined)
    annotations[endpointsLastChangeTriggerTime] = formatTime(triggerTime);
  else delete annotations[endpointsLastChangeTriggerTime];
  meta.labels = sliceLabels(service);
  if (Object.keys(annotations).length > 0) meta.annotations = annotations;
  else delete meta.annotations;
  slice.metadata = meta;
}
