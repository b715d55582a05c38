/**
 * `bosun token create|list|delete|generate`: bootstrap tokens, as `kubeadm token` manages them
 * (Secrets `kube-system/bootstrap-token-<id>`), on the cluster of the local server (its admin
 * kubeconfig under --data-dir) or of --kubeconfig. `create --print-join-command` prints the
 * `bosun agent` command a new node runs: the server address nodes reach (the one the server
 * advertises in kube-public/cluster-info), the token and the CA public-key pin.
 * Bad input is refused before anything is written.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import type { ConfigMap, Secret } from "../api/generated/types.ts";
import { resourcePath, resources } from "../client/resources.ts";
import { configFromKubeconfig, RestClient } from "../client/rest-client.ts";
import { caCertHash } from "../cluster-bootstrap/ca-hash.ts";
import {
  bootstrapGroupPattern,
  bootstrapTokenIDPattern,
  bootstrapTokenPattern,
  bootstrapTokenSecretName,
  clusterInfoName,
  clusterInfoNamespace,
  generateBootstrapToken,
  isValidBootstrapTokenID,
  kubeConfigKey,
  parseBootstrapToken,
  secretTypeBootstrapToken,
  tokenSecretNamespace,
  validateBootstrapGroupName,
  validateUsages,
} from "../cluster-bootstrap/token.ts";
import {
  type BootstrapTokenInfo,
  bootstrapTokenSecret,
  tokenFromSecret,
} from "../cluster-bootstrap/token-secret.ts";
import { controlPlaneTokenGroup } from "../ha/join-bundle.ts";
import { parseGoDuration } from "../machinery/go-duration.ts";
import { isStatusError } from "../machinery/status.ts";
import { type Command, UsageError } from "./command.ts";
import { formatTokenList } from "./token-format.ts";

export const defaultTokenGroups = ["system:bootstrappers:bosun:default-node-token"];
export const defaultTokenUsages = ["signing", "authentication"];

const usage = `Usage: bosun token <command> [flags]

Manage bootstrap tokens: Secrets of type bootstrap.kubernetes.io/token in kube-system that let a
new node join (bosun agent --server URL --token T --ca-cert-hash sha256:H).

Commands:
  create [TOKEN]          create a token (random unless TOKEN, of the form [a-z0-9]{6}.[a-z0-9]{16})
    --ttl DURATION          time until it expires, e.g. 2h or 30m; 0 = never (default 24h0m0s)
    --description TEXT      shown by "token list"
    --groups G1,G2          extra groups, each matching ${bootstrapGroupPattern}
                            (default ${defaultTokenGroups.join(",")})
    --usages U1,U2          signing, authentication (default ${defaultTokenUsages.join(",")})
    --print-join-command    print the full "bosun agent" command instead of the token
    --control-plane         the token also lets a master join ("bosun server --server URL
                            --token T"): adds the group ${controlPlaneTokenGroup}, which
                            may fetch the cluster's CA and keys; the join command is then
                            "bosun server …" (default ttl for such tokens stays 24h0m0s)
  list                    list the tokens that have not expired
  delete ID|TOKEN...      delete tokens by id or full token
  generate                print a random token without creating it

Flags of every command:
  --data-dir DIR          act on the local server's cluster (default /var/lib/bosun)
  --kubeconfig FILE       act on the cluster of this kubeconfig instead`;

type Values = Record<string, string | boolean | undefined>;

function parse(args: string[]): { values: Values; positionals: string[] } {
  try {
    const r = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        "data-dir": { type: "string", default: "/var/lib/bosun" },
        kubeconfig: { type: "string" },
        ttl: { type: "string", default: "24h0m0s" },
        description: { type: "string", default: "" },
        groups: { type: "string" },
        usages: { type: "string" },
        "print-join-command": { type: "boolean", default: false },
        "control-plane": { type: "boolean", default: false },
      },
    });
    return { values: r.values as Values, positionals: r.positionals };
  } catch (err) {
    throw new UsageError((err as Error).message.split("\n")[0]!);
  }
}

function clientFor(v: Values): RestClient {
  const path = v.kubeconfig
    ? String(v.kubeconfig)
    : join(resolve(String(v["data-dir"])), "admin.kubeconfig");
  if (!existsSync(path)) {
    throw new Error(
      v.kubeconfig
        ? `kubeconfig ${path} does not exist`
        : `no admin kubeconfig at ${path}: is "bosun server --data-dir ${v["data-dir"]}" running on this machine? (or pass --kubeconfig)`,
    );
  }
  return new RestClient(configFromKubeconfig(path, "bosun-token"));
}

const list = (text: string | undefined, fallback: readonly string[]) =>
  text === undefined
    ? [...fallback]
    : text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);

interface CreateRequest {
  readonly token: string;
  readonly ttlMs: number;
  readonly description: string;
  readonly groups: string[];
  readonly usages: string[];
}

/** Every check of `token create`, before anything is written. */
export function validateCreate(v: Values, positionals: readonly string[]): CreateRequest {
  if (positionals.length > 1) throw new UsageError("create takes at most one token");
  const token = positionals[0] ?? generateBootstrapToken();
  if (!parseBootstrapToken(token)) {
    throw new UsageError(
      `the bootstrap token "${token}" was not of the form "${bootstrapTokenPattern}"`,
    );
  }
  const ttlMs = parseGoDuration(String(v.ttl));
  if (ttlMs === undefined) {
    throw new UsageError(
      `invalid argument "${v.ttl}" for "--ttl" flag: time: invalid duration "${v.ttl}"`,
    );
  }
  if (ttlMs < 0) throw new UsageError(`--ttl must not be negative, not "${v.ttl}"`);
  const usages = list(v.usages as string | undefined, defaultTokenUsages);
  const usageError = validateUsages(usages);
  if (usageError) throw new UsageError(usageError);
  const groups = list(v.groups as string | undefined, defaultTokenGroups);
  if (v["control-plane"] && !groups.includes(controlPlaneTokenGroup)) {
    groups.push(controlPlaneTokenGroup);
  }
  if (v["control-plane"] && !usages.includes("signing")) {
    throw new UsageError(
      '--control-plane needs --usages to include "signing" (joining masters use token discovery)',
    );
  }
  for (const g of groups) {
    const groupError = validateBootstrapGroupName(g);
    if (groupError) throw new UsageError(groupError);
  }
  if (groups.length > 0 && !usages.includes("authentication")) {
    throw new UsageError(
      'token groups cannot be specified unless --usages includes "authentication"',
    );
  }
  return { token, ttlMs, description: String(v.description ?? ""), groups, usages };
}

/** The server joining nodes reach: the one cluster-info advertises, else the kubeconfig's. */
async function joinServer(client: RestClient): Promise<string> {
  try {
    const cm = await client.get<ConfigMap>(
      resourcePath(resources.configmaps, clusterInfoNamespace, clusterInfoName),
    );
    const doc = parseYaml(cm.data?.[kubeConfigKey] ?? "") as {
      clusters?: { cluster?: { server?: string } }[];
    } | null;
    const server = doc?.clusters?.[0]?.cluster?.server;
    if (server) return server;
  } catch (err) {
    if (!isStatusError(err, "NotFound")) throw err;
  }
  return client.config.server;
}

async function create(v: Values, positionals: string[]): Promise<number> {
  const req = validateCreate(v, positionals);
  const client = clientFor(v);
  try {
    const { id, secret } = parseBootstrapToken(req.token)!;
    const body = bootstrapTokenSecret({ id, secret, ...req, now: Date.now() });
    try {
      await client.create(resourcePath(resources.secrets, tokenSecretNamespace), body);
    } catch (err) {
      if (isStatusError(err, "AlreadyExists"))
        throw new Error(`a token with id "${id}" already exists`);
      throw err;
    }
    if (!v["print-join-command"]) {
      process.stdout.write(`${req.token}\n`);
      return 0;
    }
    const server = await joinServer(client);
    const hash = caCertHash(client.config.caPem);
    const role = req.groups.includes(controlPlaneTokenGroup) ? "server" : "agent";
    process.stdout.write(
      `bosun ${role} --server ${server} --token ${req.token} --ca-cert-hash ${hash}\n`,
    );
    return 0;
  } finally {
    client.close();
  }
}

async function listTokens(v: Values): Promise<number> {
  const client = clientFor(v);
  try {
    const now = Date.now();
    const { tokens, errors } = await listBootstrapTokens(client, now);
    for (const error of errors) process.stderr.write(`${error}\n`);
    process.stdout.write(formatTokenList(tokens, now));
    return 0;
  } finally {
    client.close();
  }
}

/** The unexpired bootstrap tokens, selected by Secret type on the server (as kubeadm does). */
export async function listBootstrapTokens(
  client: Pick<RestClient, "get">,
  now: number,
): Promise<{ tokens: BootstrapTokenInfo[]; errors: string[] }> {
  const secrets = await client.get<{ items: Secret[] }>(
    resourcePath(resources.secrets, tokenSecretNamespace),
    { fieldSelector: `type=${secretTypeBootstrapToken}` },
  );
  const tokens: BootstrapTokenInfo[] = [];
  const errors: string[] = [];
  for (const secret of secrets.items) {
    const token = tokenFromSecret(secret);
    if ("error" in token) errors.push(token.error);
    else if (token.expires === undefined || token.expires > now) tokens.push(token);
  }
  return { tokens, errors };
}

async function deleteTokens(v: Values, positionals: string[]): Promise<number> {
  if (positionals.length === 0) {
    throw new UsageError(
      `missing subcommand; 'token delete' is missing token of form "${bootstrapTokenIDPattern}"`,
    );
  }
  const ids = positionals.map((t) => {
    if (isValidBootstrapTokenID(t)) return t;
    const parsed = parseBootstrapToken(t);
    if (!parsed) {
      throw new UsageError(
        `given token didn't match pattern "${bootstrapTokenPattern}" or "${bootstrapTokenIDPattern}"`,
      );
    }
    return parsed.id;
  });
  const client = clientFor(v);
  try {
    for (const id of ids) {
      const path = resourcePath(
        resources.secrets,
        tokenSecretNamespace,
        bootstrapTokenSecretName(id),
      );
      try {
        await client.delete(path);
      } catch (err) {
        throw new Error(`failed to delete bootstrap token "${id}": ${(err as Error).message}`, {
          cause: err,
        });
      }
      process.stdout.write(`bootstrap token "${id}" deleted\n`);
    }
    return 0;
  } finally {
    client.close();
  }
}

export const tokenCommand: Command = {
  name: "token",
  summary: "Manage bootstrap tokens (create, list, delete) for joining nodes",
  usage,
  async run(args) {
    const [sub, ...rest] = args;
    const { values, positionals } = parse(rest);
    switch (sub) {
      case "create":
        return create(values, positionals);
      case "list":
        if (positionals.length > 0) throw new UsageError("list takes no arguments");
        return listTokens(values);
      case "delete":
        return deleteTokens(values, positionals);
      case "generate":
        process.stdout.write(`${generateBootstrapToken()}\n`);
        return 0;
      default:
        throw new UsageError(
          sub === undefined
            ? 'missing subcommand; "token" is not meant to be run on its own'
            : `unknown subcommand "${sub}" (create, list, delete, generate)`,
        );
    }
  },
};
