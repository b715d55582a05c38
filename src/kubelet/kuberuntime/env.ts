/**
 * A container's environment (upstream `makeEnvironmentVariables`): service variables
 * (`KUBERNETES_SERVICE_HOST`… and, with enableServiceLinks, those of every service in the
 * namespace), then `envFrom` config maps and secrets, then `env` entries (value with `$(VAR)`
 * expansion, configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef). A missing required
 * object or key is a `ContainerConfigError` (the container waits with CreateContainerConfigError).
 */
import type { Container, Service } from "../../api/generated/types.ts";
import type { KeyValue } from "../cri/types.ts";
import type { PodObjects } from "../pod-objects.ts";
import type { Pod } from "../pod-source.ts";
import { expand } from "./expansion.ts";
import { type PodIPs, podFieldValue, resourceFieldValue } from "./field-ref.ts";

export class ContainerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ContainerConfigError";
  }
}

export interface EnvContext {
  readonly pod: Pod;
  readonly container: Container;
  readonly objects: PodObjects;
  readonly ips: PodIPs;
  readonly allocatable: Readonly<Record<string, string>>;
}

const envName = (s: string) => s.toUpperCase().replace(/-/g, "_");
const cIdentifier = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Upstream `FromServices`: the docker-links-style variables of each service. */
export function serviceEnv(services: readonly Service[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const svc of services) {
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === "None") continue;
    const name = envName(svc.metadata?.name ?? "");
    const ports = svc.spec?.ports ?? [];
    env.set(`${name}_SERVICE_HOST`, ip);
    if (ports[0]) env.set(`${name}_SERVICE_PORT`, String(ports[0].port));
    for (const p of ports) {
      if (p.name) env.set(`${name}_SERVICE_PORT_${envName(p.name)}`, String(p.port));
    }
    if (!ports[0]) continue;
    const proto = (p: (typeof ports)[number]) => (p.protocol ?? "TCP").toLowerCase();
    env.set(`${name}_PORT`, `${proto(ports[0])}://${ip}:${ports[0].port}`);
    for (const p of ports) {
      const prefix = `${name}_PORT_${p.port}_${(p.protocol ?? "TCP").toUpperCase()}`;
      env.set(prefix, `${proto(p)}://${ip}:${p.port}`);
      env.set(`${prefix}_PROTO`, proto(p));
      env.set(`${prefix}_PORT`, String(p.port));
      env.set(`${prefix}_ADDR`, ip);
    }
  }
  return env;
}

async function servicesFor(ctx: EnvContext): Promise<Service[]> {
  const ns = ctx.pod.metadata?.namespace ?? "default";
  const links = ctx.pod.spec?.enableServiceLinks !== false;
  const own = links ? await ctx.objects.services(ns) : [];
  const defaults = links && ns === "default" ? own : await ctx.objects.services("default");
  const master = defaults.find((s) => s.metadata?.name === "kubernetes");
  const byName = new Map(own.map((s) => [s.metadata?.name ?? "", s]));
  if (master && !byName.has("kubernetes")) byName.set("kubernetes", master);
  return [...byName.values()];
}

async function envFrom(ctx: EnvContext, env: Map<string, string>): Promise<void> {
  const ns = ctx.pod.metadata?.namespace ?? "default";
  for (const from of ctx.container.envFrom ?? []) {
    const prefix = from.prefix ?? "";
    if (from.configMapRef) {
      const { name = "", optional } = from.configMapRef;
      const cm = await ctx.objects.configMap(ns, name);
      if (!cm) {
        if (optional) continue;
        throw new ContainerConfigError(`configmap "${name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) {
        if (cIdentifier.test(prefix + k)) env.set(prefix + k, v);
      }
    } else if (from.secretRef) {
      const { name = "", optional } = from.secretRef;
      const secret = await ctx.objects.secret(ns, name);
      if (!secret) {
        if (optional) continue;
        throw new ContainerConfigError(`secret "${name}" not found`);
      }
      for (const [k, v] of Object.entries(secret.data ?? {})) {
        if (cIdentifier.test(prefix + k)) env.set(prefix + k, Buffer.from(v, "base64").toString());
      }
    }
  }
}

async function valueFrom(ctx: EnvContext, name: string): Promise<string | undefined> {
  const ns = ctx.pod.metadata?.namespace ?? "default";
  const from = ctx.container.env?.find((e) => e.name === name)?.valueFrom;
  if (!from) return undefined;
  if (from.configMapKeyRef) {
    const { name: cmName = "", key, optional } = from.configMapKeyRef;
    const cm = await ctx.objects.configMap(ns, cmName);
    if (!cm) {
      if (optional) return undefined;
      throw new ContainerConfigError(`configmap "${cmName}" not found`);
    }
    const v =
      cm.data?.[key] ??
      (cm.binaryData?.[key] !== undefined
        ? Buffer.from(cm.binaryData[key]!, "base64").toString()
        : undefined);
    if (v === undefined && !optional) {
      throw new ContainerConfigError(`couldn't find key ${key} in ConfigMap ${ns}/${cmName}`);
    }
    return v;
  }
  if (from.secretKeyRef) {
    const { name: sName = "", key, optional } = from.secretKeyRef;
    const secret = await ctx.objects.secret(ns, sName);
    if (!secret) {
      if (optional) return undefined;
      throw new ContainerConfigError(`secret "${sName}" not found`);
    }
    const v = secret.data?.[key];
    if (v === undefined) {
      if (optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${key} in Secret ${ns}/${sName}`);
    }
    return Buffer.from(v, "base64").toString();
  }
  try {
    if (from.fieldRef) return podFieldValue(ctx.pod, from.fieldRef.fieldPath, ctx.ips);
    if (from.resourceFieldRef) {
      const ref = from.resourceFieldRef;
      return resourceFieldValue(
        ctx.pod,
        {
          containerName: ref.containerName || ctx.container.name,
          resource: ref.resource,
          ...(ref.divisor ? { divisor: String(ref.divisor) } : {}),
        },
        ctx.allocatable,
      );
    }
  } catch (err) {
    throw new ContainerConfigError((err as Error).message);
  }
  return undefined;
}

/** The container's environment, in order, as CRI key/value pairs. */
export async function makeEnvironmentVariables(ctx: EnvContext): Promise<KeyValue[]> {
  const services = serviceEnv(await servicesFor(ctx));
  const env = new Map<string, string>();
  await envFrom(ctx, env);
  const lookup = (n: string) => env.get(n) ?? services.get(n);
  for (const e of ctx.container.env ?? []) {
    if (e.valueFrom) {
      const v = await valueFrom(ctx, e.name);
      if (v !== undefined) env.set(e.name, v);
    } else {
      env.set(e.name, expand(e.value ?? "", lookup));
    }
  }
  for (const [k, v] of services) if (!env.has(k)) env.set(k, v);
  return [...env].map(([key, value]) => ({ key, value }));
}

/** Command and args with `$(VAR)` expanded against the container's environment. */
export function expandCommand(words: readonly string[] | undefined, env: readonly KeyValue[]) {
  if (!words) return undefined;
  const map = new Map(env.map((e) => [e.key, e.value]));
  return words.map((w) => expand(w, (n) => map.get(n)));
}
