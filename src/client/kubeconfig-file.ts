/**
 * Reads a kubeconfig file into a client config: the current context's cluster and user, with
 * certificates embedded (`*-data`) or by path. Anything malformed is an `Error` with a one-line
 * message in client-go's words (`clientcmd` loader and validation), never a TypeError from deep
 * inside, so every command can print it and exit non-zero.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { ClientConfig } from "./rest-client.ts";

type Fields = Record<string, unknown>;

/** Go's wording for the file errors a kubeconfig read meets. */
const goErrno: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "not a directory",
};

function readText(path: string, op = "open"): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    const reason = goErrno[code] ?? (err instanceof Error ? err.message : String(err));
    throw new Error(`${code === "EISDIR" ? "read" : op} ${path}: ${reason}`, { cause: err });
  }
}

const isObject = (v: unknown): v is Fields =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** `clusters`, `users` or `contexts`: a list of {name, <key>: {...}}. */
function namedList(doc: Fields, field: string, key: string, path: string): Map<string, Fields> {
  const list = doc[field] ?? [];
  const bad = () =>
    new Error(`error loading config file "${path}": ${field} must be a list of {name, ${key}}`);
  if (!Array.isArray(list)) throw bad();
  const out = new Map<string, Fields>();
  for (const entry of list) {
    if (!isObject(entry) || typeof entry.name !== "string") throw bad();
    const value = entry[key] ?? {};
    if (!isObject(value)) throw bad();
    out.set(entry.name, value);
  }
  return out;
}

function text(fields: Fields, key: string, path: string): string | undefined {
  const v = fields[key];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") {
    throw new Error(`error loading config file "${path}": ${key} must be a string`);
  }
  return v;
}

export function loadKubeconfig(path: string, userAgent = "bosun"): ClientConfig {
  const source = readText(path);
  let doc: unknown;
  try {
    doc = parseYaml(source);
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split("\n")[0];
    throw new Error(`error loading config file "${path}": ${first}`, { cause: err });
  }
  if (doc === null || doc === undefined || (isObject(doc) && Object.keys(doc).length === 0)) {
    throw new Error(
      `invalid configuration: no configuration has been provided (kubeconfig ${path} is empty)`,
    );
  }
  if (!isObject(doc)) {
    throw new Error(`error loading config file "${path}": not a kubeconfig (a YAML mapping)`);
  }
  const contexts = namedList(doc, "contexts", "context", path);
  const clusters = namedList(doc, "clusters", "cluster", path);
  const users = namedList(doc, "users", "user", path);
  const current = text(doc, "current-context", path);
  const contextName = current ?? [...contexts.keys()][0];
  const context = contextName === undefined ? undefined : contexts.get(contextName);
  if (current !== undefined && !context) {
    throw new Error(
      `invalid configuration: context was not found for specified context: ${current} (kubeconfig ${path})`,
    );
  }
  const clusterName = context ? text(context, "cluster", path) : [...clusters.keys()][0];
  const cluster = clusterName === undefined ? undefined : clusters.get(clusterName);
  if (context && clusterName !== undefined && !cluster) {
    throw new Error(
      `invalid configuration: cluster "${clusterName}" was not found for context "${contextName}" (kubeconfig ${path})`,
    );
  }
  const server = cluster && text(cluster, "server", path);
  if (!cluster || !server) {
    throw new Error(
      `invalid configuration: no server found for cluster "${clusterName ?? ""}" (kubeconfig ${path})`,
    );
  }
  const userName = context ? text(context, "user", path) : undefined;
  const user = (userName !== undefined && users.get(userName)) || {};
  const pem = (fields: Fields, what: string, owner: string) => {
    const inline = text(fields, `${what}-data`, path);
    if (inline !== undefined) return Buffer.from(inline, "base64").toString("utf8");
    const file = text(fields, what, path);
    if (file === undefined) return undefined;
    try {
      return readText(file);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`unable to read ${what} ${file} for ${owner} due to ${reason}`, {
        cause: err,
      });
    }
  };
  const caPem = pem(cluster, "certificate-authority", clusterName ?? "");
  if (!caPem) throw new Error(`kubeconfig ${path} has no certificate authority`);
  if (!caPem.includes("-----BEGIN CERTIFICATE-----")) {
    throw new Error(
      `unable to load root certificates: unable to parse bytes as PEM block (kubeconfig ${path})`,
    );
  }
  const certPem = pem(user, "client-certificate", userName ?? "");
  const keyPem = pem(user, "client-key", userName ?? "");
  if (Boolean(certPem) !== Boolean(keyPem)) {
    throw new Error(
      `invalid configuration: client-cert-data and client-key-data must be specified for ${userName ?? ""} to use the clientCert authentication method (kubeconfig ${path})`,
    );
  }
  const token = text(user, "token", path);
  return {
    server,
    caPem,
    ...(certPem ? { certPem } : {}),
    ...(keyPem ? { keyPem } : {}),
    ...(token ? { token } : {}),
    userAgent,
  };
}
