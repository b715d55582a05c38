/**
 * ServiceAccount (upstream `plugin/pkg/admission/serviceaccount`): a new pod runs as a service
 * account (`default` unless named), which must exist; unless the pod or the account opts out,
 * the pod gets a projected `kube-api-access-xxxxx` volume (bound token, cluster CA, namespace)
 * mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount in every container. Mirror
 * pods are left alone but may not reference accounts, secrets or token projections.
 *
 * Reads serviceaccounts from the `AdmissionReader`.
 */
import { randomInt } from "node:crypto";
import type { Container, Pod, ServiceAccount, Volume } from "../../../api/generated/types.ts";
import type { KubeObject } from "../../../api/object.ts";
import { newNotFound } from "../../../machinery/status.ts";
import type { AdmissionAttributes, AdmissionPlugin } from "../admission.ts";
import { admissionForbidden, isResource } from "./forbidden.ts";
import { type AdmissionReader, getAs } from "./reader.ts";
import {
  enforceMountableSecrets,
  limitSecretReferences,
  podReferencesSecrets,
} from "./service-account-secrets.ts";

export const defaultServiceAccountName = "default";
export const serviceAccountVolumeName = "kube-api-access";
export const defaultAPITokenMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
export const mirrorPodAnnotation = "kubernetes.io/config.mirror";
/** `serviceaccount.WarnOnlyBoundTokenExpirationSeconds`: one hour and seven seconds. */
export const tokenExpirationSeconds = 60 * 60 + 7;

const suffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

/** Five characters of upstream's `utilrand.String` alphabet. */
export function randomSuffix(): string {
  let s = "";
  for (let i = 0; i < 5; i++) s += suffixAlphabet[randomInt(suffixAlphabet.length)];
  return s;
}

export interface ServiceAccountOptions {
  readonly reader: AdmissionReader;
  /** The 5-character volume-name suffix (tests fix it). */
  readonly suffix?: () => string;
  /** Mount tokens at all (upstream `MountServiceAccountToken`, default true). */
  readonly mountServiceAccountToken?: boolean;
  /** Waits between lookups of a missing `default` account (tests make it instant). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * A namespace's `default` account is made by the serviceaccounts controller just after the
 * namespace, so a pod applied together with its namespace can arrive first. As upstream, the
 * lookup of `default` is tried this many times, one random 100–200 ms interval apart, before
 * the pod is refused; any other account is looked up once.
 */
export const defaultAccountAttempts = 10;

/** `TokenVolumeSource`: the projected sources of the API-access volume. */
export function tokenVolume(name: string): Volume {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: tokenExpirationSeconds, path: "token" } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        {
          downwardAPI: {
            items: [
              {
                path: "namespace",
                fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" },
              },
            ],
          },
        },
      ],
    },
  };
}

function shouldIgnore(attrs: AdmissionAttributes): boolean {
  if (!isResource(attrs, "", "pods")) return true;
  if (attrs.subresource !== "" && attrs.subresource !== "ephemeralcontainers") return true;
  return attrs.object === undefined;
}

const isMirrorPod = (pod: Pod) =>
  Object.hasOwn(pod.metadata?.annotations ?? {}, mirrorPodAnnotation);

function shouldAutomount(sa: ServiceAccount, pod: Pod): boolean {
  return pod.spec?.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true;
}

/** Mounts the token volume into every container lacking a mount at the token path. */
function mountServiceAccountToken(pod: Pod, suffix: () => string): void {
  pod.spec ??= { containers: [] };
  const spec = pod.spec;
  const existing = (spec.volumes ?? []).find((v) =>
    v.name.startsWith(`${serviceAccountVolumeName}-`),
  );
  const volumeName = existing?.name ?? `${serviceAccountVolumeName}-${suffix()}`;
  let needsVolume = false;
  const mount = (c: Container) => {
    if ((c.volumeMounts ?? []).some((m) => m.mountPath === defaultAPITokenMountPath)) return;
    c.volumeMounts = [
      ...(c.volumeMounts ?? []),
      { name: volumeName, readOnly: true, mountPath: defaultAPITokenMountPath },
    ];
    needsVolume = true;
  };
  for (const c of spec.initContainers ?? []) mount(c);
  for (const c of spec.containers ?? []) mount(c);
  if (!existing && needsVolume) spec.volumes = [...(spec.volumes ?? []), tokenVolume(volumeName)];
}

export function serviceAccountAdmission(options: ServiceAccountOptions): AdmissionPlugin {
  const { reader } = options;
  const suffix = options.suffix ?? randomSuffix;
  const mountTokens = options.mountServiceAccountToken ?? true;
  const sleep = options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));

  /** The account, or a Forbidden `error looking up service account ns/name: ... not found`. */
  const lookup = async (attrs: AdmissionAttributes, name: string): Promise<ServiceAccount> => {
    const attempts = name === defaultServiceAccountName ? defaultAccountAttempts : 1;
    const interval = 100 + randomInt(100);
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await sleep(interval);
      const sa = getAs<ServiceAccount>(reader, "", "serviceaccounts", attrs.namespace, name);
      if (sa !== undefined) return sa;
    }
    const notFound = newNotFound({ group: "", resource: "serviceaccount" }, name);
    return throwForbidden(
      attrs,
      `error looking up service account ${attrs.namespace}/${name}: ${notFound.message}`,
    );
  };
  const throwForbidden = (attrs: AdmissionAttributes, why: string): never => {
    throw admissionForbidden(attrs, why);
  };

  const validate = async (attrs: AdmissionAttributes): Promise<void> => {
    if (shouldIgnore(attrs) || attrs.operation !== "CREATE" || attrs.subresource !== "") return;
    const pod = attrs.object as Pod;
    if (isMirrorPod(pod)) return validateMirrorPod(attrs, pod);
    const name = pod.spec?.serviceAccountName ?? "";
    if (name === "") {
      throwForbidden(
        attrs,
        `no service account specified for pod ${attrs.namespace}/${pod.metadata?.name ?? ""}`,
      );
    }
    const sa = await lookup(attrs, name);
    if (enforceMountableSecrets(sa)) {
      const why = limitSecretReferences(sa, pod);
      if (why !== undefined) throwForbidden(attrs, why);
    }
  };

  return {
    name: "ServiceAccount",
    async admit(attrs) {
      if (shouldIgnore(attrs) || attrs.operation !== "CREATE" || attrs.subresource !== "") return;
      const pod = attrs.object as Pod & KubeObject;
      if (isMirrorPod(pod)) return validate(attrs);
      pod.spec ??= { containers: [] };
      const spec = pod.spec;
      const name = spec.serviceAccountName || defaultServiceAccountName;
      spec.serviceAccountName = name;
      // The v1 conversion keeps the deprecated field in step (see pod-defaults.ts).
      spec.serviceAccount = name;
      const sa = await lookup(attrs, name);
      if (mountTokens && shouldAutomount(sa, pod)) mountServiceAccountToken(pod, suffix);
      if ((spec.imagePullSecrets ?? []).length === 0 && (sa.imagePullSecrets ?? []).length > 0) {
        spec.imagePullSecrets = (sa.imagePullSecrets ?? []).map((s) => ({ name: s.name ?? "" }));
      }
      return validate(attrs);
    },
    validate,
  };
}

function validateMirrorPod(attrs: AdmissionAttributes, pod: Pod): void {
  if ((pod.spec?.serviceAccountName ?? "") !== "") {
    throw admissionForbidden(attrs, "a mirror pod may not reference service accounts");
  }
  if (podReferencesSecrets(pod)) {
    throw admissionForbidden(attrs, "a mirror pod may not reference secrets");
  }
  for (const v of pod.spec?.volumes ?? []) {
    if ((v.projected?.sources ?? []).some((s) => s.serviceAccountToken !== undefined)) {
      throw admissionForbidden(
        attrs,
        "a mirror pod may not use ServiceAccountToken volume projections",
      );
    }
  }
}
