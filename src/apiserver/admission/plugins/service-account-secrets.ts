/**
 * The secret-reference rules of the ServiceAccount plugin: which secrets a pod names
 * (`podutil.VisitPodSecretNames`, for mirror pods), and, for accounts annotated
 * `kubernetes.io/enforce-mountable-secrets: "true"`, that the pod names only the account's
 * secrets (`limitSecretReferences`).
 */
import type { Container, Pod, ServiceAccount } from "../../../api/generated/types.ts";

export const enforceMountableSecretsAnnotation = "kubernetes.io/enforce-mountable-secrets";

/** Go's `strconv.ParseBool` truth values. */
const trueValues = new Set(["1", "t", "T", "TRUE", "true", "True"]);

export function enforceMountableSecrets(sa: ServiceAccount): boolean {
  const value = sa.metadata?.annotations?.[enforceMountableSecretsAnnotation];
  return value !== undefined && trueValues.has(value);
}

function allContainers(pod: Pod): Container[] {
  const spec = pod.spec;
  return [
    ...(spec?.initContainers ?? []),
    ...(spec?.containers ?? []),
    ...((spec?.ephemeralContainers ?? []) as Container[]),
  ];
}

/** Whether any part of the pod names a secret (image pull, env, volumes, projections). */
export function podReferencesSecrets(pod: Pod): boolean {
  if ((pod.spec?.imagePullSecrets ?? []).length > 0) return true;
  for (const c of allContainers(pod)) {
    if ((c.envFrom ?? []).some((e) => e.secretRef !== undefined)) return true;
    if ((c.env ?? []).some((e) => e.valueFrom?.secretKeyRef !== undefined)) return true;
  }
  for (const v of pod.spec?.volumes ?? []) {
    if (v.secret !== undefined) return true;
    if ((v.projected?.sources ?? []).some((s) => s.secret !== undefined)) return true;
    // Volume plugins that take a secretRef (cephfs, cinder, flexVolume, iscsi, rbd, scaleIO,
    // storageos, azureFile by name, csi by nodePublishSecretRef).
    for (const source of Object.values(v) as unknown[]) {
      if (typeof source !== "object" || source === null) continue;
      const s = source as Record<string, unknown>;
      if (
        s.secretRef !== undefined ||
        s.nodePublishSecretRef !== undefined ||
        s.secretName !== undefined
      ) {
        return true;
      }
    }
  }
  return false;
}

/** The first reference to a secret the account does not list, as upstream words it. */
export function limitSecretReferences(sa: ServiceAccount, pod: Pod): string | undefined {
  const account = sa.metadata?.name ?? "";
  const mountable = new Set((sa.secrets ?? []).map((s) => s.name ?? ""));
  for (const v of pod.spec?.volumes ?? []) {
    const name = v.secret?.secretName;
    if (v.secret && !mountable.has(name ?? "")) {
      return `volume with secret.secretName="${name ?? ""}" is not allowed because service account ${account} does not reference that secret`;
    }
  }
  const groups: [string, Container[] | undefined][] = [
    ["init container", pod.spec?.initContainers],
    ["container", pod.spec?.containers],
  ];
  for (const [kind, containers] of groups) {
    for (const c of containers ?? []) {
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref && !mountable.has(ref.name ?? "")) {
          return `${kind} ${c.name} with envVar ${e.name} referencing secret.secretName="${ref.name ?? ""}" is not allowed because service account ${account} does not reference that secret`;
        }
      }
      for (const e of c.envFrom ?? []) {
        if (e.secretRef && !mountable.has(e.secretRef.name ?? "")) {
          return `${kind} ${c.name} with envFrom referencing secret.secretName="${e.secretRef.name ?? ""}" is not allowed because service account ${account} does not reference that secret`;
        }
      }
    }
  }
  const pullSecrets = new Set((sa.imagePullSecrets ?? []).map((s) => s.name ?? ""));
  const pull = pod.spec?.imagePullSecrets ?? [];
  for (const [i, ref] of pull.entries()) {
    if (!pullSecrets.has(ref.name ?? "")) {
      return `imagePullSecrets[${i}].name="${ref.name ?? ""}" is not allowed because service account ${account} does not reference that imagePullSecret`;
    }
  }
  return undefined;
}
