/**
 * Builders and probes for the volume controllers' tests: PersistentVolumes, claims, classes
 * and pods as plain objects, and readers for what the controllers wrote (objects, events).
 */
import type { CoreV1Event as Event } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { isStatusError } from "../../machinery/status.ts";
import type {
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  StorageClass,
} from "./common/volume-util.ts";

type Spec<T extends { spec?: unknown }> = NonNullable<T["spec"]>;

export function pv(
  name: string,
  spec: Partial<Spec<PersistentVolume>> = {},
  meta: PersistentVolume["metadata"] = {},
): PersistentVolume {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { ...meta, name },
    spec: {
      capacity: { storage: "1Gi" },
      accessModes: ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: "Retain",
      hostPath: { path: `/data/${name}` },
      ...spec,
    },
  };
}

export function pvc(
  name: string,
  spec: Partial<Spec<PersistentVolumeClaim>> = {},
  meta: PersistentVolumeClaim["metadata"] = {},
): PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { namespace: "default", ...meta, name },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "1Gi" } },
      ...spec,
    },
  };
}

export function storageClass(
  name: string,
  options: Partial<StorageClass> & { isDefault?: boolean } = {},
): StorageClass {
  const { isDefault, ...rest } = options;
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: {
      name,
      ...(isDefault
        ? { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }
        : {}),
    },
    provisioner: "example.com/external",
    ...rest,
  };
}

export function podWithClaims(name: string, claims: string[], nodeName?: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      containers: [{ name: "app", image: "busybox" }],
      volumes: claims.map((c, i) => ({
        name: `v${i}`,
        persistentVolumeClaim: { claimName: c },
      })),
    },
  };
}

export const pvPath = (name = "", sub = "") =>
  resourcePath(resources.persistentvolumes, "", name, sub);
export const pvcPath = (name = "", ns = "default") =>
  resourcePath(resources.persistentvolumeclaims, ns, name);
export const scPath = (name = "") => resourcePath(resources.storageclasses, "", name);
export const podPath = (name = "", ns = "default") => resourcePath(resources.pods, ns, name);

export async function getOr<T>(client: RestClient, path: string): Promise<T | undefined> {
  try {
    return await client.get<T>(path);
  } catch (err) {
    if (isStatusError(err, "NotFound")) return undefined;
    throw err;
  }
}

/** Waits until the object at `path` satisfies `check`, returning it. */
export function waitFor<T>(
  client: RestClient,
  path: string,
  check: (obj: T) => boolean,
  ms = 5_000,
): Promise<T> {
  return eventually(async () => {
    const obj = await getOr<T>(client, path);
    return obj !== undefined && check(obj) ? obj : undefined;
  }, ms);
}

export function waitGone(client: RestClient, path: string, ms = 5_000): Promise<true> {
  return eventually(async () => (await getOr(client, path)) === undefined, ms);
}

/** The events about the named object, oldest first. */
export async function eventsFor(client: RestClient, name: string, ns = "default") {
  const list = await client.get<{ items: Event[] }>(resourcePath(resources.events, ns));
  return list.items.filter((e) => e.involvedObject.name === name);
}

/** Waits for an event with this reason about the object; returns its message. */
export function waitForEvent(
  client: RestClient,
  name: string,
  reason: string,
  ns = "default",
): Promise<string> {
  return eventually(async () => {
    const found = (await eventsFor(client, name, ns)).find((e) => e.reason === reason);
    return found?.message ?? undefined;
  });
}

export const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));
