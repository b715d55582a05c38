/**
 * Registry mirror settings of a node, from either source the agent accepts:
 *
 * - `--registry-mirror [HOST=]URL[,URL…]` (repeatable): `docker.io=http://10.0.0.5:5000` mirrors
 *   one registry; a bare URL mirrors every registry (`_default`).
 * - a k3s-style `registries.yaml` (`mirrors.<host>.endpoint`, `"*"` for every registry, and
 *   `configs.<endpoint host>.tls.{insecure_skip_verify,ca_file}`); `auth` and `rewrite` are not
 *   supported and are reported back as warnings.
 *
 * Unlike k3s, the registry's own upstream is never appended after the mirrors: a mirrored
 * registry resolves only through its mirrors (see registry-hosts.ts).
 */
import { parse as parseYaml } from "yaml";

/** Every other registry: containerd's `certs.d/_default`. */
export const DEFAULT_REGISTRY = "_default";

export interface RegistryTls {
  readonly insecureSkipVerify?: boolean;
  /** PEM file of the CA that signed the endpoint's certificate. */
  readonly caFile?: string;
}

export interface RegistryConfig {
  /** Registry host (`docker.io`, `registry.k8s.io`, `10.0.0.5:5000`) or `_default` → endpoint URLs, in order. */
  readonly mirrors: Readonly<Record<string, readonly string[]>>;
  /** TLS settings by endpoint host (`host:port`). */
  readonly tls?: Readonly<Record<string, RegistryTls>>;
}

export class RegistryConfigError extends Error {
  override name = "RegistryConfigError";
}

const hostPattern =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;

function registryHost(host: string, where: string): string {
  if (host === "*" || host === DEFAULT_REGISTRY) return DEFAULT_REGISTRY;
  if (!hostPattern.test(host))
    throw new RegistryConfigError(`${where}: invalid registry host ${JSON.stringify(host)}`);
  return host === "index.docker.io" || host === "registry-1.docker.io" ? "docker.io" : host;
}

/** Checks an endpoint URL: http(s), a host, no query. Returns it without a trailing slash. */
export function endpointUrl(raw: string, where: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RegistryConfigError(`${where}: invalid endpoint URL ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new RegistryConfigError(
      `${where}: endpoint ${JSON.stringify(raw)} must be http:// or https://`,
    );
  }
  if (url.search || url.hash || url.username) {
    throw new RegistryConfigError(
      `${where}: endpoint ${JSON.stringify(raw)} must not have a query, fragment or user`,
    );
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

/** Parses the values of repeated `--registry-mirror` flags. */
export function parseRegistryMirrorFlags(values: readonly string[]): RegistryConfig {
  const mirrors: Record<string, string[]> = {};
  for (const value of values) {
    const where = `--registry-mirror ${value}`;
    const eq = value.indexOf("=");
    const schemeAt = value.indexOf("://");
    const hasHost = eq !== -1 && (schemeAt === -1 || eq < schemeAt);
    const host = hasHost ? registryHost(value.slice(0, eq), where) : DEFAULT_REGISTRY;
    const urls = (hasHost ? value.slice(eq + 1) : value).split(",").filter((u) => u !== "");
    if (urls.length === 0) throw new RegistryConfigError(`${where}: no endpoint URL`);
    mirrors[host] = [...(mirrors[host] ?? []), ...urls.map((u) => endpointUrl(u, where))];
  }
  return { mirrors };
}

interface RegistriesYaml {
  mirrors?: Record<string, { endpoint?: unknown; rewrite?: unknown } | null>;
  configs?: Record<
    string,
    { tls?: { insecure_skip_verify?: unknown; ca_file?: unknown }; auth?: unknown } | null
  >;
}

/** Parses a k3s-style registries.yaml; `warnings` names the settings that were ignored. */
export function parseRegistriesYaml(text: string): RegistryConfig & { warnings: string[] } {
  let doc: RegistriesYaml;
  try {
    doc = (parseYaml(text) ?? {}) as RegistriesYaml;
  } catch (err) {
    throw new RegistryConfigError(`registries.yaml: ${(err as Error).message}`, { cause: err });
  }
  if (typeof doc !== "object" || Array.isArray(doc))
    throw new RegistryConfigError("registries.yaml: not a mapping");
  const warnings: string[] = [];
  const mirrors: Record<string, string[]> = {};
  for (const [rawHost, entry] of Object.entries(doc.mirrors ?? {})) {
    const where = `registries.yaml mirrors.${rawHost}`;
    const host = registryHost(rawHost, where);
    const endpoints = entry?.endpoint ?? [];
    if (!Array.isArray(endpoints) || !endpoints.every((e) => typeof e === "string")) {
      throw new RegistryConfigError(`${where}.endpoint: must be a list of URLs`);
    }
    if (endpoints.length === 0) throw new RegistryConfigError(`${where}.endpoint: no endpoint URL`);
    if (entry?.rewrite !== undefined) warnings.push(`${where}.rewrite is not supported; ignored`);
    mirrors[host] = endpoints.map((e) => endpointUrl(e, where));
  }
  const tls: Record<string, RegistryTls> = {};
  for (const [host, entry] of Object.entries(doc.configs ?? {})) {
    const where = `registries.yaml configs.${host}`;
    if (entry?.auth !== undefined) warnings.push(`${where}.auth is not supported; ignored`);
    const t = entry?.tls;
    if (!t) continue;
    if (t.insecure_skip_verify !== undefined && typeof t.insecure_skip_verify !== "boolean") {
      throw new RegistryConfigError(`${where}.tls.insecure_skip_verify: must be true or false`);
    }
    if (t.ca_file !== undefined && typeof t.ca_file !== "string") {
      throw new RegistryConfigError(`${where}.tls.ca_file: must be a path`);
    }
    tls[host.replace(/^https?:\/\//, "")] = {
      ...(t.insecure_skip_verify !== undefined
        ? { insecureSkipVerify: t.insecure_skip_verify }
        : {}),
      ...(t.ca_file !== undefined ? { caFile: t.ca_file } : {}),
    };
  }
  return { mirrors, tls, warnings };
}

/** Later configs win per registry host and per TLS host. */
export function mergeRegistryConfigs(...configs: readonly RegistryConfig[]): RegistryConfig {
  const mirrors: Record<string, readonly string[]> = {};
  const tls: Record<string, RegistryTls> = {};
  for (const c of configs) {
    Object.assign(mirrors, c.mirrors);
    Object.assign(tls, c.tls ?? {});
  }
  return { mirrors, tls };
}
