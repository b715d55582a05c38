/**
 * Test-only: `ApplySchema` builders and a hand-built schema shaped like apps/v1 Deployment
 * (the list and map types are the real ones: containers by name, ports by containerPort +
 * protocol with protocol defaulting to TCP, finalizers a set, args atomic, nodeSelector an
 * atomic map, selector an atomic struct).
 */
import type { ApplySchema, ListType } from "../schema.ts";

export const scalar: ApplySchema = {
  kind: "scalar",
  field: () => undefined,
  elements: () => undefined,
};

export function struct(
  fields: Record<string, ApplySchema | (() => ApplySchema)>,
  options: { atomic?: boolean; unknown?: ApplySchema } = {},
): ApplySchema {
  return {
    kind: "struct",
    ...(options.atomic && { atomic: true }),
    field: (name) => {
      const f = Object.hasOwn(fields, name) ? fields[name] : undefined;
      return typeof f === "function" ? f() : f;
    },
    elements: () => options.unknown,
  };
}

export function map(values: ApplySchema, atomic = false): ApplySchema {
  return { kind: "map", ...(atomic && { atomic }), field: () => undefined, elements: () => values };
}

export function list(
  items: ApplySchema,
  listType: ListType,
  keys?: readonly string[],
  keyDefaults?: Record<string, unknown>,
): ApplySchema {
  return {
    kind: "list",
    listType,
    ...(keys && { listMapKeys: keys }),
    ...(keyDefaults && { keyDefaults }),
    field: () => undefined,
    elements: () => items,
  };
}

const strings = map(scalar);

export const objectMeta = struct({
  name: scalar,
  namespace: scalar,
  uid: scalar,
  resourceVersion: scalar,
  generation: scalar,
  creationTimestamp: scalar,
  labels: strings,
  annotations: strings,
  finalizers: list(scalar, "set"),
  ownerReferences: list(
    struct({ apiVersion: scalar, kind: scalar, name: scalar, uid: scalar }),
    "map",
    ["uid"],
  ),
  managedFields: list(struct({}, { unknown: { ...scalar, kind: "untyped" } }), "atomic"),
});

const container = struct({
  name: scalar,
  image: scalar,
  imagePullPolicy: scalar,
  args: list(scalar, "atomic"),
  command: list(scalar, "atomic"),
  env: list(struct({ name: scalar, value: scalar }), "map", ["name"]),
  ports: list(
    struct({ name: scalar, containerPort: scalar, protocol: scalar }),
    "map",
    ["containerPort", "protocol"],
    { protocol: "TCP" },
  ),
  resources: struct({ limits: strings, requests: strings }),
});

const podSpec = struct({
  containers: list(container, "map", ["name"]),
  nodeSelector: map(scalar, true),
  tolerations: list(struct({ key: scalar, operator: scalar, effect: scalar }), "atomic"),
  volumes: list(struct({ name: scalar, configMap: struct({ name: scalar }) }), "map", ["name"]),
  restartPolicy: scalar,
});

export const deploymentSchema = struct({
  apiVersion: scalar,
  kind: scalar,
  metadata: objectMeta,
  spec: struct({
    replicas: scalar,
    paused: scalar,
    selector: struct(
      { matchLabels: strings, matchExpressions: list(struct({ key: scalar }), "atomic") },
      { atomic: true },
    ),
    template: struct({ metadata: objectMeta, spec: podSpec }),
    strategy: struct({ type: scalar, rollingUpdate: struct({ maxSurge: scalar }) }),
  }),
  status: struct({
    replicas: scalar,
    conditions: list(struct({ type: scalar, status: scalar }), "map", ["type"]),
  }),
});
