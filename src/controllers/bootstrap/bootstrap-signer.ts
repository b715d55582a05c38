/**
 * The bootstrap signer (upstream `pkg/controller/bootstrap/bootstrapsigner.go`): keeps a detached
 * JWS of `kube-public/cluster-info`'s kubeconfig under `jws-kubeconfig-<token-id>` for every
 * valid bootstrap token that allows signing, and drops the entries of tokens that are deleted,
 * expired or no longer allowed to sign. A joining node checks its token's entry to know that the
 * server it reached knows the token. One key (the ConfigMap) is synced; token Secrets only wake
 * it, and a timer on the injected clock wakes it when the next signing token expires.
 */
import type {
  ConfigMap as ConfigMapType,
  Secret as SecretType,
} from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { runWorkers } from "../../client/controller.ts";
import type { Informer } from "../../client/informer.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { computeDetachedSignature } from "../../cluster-bootstrap/jws.ts";
import {
  clusterInfoName,
  clusterInfoNamespace,
  jwsSignatureKeyPrefix,
  kubeConfigKey,
  secretTypeBootstrapToken,
  tokenSecretNamespace,
} from "../../cluster-bootstrap/token.ts";
import { expirationOf, tokenForSigning } from "../../cluster-bootstrap/token-secret.ts";
import { onAbort } from "../../machinery/abort.ts";
import { isStatusError } from "../../machinery/status.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import { DelayedEnqueuer } from "../job/delayed-enqueuer.ts";

type ConfigMap = ConfigMapType & KubeObject;
type Secret = SecretType & KubeObject;

const configMapKey = `${clusterInfoNamespace}/${clusterInfoName}`;

/** The signatures cluster-info should carry: token id → detached JWS of `content`. */
export function desiredSignatures(
  content: string,
  secrets: readonly Secret[],
  now: number,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const secret of secrets) {
    const token = tokenForSigning(secret, now);
    // Duplicate ids cannot happen with upstream's naming rule; the first one wins, as upstream.
    if (!token || out.has(token.id)) continue;
    out.set(token.id, computeDetachedSignature(content, token.id, token.secret));
  }
  return out;
}

export class BootstrapSigner implements Controller {
  readonly name = "bootstrap-signer-controller";
  readonly #ctx: ControllerContext;
  readonly #queue = new WorkQueue<string>();
  readonly #delayed: DelayedEnqueuer;
  readonly #configMaps: Informer<ConfigMap>;
  readonly #secrets: Informer<Secret>;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#delayed = new DelayedEnqueuer(ctx.clock, this.#queue);
    this.#configMaps = ctx.informers.informer<ConfigMap>(resources.configmaps);
    this.#secrets = ctx.informers.informer<Secret>(resources.secrets);
    const poke = () => this.#queue.add(configMapKey);
    const isClusterInfo = (cm: ConfigMap) =>
      cm.metadata?.namespace === clusterInfoNamespace && cm.metadata?.name === clusterInfoName;
    const isToken = (s: Secret) =>
      s.type === secretTypeBootstrapToken && s.metadata?.namespace === tokenSecretNamespace;
    this.#configMaps.addHandlers({
      onAdd: (cm) => isClusterInfo(cm) && poke(),
      onUpdate: (_, cm) => isClusterInfo(cm) && poke(),
    });
    this.#secrets.addHandlers({
      onAdd: (s) => isToken(s) && poke(),
      onUpdate: (_, s) => isToken(s) && poke(),
      onDelete: (s) => isToken(s) && poke(),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.#configMaps.synced(), this.#secrets.synced()]);
    onAbort(signal, () => this.#delayed.cancelAll());
    this.#queue.add(configMapKey);
    await runWorkers({
      queue: this.#queue,
      workers: 1,
      sync: () => this.signConfigMap(),
      log: this.#ctx.log,
      signal,
    });
  }

  #tokenSecrets(): Secret[] {
    return this.#secrets
      .list(tokenSecretNamespace)
      .filter((s) => s.type === secretTypeBootstrapToken);
  }

  /** Wakes the signer when the next token that signs now expires. */
  #scheduleExpiry(secrets: readonly Secret[], now: number): void {
    const ttls = secrets
      .filter((s) => tokenForSigning(s, now))
      .map((s) => expirationOf(s, now).ttlMs)
      .filter((ttl): ttl is number => ttl !== undefined);
    if (ttls.length > 0) this.#delayed.setAfter(configMapKey, Math.min(...ttls));
    else this.#delayed.cancel(configMapKey);
  }

  /** `signConfigMap`: recomputes the signatures from the caches and writes them if they differ. */
  async signConfigMap(): Promise<void> {
    const cm = this.#configMaps.get(clusterInfoNamespace, clusterInfoName);
    const content = cm?.data?.[kubeConfigKey];
    if (!cm || content === undefined) return;
    const now = this.#ctx.clock.now();
    const secrets = this.#tokenSecrets();
    this.#scheduleExpiry(secrets, now);
    const want = desiredSignatures(content, secrets, now);
    const data: Record<string, string> = {};
    let changed = false;
    for (const [key, value] of Object.entries(cm.data ?? {})) {
      if (!key.startsWith(jwsSignatureKeyPrefix)) data[key] = value;
      else if (want.get(key.slice(jwsSignatureKeyPrefix.length)) !== value) changed = true;
    }
    for (const [id, sig] of want) {
      if (cm.data?.[`${jwsSignatureKeyPrefix}${id}`] !== sig) changed = true;
      data[`${jwsSignatureKeyPrefix}${id}`] = sig;
    }
    if (!changed) return;
    try {
      await this.#ctx.client.update(
        resourcePath(resources.configmaps, clusterInfoNamespace, clusterInfoName),
        { ...cm, data },
      );
      this.#ctx.log.info("signed cluster-info", { tokens: want.size });
    } catch (err) {
      // A newer ConfigMap (or its removal) arrives through the informer and syncs again.
      if (isStatusError(err, "Conflict") || isStatusError(err, "NotFound")) return;
      throw err;
    }
  }
}

export const bootstrapSignerFactory: ControllerFactory = {
  name: "bootstrap-signer-controller",
  create: (ctx) => new BootstrapSigner(ctx),
};
