/**
 * The files of configMap, secret, downwardAPI and projected volumes (upstream
 * `pkg/volume/{configmap,secret,downwardapi,projected}`), computed from the API objects; the
 * atomic writer puts them on disk. A missing object or key that is not optional is a
 * `VolumeError` with upstream's message; the pod then waits in ContainerCreating.
 */
import type {
  ConfigMapProjection,
  DownwardAPIVolumeFile,
  KeyToPath,
  SecretProjection,
  ServiceAccountTokenProjection,
  VolumeProjection,
} from "../../api/generated/types.ts";
import type { Clock } from "../../machinery/clock.ts";
import { type PodIPs, podFieldValue, resourceFieldValue } from "../kuberuntime/field-ref.ts";
import type { IssuedToken, PodObjects } from "../pod-objects.ts";
import type { Pod } from "../pod-source.ts";
import type { FileProjection } from "./atomic-writer.ts";

export class VolumeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VolumeError";
  }
}

export const defaultVolumeMode = 0o644;

export type Payload = Map<string, FileProjection>;

export interface ProjectionContext {
  readonly pod: Pod;
  readonly objects: PodObjects;
  readonly ips: PodIPs;
  readonly allocatable: Readonly<Record<string, string>>;
  readonly tokens: TokenCache;
}

function fromKeys(
  data: Record<string, Buffer>,
  items: readonly KeyToPath[] | undefined,
  mode: number,
  optional: boolean,
  missingKey: (key: string) => string,
): Payload {
  const out: Payload = new Map();
  if (!items || items.length === 0) {
    for (const [k, v] of Object.entries(data)) out.set(k, { data: v, mode });
    return out;
  }
  for (const item of items) {
    const v = data[item.key];
    if (v === undefined) {
      if (optional) continue;
      throw new VolumeError(missingKey(item.key));
    }
    out.set(item.path, { data: v, mode: item.mode ?? mode });
  }
  return out;
}

export async function configMapPayload(
  ctx: ProjectionContext,
  source: ConfigMapProjection,
  mode: number,
): Promise<Payload> {
  const ns = ctx.pod.metadata?.namespace ?? "default";
  const name = source.name ?? "";
  const cm = await ctx.objects.configMap(ns, name);
  if (!cm) {
    if (source.optional) return new Map();
    throw new VolumeError(`configmap "${name}" not found`);
  }
  const data: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(cm.data ?? {})) data[k] = Buffer.from(v);
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) data[k] = Buffer.from(v, "base64");
  return fromKeys(
    data,
    source.items,
    mode,
    Boolean(source.optional),
    (k) => `configmap references non-existent config key: ${k}`,
  );
}

export async function secretPayload(
  ctx: ProjectionContext,
  source: SecretProjection,
  mode: number,
): Promise<Payload> {
  const ns = ctx.pod.metadata?.namespace ?? "default";
  const name = source.name ?? "";
  const secret = await ctx.objects.secret(ns, name);
  if (!secret) {
    if (source.optional) return new Map();
    throw new VolumeError(`secret "${name}" not found`);
  }
  const data: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(secret.data ?? {})) data[k] = Buffer.from(v, "base64");
  return fromKeys(
    data,
    source.items,
    mode,
    Boolean(source.optional),
    (k) => `references non-existent secret key: ${k}`,
  );
}

export function downwardAPIPayload(
  ctx: ProjectionContext,
  items: readonly DownwardAPIVolumeFile[] | undefined,
  mode: number,
): Payload {
  const out: Payload = new Map();
  for (const item of items ?? []) {
    let value = "";
    try {
      if (item.fieldRef) value = podFieldValue(ctx.pod, item.fieldRef.fieldPath, ctx.ips);
      else if (item.resourceFieldRef) {
        const ref = item.resourceFieldRef;
        value = resourceFieldValue(
          ctx.pod,
          {
            containerName: ref.containerName ?? "",
            resource: ref.resource,
            ...(ref.divisor ? { divisor: String(ref.divisor) } : {}),
          },
          ctx.allocatable,
        );
      }
    } catch (err) {
      throw new VolumeError((err as Error).message);
    }
    out.set(item.path, { data: Buffer.from(value), mode: item.mode ?? mode });
  }
  return out;
}

async function tokenPayload(
  ctx: ProjectionContext,
  source: ServiceAccountTokenProjection,
  mode: number,
): Promise<Payload> {
  const token = await ctx.tokens.get(ctx.pod, source);
  return new Map([[source.path, { data: Buffer.from(token.token), mode }]]);
}

export async function projectedPayload(
  ctx: ProjectionContext,
  sources: readonly VolumeProjection[] | undefined,
  mode: number,
): Promise<Payload> {
  const out: Payload = new Map();
  for (const s of sources ?? []) {
    let part: Payload = new Map();
    if (s.configMap) part = await configMapPayload(ctx, s.configMap, mode);
    else if (s.secret) part = await secretPayload(ctx, s.secret, mode);
    else if (s.downwardAPI) part = downwardAPIPayload(ctx, s.downwardAPI.items, mode);
    else if (s.serviceAccountToken) part = await tokenPayload(ctx, s.serviceAccountToken, mode);
    for (const [k, v] of part) out.set(k, v);
  }
  return out;
}

/**
 * Bound service-account tokens per pod and projection (upstream `pkg/kubelet/token`): a token is
 * requested once and renewed when 80 % of its lifetime has passed or it is older than 24 h.
 */
export class TokenCache {
  readonly #objects: PodObjects;
  readonly #clock: Clock;
  readonly #tokens = new Map<string, IssuedToken & { issuedAt: number }>();

  constructor(objects: PodObjects, clock: Clock) {
    this.#objects = objects;
    this.#clock = clock;
  }

  async get(pod: Pod, source: ServiceAccountTokenProjection): Promise<IssuedToken> {
    const uid = pod.metadata?.uid ?? "";
    const expirationSeconds = source.expirationSeconds ?? 3600;
    const key = `${uid}/${source.audience ?? ""}/${expirationSeconds}`;
    const now = this.#clock.now();
    const cached = this.#tokens.get(key);
    if (cached) {
      const ttl = cached.expiresAt - cached.issuedAt;
      const fresh = now < cached.issuedAt + ttl * 0.8 && now - cached.issuedAt < 24 * 3600_000;
      if (fresh) return cached;
    }
    const issued = await this.#objects.serviceAccountToken({
      namespace: pod.metadata?.namespace ?? "default",
      serviceAccountName: pod.spec?.serviceAccountName || "default",
      podName: pod.metadata?.name ?? "",
      podUid: uid,
      ...(source.audience ? { audiences: [source.audience] } : {}),
      expirationSeconds,
    });
    this.#tokens.set(key, { ...issued, issuedAt: now });
    return issued;
  }

  forget(uid: string): void {
    for (const k of this.#tokens.keys()) if (k.startsWith(`${uid}/`)) this.#tokens.delete(k);
  }
}
