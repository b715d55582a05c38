/**
 * `kubectl get` tables of the apps/v1 kinds (upstream `printDeployment`, `printReplicaSet`,
 * `printStatefulSet`, `printDaemonSet`, `printControllerRevision`).
 */
import type {
  Container,
  ControllerRevision,
  DaemonSet,
  Deployment,
  ReplicaSet,
  StatefulSet,
} from "../../generated/types.ts";
import { parseApiVersion } from "../../object.ts";
import { column, type Printer } from "../../printer.ts";
import {
  ageColumn,
  ageOf,
  containerCells,
  containerColumns,
  formatLabels,
  nameColumn,
  nameOf,
  selectorColumn,
  selectorString,
} from "./common.ts";

export const deploymentPrinter: Printer<Deployment> = {
  columns: [
    nameColumn(),
    column("Ready", { description: "Number of the pod with ready state" }),
    column("Up-to-date", {
      description:
        "Total number of non-terminating pods targeted by this deployment that have the desired template spec.",
    }),
    column("Available", {
      description:
        "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.",
    }),
    ageColumn(),
    ...containerColumns(),
    selectorColumn(),
  ],
  row(d, now) {
    const status = d.status ?? {};
    return [
      nameOf(d),
      `${status.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      status.updatedReplicas ?? 0,
      status.availableReplicas ?? 0,
      ageOf(d, now),
      ...containerCells(d.spec?.template?.spec?.containers),
      selectorString(d.spec?.selector),
    ];
  },
};

export const replicaSetPrinter: Printer<ReplicaSet> = {
  columns: [
    nameColumn(),
    column("Desired", { type: "integer", description: "Replicas is the number of desired pods." }),
    column("Current", {
      type: "integer",
      description: "Replicas is the most recently observed number of non-terminating pods.",
    }),
    column("Ready", {
      type: "integer",
      description:
        "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.",
    }),
    ageColumn(),
    ...containerColumns(),
    selectorColumn(),
  ],
  row: (rs, now) => replicatedRow(rs, now, selectorString(rs.spec?.selector)),
};

/** A ReplicaSet's or ReplicationController's row: desired, current, ready, containers, selector. */
export function replicatedRow(
  o: {
    metadata?: { name?: string; creationTimestamp?: string };
    spec?: { replicas?: number; template?: { spec?: { containers?: Container[] } } };
    status?: { replicas?: number; readyReplicas?: number };
  },
  now: number,
  selector: string,
) {
  return [
    nameOf(o),
    o.spec?.replicas ?? 0,
    o.status?.replicas ?? 0,
    o.status?.readyReplicas ?? 0,
    ageOf(o, now),
    ...containerCells(o.spec?.template?.spec?.containers),
    selector,
  ];
}

export const statefulSetPrinter: Printer<StatefulSet> = {
  columns: [
    nameColumn(),
    column("Ready", { description: "Number of the pod with ready state" }),
    ageColumn(),
    ...containerColumns(),
  ],
  row(sts, now) {
    return [
      nameOf(sts),
      `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 0}`,
      ageOf(sts, now),
      ...containerCells(sts.spec?.template?.spec?.containers),
    ];
  },
};

export const daemonSetPrinter: Printer<DaemonSet> = {
  columns: [
    nameColumn(),
    column("Desired", {
      type: "integer",
      description:
        "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).",
    }),
    column("Current", {
      type: "integer",
      description:
        "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.",
    }),
    column("Ready", {
      type: "integer",
      description:
        "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.",
    }),
    column("Up-to-date", {
      type: "integer",
      description: "The total number of nodes that are running updated daemon pod",
    }),
    column("Available", {
      type: "integer",
      description:
        "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)",
    }),
    column("Node Selector", {
      description:
        "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node.",
    }),
    ageColumn(),
    ...containerColumns(),
    selectorColumn(),
  ],
  row(ds, now) {
    const s = ds.status;
    return [
      nameOf(ds),
      s?.desiredNumberScheduled ?? 0,
      s?.currentNumberScheduled ?? 0,
      s?.numberReady ?? 0,
      s?.updatedNumberScheduled ?? 0,
      s?.numberAvailable ?? 0,
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      ageOf(ds, now),
      ...containerCells(ds.spec?.template?.spec?.containers),
      selectorString(ds.spec?.selector),
    ];
  },
};

/** The controlling owner as `<kind>.<group>/<name>` ("<none>" without one). */
function controllerName(rev: ControllerRevision): string {
  const ref = (rev.metadata?.ownerReferences ?? []).find((o) => o.controller === true);
  if (!ref) return "<none>";
  const { group } = parseApiVersion(ref.apiVersion ?? "");
  const kind = group ? `${ref.kind}.${group}` : ref.kind;
  return kind ? `${kind.toLowerCase()}/${ref.name}` : ref.name;
}

export const controllerRevisionPrinter: Printer<ControllerRevision> = {
  columns: [
    nameColumn(),
    column("Controller", { description: "Controller of the object" }),
    column("Revision", {
      type: "integer",
      description: "Revision indicates the revision of the state represented by Data.",
    }),
    ageColumn(),
  ],
  row(rev, now) {
    return [nameOf(rev), controllerName(rev), rev.revision ?? 0, ageOf(rev, now)];
  },
};
