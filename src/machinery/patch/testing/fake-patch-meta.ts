/**
 * Hand-built `PatchMeta` for tests: a few builders and Pod/Deployment-shaped metas with the merge
 * strategies of k8s.io/api (the real ones come from the API schema in src/api/). Test-only.
 */
import type { PatchMeta } from "../patch-meta.ts";

export interface StrategyOptions {
  readonly patchStrategy?: string;
  readonly patchMergeKey?: string;
}

function meta(
  kind: PatchMeta["kind"],
  options: StrategyOptions,
  field: (name: string) => PatchMeta | undefined,
  elements: () => PatchMeta | undefined,
): PatchMeta {
  return {
    kind,
    ...(options.patchStrategy === undefined ? {} : { patchStrategy: options.patchStrategy }),
    ...(options.patchMergeKey === undefined ? {} : { patchMergeKey: options.patchMergeKey }),
    field,
    elements,
  };
}

export const primitive: PatchMeta = meta(
  "primitive",
  {},
  () => undefined,
  () => undefined,
);

/** A struct; `fields` may be a function so that types can refer to themselves. */
export function struct(
  fields: Record<string, PatchMeta> | (() => Record<string, PatchMeta>),
  options: StrategyOptions = {},
): PatchMeta {
  const lookup = (name: string) => {
    const table = typeof fields === "function" ? fields() : fields;
    return Object.hasOwn(table, name) ? table[name] : undefined;
  };
  return meta("struct", options, lookup, () => undefined);
}

export function map(values: PatchMeta = primitive, options: StrategyOptions = {}): PatchMeta {
  return meta(
    "map",
    options,
    () => undefined,
    () => values,
  );
}

export function list(elements: PatchMeta = primitive, options: StrategyOptions = {}): PatchMeta {
  return meta(
    "list",
    options,
    () => undefined,
    () => elements,
  );
}

/** A list merged on `key` ("merge" strategy, or e.g. "merge,retainKeys"). */
export const keyedList = (elements: PatchMeta, key: string, patchStrategy = "merge"): PatchMeta =>
  list(elements, { patchStrategy, patchMergeKey: key });

/** A primitive list merged as an ordered set, like `finalizers`. */
export const setList = (): PatchMeta => list(primitive, { patchStrategy: "merge" });

const p = primitive;

export const objectMetaMeta = struct({
  name: p,
  namespace: p,
  resourceVersion: p,
  labels: map(),
  annotations: map(),
  finalizers: setList(),
  ownerReferences: keyedList(
    struct({ apiVersion: p, kind: p, name: p, uid: p, controller: p }),
    "uid",
  ),
});

export const containerMeta = struct({
  name: p,
  image: p,
  imagePullPolicy: p,
  args: list(),
  command: list(),
  ports: keyedList(struct({ containerPort: p, protocol: p, name: p }), "containerPort"),
  env: keyedList(struct({ name: p, value: p, valueFrom: struct({}) }), "name"),
  envFrom: list(struct({})),
  volumeMounts: keyedList(struct({ name: p, mountPath: p, readOnly: p }), "mountPath"),
  resources: struct({ limits: map(), requests: map() }),
});

export const volumeMeta = struct({
  name: p,
  emptyDir: struct({ medium: p, sizeLimit: p }),
  configMap: struct({ name: p, items: list(struct({ key: p, path: p })), defaultMode: p }),
  secret: struct({ secretName: p }),
  hostPath: struct({ path: p, type: p }),
});

export const podSpecMeta = struct({
  containers: keyedList(containerMeta, "name"),
  initContainers: keyedList(containerMeta, "name"),
  volumes: keyedList(volumeMeta, "name", "merge,retainKeys"),
  tolerations: list(struct({ key: p, operator: p, value: p, effect: p })),
  imagePullSecrets: keyedList(struct({ name: p }), "name"),
  hostAliases: keyedList(struct({ ip: p, hostnames: list() }), "ip"),
  nodeSelector: map(),
  nodeName: p,
  restartPolicy: p,
  securityContext: struct({ runAsUser: p, runAsNonRoot: p }),
});

export const podMeta = struct({
  apiVersion: p,
  kind: p,
  metadata: objectMetaMeta,
  spec: podSpecMeta,
  status: struct({ phase: p, conditions: keyedList(struct({ type: p, status: p }), "type") }),
});

export const deploymentMeta = struct({
  apiVersion: p,
  kind: p,
  metadata: objectMetaMeta,
  spec: struct({
    replicas: p,
    selector: struct({ matchLabels: map() }),
    strategy: struct(
      { type: p, rollingUpdate: struct({ maxSurge: p, maxUnavailable: p }) },
      { patchStrategy: "retainKeys" },
    ),
    template: struct({ metadata: objectMetaMeta, spec: podSpecMeta }),
  }),
});

/** The `MergeItem` type of upstream's strategicpatch tests, for porting their cases. */
export const mergeItemMeta: PatchMeta = struct(() => ({
  name: p,
  value: p,
  other: p,
  mergingList: keyedList(mergeItemMeta, "name"),
  nonMergingList: list(mergeItemMeta),
  mergingIntList: setList(),
  nonMergingIntList: list(),
  simpleMap: map(),
  replacingItem: struct({}, { patchStrategy: "replace" }),
  retainKeysMap: struct(
    {
      name: p,
      value: p,
      other: p,
      simpleMap: map(),
      mergingIntList: setList(),
      mergingList: keyedList(mergeItemMeta, "name"),
      nonMergingList: list(mergeItemMeta),
    },
    { patchStrategy: "retainKeys" },
  ),
  retainKeysMergingList: keyedList(mergeItemMeta, "name", "merge,retainKeys"),
}));
