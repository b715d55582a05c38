/**
 * apps/v1 defaulting (upstream `pkg/apis/apps/v1/defaults.go`), with the pod template defaulted
 * as a pod spec.
 */
import type {
  DaemonSet,
  Deployment,
  PersistentVolumeClaim,
  ReplicaSet,
  StatefulSet,
} from "../../generated/types.ts";
import { defaultPodTemplateSpec } from "./pod-defaults.ts";

export function defaultDeployment(d: Deployment): void {
  d.spec ??= { selector: {}, template: {} } as NonNullable<Deployment["spec"]>;
  const spec = d.spec;
  spec.replicas ??= 1;
  spec.strategy ??= {};
  const strategy = spec.strategy;
  strategy.type ??= "RollingUpdate";
  if (strategy.type === "RollingUpdate") {
    strategy.rollingUpdate ??= {};
    const rollingUpdate = strategy.rollingUpdate;
    rollingUpdate.maxUnavailable ??= "25%";
    rollingUpdate.maxSurge ??= "25%";
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplateSpec(spec.template);
}

export function defaultReplicaSet(rs: ReplicaSet): void {
  rs.spec ??= {} as NonNullable<ReplicaSet["spec"]>;
  const spec = rs.spec;
  spec.replicas ??= 1;
  defaultPodTemplateSpec(spec.template);
}

export function defaultStatefulSet(sts: StatefulSet): void {
  sts.spec ??= {} as NonNullable<StatefulSet["spec"]>;
  const spec = sts.spec;
  spec.podManagementPolicy ??= "OrderedReady";
  spec.updateStrategy ??= {};
  const strategy = spec.updateStrategy;
  if (!strategy.type) {
    strategy.type = "RollingUpdate";
    strategy.rollingUpdate ??= {};
  }
  if (strategy.type === "RollingUpdate" && strategy.rollingUpdate) {
    strategy.rollingUpdate.partition ??= 0;
  }
  spec.persistentVolumeClaimRetentionPolicy ??= {};
  const retention = spec.persistentVolumeClaimRetentionPolicy;
  retention.whenDeleted ??= "Retain";
  retention.whenScaled ??= "Retain";
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplateSpec(spec.template);
  for (const claim of spec.volumeClaimTemplates ?? []) defaultClaimTemplate(claim);
}

/** `SetDefaults_PersistentVolumeClaim` and its spec, as they apply to claim templates. */
function defaultClaimTemplate(claim: PersistentVolumeClaim): void {
  claim.spec ??= {};
  const spec = claim.spec;
  spec.volumeMode ??= "Filesystem";
  claim.status ??= {};
  const status = claim.status;
  status.phase ??= "Pending";
}

export function defaultDaemonSet(ds: DaemonSet): void {
  ds.spec ??= {} as NonNullable<DaemonSet["spec"]>;
  const spec = ds.spec;
  spec.updateStrategy ??= {};
  const strategy = spec.updateStrategy;
  strategy.type ??= "RollingUpdate";
  if (strategy.type === "RollingUpdate") {
    strategy.rollingUpdate ??= {};
    const rollingUpdate = strategy.rollingUpdate;
    rollingUpdate.maxUnavailable ??= 1;
    rollingUpdate.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplateSpec(spec.template);
}
