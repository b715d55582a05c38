/**
 * Resource amounts as the scheduler counts them (upstream `framework.Resource`): milli-CPU, bytes
 * of memory and ephemeral storage, a pod count, and scalar resources (extended resources,
 * hugepages) by name. `podRequests` follows upstream `resourcehelper.PodRequests`: app
 * containers add up, init containers take the maximum (sidecars — restartable init containers —
 * stay for the pod's lifetime and add up), pod-level requests replace cpu/memory, and the pod
 * overhead is added on top.
 */
import type { Container, Pod } from "../../api/generated/types.ts";
import { Quantity } from "../../machinery/quantity.ts";

export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  allowedPodNumber: number;
  scalar: Map<string, number> | undefined;
}

export type ResourceList = Readonly<Record<string, string>>;

/** Requests the scheduler assumes for a container that names none (upstream defaults). */
export const defaultMilliCPURequest = 100;
export const defaultMemoryRequest = 200 * 1024 * 1024;

export const emptyResource = (): Resource => ({
  milliCPU: 0,
  memory: 0,
  ephemeralStorage: 0,
  allowedPodNumber: 0,
  scalar: undefined,
});

export const cloneResource = (r: Resource): Resource => ({
  ...r,
  scalar: r.scalar ? new Map(r.scalar) : undefined,
});

/** Extended resources, hugepages and attachable volumes: counted by name. */
export function isScalarResourceName(name: string): boolean {
  return (
    name.includes("/") || name.startsWith("hugepages-") || name.startsWith("attachable-volumes-")
  );
}

const quantityCache = new Map<string, Quantity>();
function parse(text: string): Quantity {
  let q = quantityCache.get(text);
  if (!q) {
    q = Quantity.parse(String(text));
    if (quantityCache.size > 10_000) quantityCache.clear();
    quantityCache.set(text, q);
  }
  return q;
}

/** Adds (sign 1) or subtracts (sign -1) a resource list. Unparseable amounts count as zero. */
export function addList(r: Resource, list: ResourceList | undefined, sign = 1): void {
  if (!list) return;
  for (const [name, text] of Object.entries(list)) {
    let q: Quantity;
    try {
      q = parse(text);
    } catch {
      continue;
    }
    addAmount(r, name, name === "cpu" ? q.milliValue() : q.value(), sign);
  }
}

function addAmount(r: Resource, name: string, amount: number, sign: number): void {
  if (name === "cpu") r.milliCPU += sign * amount;
  else if (name === "memory") r.memory += sign * amount;
  else if (name === "ephemeral-storage") r.ephemeralStorage += sign * amount;
  else if (name === "pods") r.allowedPodNumber += sign * amount;
  else if (isScalarResourceName(name)) {
    r.scalar ??= new Map();
    r.scalar.set(name, (r.scalar.get(name) ?? 0) + sign * amount);
  }
}

/** Adds or subtracts every amount of `other`. */
export function addResource(r: Resource, other: Resource, sign = 1): void {
  r.milliCPU += sign * other.milliCPU;
  r.memory += sign * other.memory;
  r.ephemeralStorage += sign * other.ephemeralStorage;
  r.allowedPodNumber += sign * other.allowedPodNumber;
  if (other.scalar) {
    r.scalar ??= new Map();
    for (const [k, v] of other.scalar) r.scalar.set(k, (r.scalar.get(k) ?? 0) + sign * v);
  }
}

function maxResource(r: Resource, other: Resource): void {
  r.milliCPU = Math.max(r.milliCPU, other.milliCPU);
  r.memory = Math.max(r.memory, other.memory);
  r.ephemeralStorage = Math.max(r.ephemeralStorage, other.ephemeralStorage);
  if (other.scalar) {
    r.scalar ??= new Map();
    for (const [k, v] of other.scalar) r.scalar.set(k, Math.max(r.scalar.get(k) ?? 0, v));
  }
}

/** A node's allocatable resources (status.allocatable). */
export function resourceFromList(list: ResourceList | undefined): Resource {
  const r = emptyResource();
  addList(r, list);
  return r;
}

function containerRequests(c: Container, nonZero: boolean): Resource {
  const requests = c.resources?.requests;
  const r = resourceFromList(requests);
  if (nonZero) {
    if (requests?.cpu === undefined) r.milliCPU = defaultMilliCPURequest;
    if (requests?.memory === undefined) r.memory = defaultMemoryRequest;
  }
  return r;
}

/**
 * The pod's effective requests. With `nonZero`, containers that request no cpu or memory count
 * the scheduler's defaults (100m, 200Mi) — what scoring uses so empty pods still spread.
 */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const spec = pod.spec;
  const reqs = emptyResource();
  for (const c of spec?.containers ?? []) addResource(reqs, containerRequests(c, nonZero));
  const sidecars = emptyResource();
  const init = emptyResource();
  for (const c of spec?.initContainers ?? []) {
    const cr = containerRequests(c, nonZero);
    if (c.restartPolicy === "Always") {
      addResource(reqs, cr);
      addResource(sidecars, cr);
      maxResource(init, cloneResource(sidecars));
    } else {
      addResource(cr, sidecars);
      maxResource(init, cr);
    }
  }
  maxResource(reqs, init);
  const podLevel = spec?.resources?.requests;
  if (podLevel) {
    const pl = resourceFromList(podLevel);
    if (podLevel.cpu !== undefined) reqs.milliCPU = pl.milliCPU;
    if (podLevel.memory !== undefined) reqs.memory = pl.memory;
  }
  addList(reqs, spec?.overhead);
  return reqs;
}
