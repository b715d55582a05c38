/** Helpers for the bootstrap controllers' tests: token Secrets and reads that may miss. */
import type { ConfigMap, Secret } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { bootstrapTokenSecret } from "../../cluster-bootstrap/token-secret.ts";
import { isStatusError } from "../../machinery/status.ts";

export interface TestToken {
  readonly id: string;
  readonly secret: string;
  readonly ttlMs?: number;
  readonly usages?: readonly string[];
}

/** Creates a `bootstrap-token-<id>` Secret, expiring `ttlMs` after `now` (never if absent). */
export function createToken(client: RestClient, token: TestToken, now: number): Promise<Secret> {
  const body = bootstrapTokenSecret({
    id: token.id,
    secret: token.secret,
    usages: token.usages ?? ["signing", "authentication"],
    groups: [],
    now,
    ...(token.ttlMs === undefined ? {} : { ttlMs: token.ttlMs }),
  });
  return client.create<Secret>(resourcePath(resources.secrets, "kube-system"), body);
}

export async function getSecret(client: RestClient, name: string): Promise<Secret | undefined> {
  try {
    return await client.get<Secret>(resourcePath(resources.secrets, "kube-system", name));
  } catch (err) {
    if (isStatusError(err, "NotFound")) return undefined;
    throw err;
  }
}

export const getClusterInfo = (client: RestClient): Promise<ConfigMap> =>
  client.get<ConfigMap>(resourcePath(resources.configmaps, "kube-public", "cluster-info"));

/** Lets watch events reach the informers and the workers run. */
export const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));
