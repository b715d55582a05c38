/**
 * Pod defaulting (upstream `pkg/apis/core/v1/defaults.go`): `SetDefaults_PodSpec`,
 * `SetDefaults_Container`, probes, ports and volume sources, plus what `SetDefaults_Pod` adds to
 * pods only (enableServiceLinks, limits copied into missing requests).
 */
import type {
  Container,
  HTTPGetAction,
  Pod,
  PodSpec,
  PodTemplateSpec,
  Probe,
  Volume,
} from "../../generated/types.ts";

/** `SetDefaults_Pod` then the spec's defaults. */
export function defaultPod(pod: Pod): void {
  pod.spec ??= { containers: [] };
  const spec = pod.spec;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    copyLimitsToRequests(c);
  }
  spec.enableServiceLinks ??= true;
  defaultPodSpec(spec);
}

/** A pod template gets the spec defaults (not the pod-only ones). */
export function defaultPodTemplateSpec(template: PodTemplateSpec | undefined): void {
  if (!template) return;
  template.spec ??= { containers: [] };
  defaultPodSpec(template.spec);
}

/** `SetDefaults_PodSpec` with everything it recurses into. */
export function defaultPodSpec(spec: PodSpec): void {
  spec.dnsPolicy ??= "ClusterFirst";
  spec.restartPolicy ??= "Always";
  if (spec.hostNetwork) {
    defaultHostNetworkPorts(spec.containers);
    defaultHostNetworkPorts(spec.initContainers);
  }
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= "default-scheduler";
  // The v1 conversion keeps the deprecated serviceAccount in step with serviceAccountName.
  if (!spec.serviceAccountName && spec.serviceAccount)
    spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const v of spec.volumes ?? []) defaultVolume(v);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c as Container);
}

function defaultHostNetworkPorts(containers: Container[] | undefined): void {
  for (const c of containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
}

function copyLimitsToRequests(c: Container): void {
  const limits = c.resources?.limits;
  if (!limits || Object.keys(limits).length === 0) return;
  const resources = c.resources ?? {};
  resources.requests ??= {};
  for (const [name, value] of Object.entries(limits)) {
    if (!(name in resources.requests)) resources.requests[name] = value;
  }
}

/** `SetDefaults_Container` and the defaults of its ports, probes, lifecycle and env. */
export function defaultContainer(c: Container): void {
  c.imagePullPolicy ??= imageTag(c.image ?? "") === "latest" ? "Always" : "IfNotPresent";
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  // Go always serializes the (non-pointer) resources struct.
  c.resources ??= {};
  for (const p of c.ports ?? []) p.protocol ??= "TCP";
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) defaultProbe(probe);
  defaultHTTPGet(c.lifecycle?.postStart?.httpGet);
  defaultHTTPGet(c.lifecycle?.preStop?.httpGet);
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.fieldRef;
    if (ref) ref.apiVersion ??= "v1";
  }
}

/**
 * The tag `ParseImageName` finds: the part after the last ':' of the last path segment, "latest"
 * when there is neither tag nor digest, "" with only a digest.
 */
export function imageTag(image: string): string {
  const at = image.indexOf("@");
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSegment = name.slice(name.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  if (colon >= 0) return lastSegment.slice(colon + 1);
  return at >= 0 ? "" : "latest";
}

function defaultProbe(probe: Probe | undefined): void {
  if (!probe) return;
  if (!probe.timeoutSeconds) probe.timeoutSeconds = 1;
  if (!probe.periodSeconds) probe.periodSeconds = 10;
  if (!probe.successThreshold) probe.successThreshold = 1;
  if (!probe.failureThreshold) probe.failureThreshold = 3;
  defaultHTTPGet(probe.httpGet);
}

function defaultHTTPGet(action: HTTPGetAction | undefined): void {
  if (!action) return;
  if (!action.path) action.path = "/";
  action.scheme ??= "HTTP";
}

/** Every source a volume may name (the fields of `VolumeSource`). */
export const volumeSourceFields = [
  "hostPath",
  "emptyDir",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "gitRepo",
  "secret",
  "nfs",
  "iscsi",
  "glusterfs",
  "persistentVolumeClaim",
  "rbd",
  "flexVolume",
  "cinder",
  "cephfs",
  "flocker",
  "downwardAPI",
  "fc",
  "azureFile",
  "configMap",
  "vsphereVolume",
  "quobyte",
  "azureDisk",
  "photonPersistentDisk",
  "projected",
  "portworxVolume",
  "scaleIO",
  "storageos",
  "csi",
  "ephemeral",
  "image",
] as const satisfies readonly (keyof Volume)[];

const defaultFileMode = 420; // 0644

/** `SetDefaults_Volume` (no source: emptyDir) and the defaults of the common sources. */
export function defaultVolume(v: Volume): void {
  if (volumeSourceFields.every((f) => v[f] === undefined || v[f] === null)) v.emptyDir = {};
  if (v.configMap) v.configMap.defaultMode ??= defaultFileMode;
  if (v.secret) v.secret.defaultMode ??= defaultFileMode;
  if (v.downwardAPI) v.downwardAPI.defaultMode ??= defaultFileMode;
  if (v.projected) {
    v.projected.defaultMode ??= defaultFileMode;
    for (const source of v.projected.sources ?? []) {
      if (source.serviceAccountToken) source.serviceAccountToken.expirationSeconds ??= 3600;
      for (const item of source.downwardAPI?.items ?? []) {
        if (item.fieldRef) item.fieldRef.apiVersion ??= "v1";
      }
    }
  }
  for (const item of v.downwardAPI?.items ?? []) {
    if (item.fieldRef) item.fieldRef.apiVersion ??= "v1";
  }
  if (v.hostPath) v.hostPath.type ??= "";
}
