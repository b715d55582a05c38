/**
 * The token cleaner (upstream `pkg/controller/bootstrap/tokencleaner.go`): deletes a bootstrap
 * token Secret in kube-system once its `expiration` has passed. An unexpired token is looked at
 * again when it expires, by a timer on the injected clock (no polling); an unparsable expiration
 * counts as expired, as upstream. The delete carries the Secret's UID as a precondition, so a
 * token re-created under the same name in the meantime is left alone.
 */
import type { Secret as SecretType } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { runWorkers } from "../../client/controller.ts";
import { type Informer, keyOf, splitKey } from "../../client/informer.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { secretTypeBootstrapToken, tokenSecretNamespace } from "../../cluster-bootstrap/token.ts";
import { expirationOf } from "../../cluster-bootstrap/token-secret.ts";
import { onAbort } from "../../machinery/abort.ts";
import { isStatusError } from "../../machinery/status.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import { DelayedEnqueuer } from "../job/delayed-enqueuer.ts";

type Secret = SecretType & KubeObject;

export class TokenCleaner implements Controller {
  readonly name = "token-cleaner-controller";
  readonly #ctx: ControllerContext;
  readonly #queue = new WorkQueue<string>();
  readonly #delayed: DelayedEnqueuer;
  readonly #secrets: Informer<Secret>;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#delayed = new DelayedEnqueuer(ctx.clock, this.#queue);
    this.#secrets = ctx.informers.informer<Secret>(resources.secrets);
    const isToken = (s: Secret) =>
      s.type === secretTypeBootstrapToken && s.metadata?.namespace === tokenSecretNamespace;
    this.#secrets.addHandlers({
      onAdd: (s) => isToken(s) && this.#queue.add(keyOf(s)),
      onUpdate: (_, s) => isToken(s) && this.#queue.add(keyOf(s)),
      onDelete: (s) => isToken(s) && this.#delayed.cancel(keyOf(s)),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.#secrets.synced();
    onAbort(signal, () => this.#delayed.cancelAll());
    await runWorkers({
      queue: this.#queue,
      workers: 1,
      sync: (key) => this.syncSecret(key),
      log: this.#ctx.log,
      signal,
    });
  }

  /** `syncFunc` + `evalSecret`: delete if expired, else look again at expiry. */
  async syncSecret(key: string): Promise<void> {
    const secret = this.#secrets.getByKey(key);
    if (!secret || secret.type !== secretTypeBootstrapToken) return;
    const { expired, ttlMs } = expirationOf(secret, this.#ctx.clock.now());
    if (!expired) {
      // setAfter, not addAfter: an expiration moved later must not fire at the old time.
      if (ttlMs !== undefined) this.#delayed.setAfter(key, ttlMs);
      else this.#delayed.cancel(key);
      return;
    }
    const { namespace, name } = splitKey(key);
    this.#ctx.log.info("deleting expired bootstrap token", { secret: key });
    try {
      await this.#ctx.client.delete(resourcePath(resources.secrets, namespace, name), {
        ...(secret.metadata?.uid ? { preconditions: { uid: secret.metadata.uid } } : {}),
      });
    } catch (err) {
      // Already gone, or a different Secret now holds the name (UID precondition failed).
      if (isStatusError(err, "NotFound") || isStatusError(err, "Conflict")) return;
      throw err;
    }
  }
}

export const tokenCleanerFactory: ControllerFactory = {
  name: "token-cleaner-controller",
  create: (ctx) => new TokenCleaner(ctx),
};
