/**
 * What a pod refers to, as the Node authorizer's graph records it (upstream
 * `podutil.VisitPodSecretNames`, `VisitPodConfigmapNames` and the graph populator): secrets,
 * config maps and claims in the pod's namespace, and its service account.
 */
import type {
  Container,
  EphemeralContainer,
  LocalObjectReference,
  Pod,
  Volume,
} from "../../../api/generated/types.ts";

export interface PodReferences {
  readonly secrets: ReadonlySet<string>;
  readonly configMaps: ReadonlySet<string>;
  readonly persistentVolumeClaims: ReadonlySet<string>;
  /** Empty when the pod names none. */
  readonly serviceAccount: string;
}

type AnyContainer = Container | EphemeralContainer;

function allContainers(pod: Pod): AnyContainer[] {
  const spec = pod.spec;
  return [
    ...(spec?.initContainers ?? []),
    ...(spec?.containers ?? []),
    ...(spec?.ephemeralContainers ?? []),
  ];
}

function addName(set: Set<string>, name: string | undefined): void {
  if (name) set.add(name);
}

function addRef(set: Set<string>, ref: LocalObjectReference | undefined): void {
  addName(set, ref?.name);
}

/** Secrets a volume names, including credentials of network and CSI volumes. */
function volumeSecrets(v: Volume, secrets: Set<string>): void {
  addName(secrets, v.secret?.secretName);
  addName(secrets, v.azureFile?.secretName);
  for (const ref of [
    v.cephfs?.secretRef,
    v.cinder?.secretRef,
    v.flexVolume?.secretRef,
    v.rbd?.secretRef,
    v.scaleIO?.secretRef,
    v.iscsi?.secretRef,
    v.storageos?.secretRef,
    v.csi?.nodePublishSecretRef,
  ]) {
    addRef(secrets, ref);
  }
  for (const source of v.projected?.sources ?? []) addName(secrets, source.secret?.name);
}

function volumeConfigMaps(v: Volume, configMaps: Set<string>): void {
  addName(configMaps, v.configMap?.name);
  for (const source of v.projected?.sources ?? []) addName(configMaps, source.configMap?.name);
}

function containerRefs(c: AnyContainer, secrets: Set<string>, configMaps: Set<string>): void {
  for (const from of c.envFrom ?? []) {
    addName(secrets, from.secretRef?.name);
    addName(configMaps, from.configMapRef?.name);
  }
  for (const env of c.env ?? []) {
    addName(secrets, env.valueFrom?.secretKeyRef?.name);
    addName(configMaps, env.valueFrom?.configMapKeyRef?.name);
  }
}

/** Everything `pod` refers to by name (all in the pod's namespace). */
export function podReferences(pod: Pod): PodReferences {
  const secrets = new Set<string>();
  const configMaps = new Set<string>();
  const claims = new Set<string>();
  for (const ref of pod.spec?.imagePullSecrets ?? []) addRef(secrets, ref);
  for (const c of allContainers(pod)) containerRefs(c, secrets, configMaps);
  for (const v of pod.spec?.volumes ?? []) {
    volumeSecrets(v, secrets);
    volumeConfigMaps(v, configMaps);
    addName(claims, v.persistentVolumeClaim?.claimName);
    // A generic ephemeral volume's claim is named <pod>-<volume>.
    if (v.ephemeral) claims.add(`${pod.metadata?.name ?? ""}-${v.name}`);
  }
  return {
    secrets,
    configMaps,
    persistentVolumeClaims: claims,
    serviceAccount: pod.spec?.serviceAccountName || pod.spec?.serviceAccount || "",
  };
}
