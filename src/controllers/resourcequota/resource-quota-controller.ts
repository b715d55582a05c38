import type { ResourceQuota, ResourceQuotaStatus } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { evaluatorFor, objectCountName } from "../../api/quota/evaluators.ts";
import { addInto, type ResourceList, toResourceList } from "../../api/quota/resource-list.ts";
import { usedBy } from "../../api/quota/usage.ts";
import { runWorkers } from "../../client/controller.ts";
import { type Informer, keyOf } from "../../client/informer.ts";
import { type GroupVersionResource, resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { newQuantity } from "../../machinery/quantity.ts";
import { inNamespace, KeysByNamespace, writeStatusIfChanged } from "../common/by-namespace.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";

type Quota = ResourceQuota & KubeObject;

/** What quotas are charged by, watched from the start (their informers are shared anyway). */
const counted: readonly GroupVersionResource[] = [
  resources.pods,
  resources.services,
  resources.persistentvolumeclaims,
  resources.configmaps,
  resources.secrets,
  resources.resourcequotas,
];

/** The namespaced resources `count/<resource>[.<group>]` can name. */
const countable = new Map(
  Object.values(resources)
    .filter((r) => r.namespaced)
    .map((r) => [objectCountName(r.group, r.resource), r] as const),
);

/** `status.used` for a quota, given each resource's objects in its namespace. */
export function quotaStatus(
  quota: Quota,
  objectsOf: (gvr: GroupVersionResource) => readonly KubeObject[],
): ResourceQuotaStatus {
  const hard = toResourceList(quota.spec?.hard);
  const names = [...hard.keys()];
  const used: ResourceList = new Map(names.map((n) => [n, newQuantity(0, "DecimalSI")]));
  const targets = new Set(counted);
  for (const n of names) {
    const r = countable.get(n);
    if (r) targets.add(r);
  }
  for (const gvr of targets) {
    const ev = evaluatorFor(gvr.group, gvr.resource);
    const matched = names.filter((n) => ev.matches(n));
    if (matched.length === 0) continue;
    addInto(used, usedBy(objectsOf(gvr), ev, quota, matched));
  }
  const text = (list: ResourceList) =>
    Object.fromEntries([...list].map(([n, q]) => [n, q.toString()]));
  return { hard: text(hard), used: text(used) };
}

export class ResourceQuotaController implements Controller {
  readonly name = "resourcequota-controller";
  readonly #ctx: ControllerContext;
  readonly #quotas: Informer<Quota>;
  readonly #queue = new WorkQueue<string>({ maxDelayMs: 60_000 });
  readonly #byNamespace = new KeysByNamespace();
  readonly #informers = new Map<GroupVersionResource, Informer<KubeObject>>();

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#quotas = ctx.informers.informer<Quota>(resources.resourcequotas);
    this.#quotas.addHandlers({
      onAdd: (q) => this.#remember(q),
      onUpdate: (_, q) => this.#remember(q),
      onDelete: (q) => this.#byNamespace.delete(q),
    });
    for (const gvr of counted) this.#watch(gvr);
  }

  /** The informer of a counted resource, its changes re-syncing the namespace's quotas. */
  #watch(gvr: GroupVersionResource): Informer<KubeObject> {
    let informer = this.#informers.get(gvr);
    if (informer) return informer;
    informer = this.#ctx.informers.informer<KubeObject>(gvr);
    this.#informers.set(gvr, informer);
    if (gvr === resources.resourcequotas) return informer;
    const changed = (obj: KubeObject) => {
      for (const key of this.#byNamespace.of(obj.metadata?.namespace ?? "")) this.#queue.add(key);
    };
    informer.addHandlers({
      onAdd: changed,
      onUpdate: (_, obj) => changed(obj),
      onDelete: changed,
    });
    return informer;
  }

  #remember(quota: Quota): void {
    this.#byNamespace.add(quota);
    // Object counts of other resources: watched from the first quota that names them.
    for (const name of Object.keys(quota.spec?.hard ?? {})) {
      const gvr = countable.get(name);
      if (gvr) this.#watch(gvr);
    }
    this.#queue.add(keyOf(quota));
  }

  async #sync(key: string): Promise<void> {
    const quota = this.#quotas.getByKey(key);
    if (!quota) return;
    const ns = quota.metadata?.namespace ?? "";
    for (const gvr of this.#informers.keys()) await this.#informers.get(gvr)!.synced();
    const status = quotaStatus(quota, (gvr) => inNamespace(this.#watch(gvr), ns));
    await writeStatusIfChanged(this.#ctx.client, resources.resourcequotas, quota, status);
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([...this.#informers.values()].map((i) => i.synced()));
    await runWorkers({
      queue: this.#queue,
      workers: 2,
      sync: (key) => this.#sync(key),
      log: this.#ctx.log,
      signal,
    });
  }
}

export const resourceQuotaControllerFactory: ControllerFactory = {
  name: "resourcequota-controller",
  create: (ctx) => new ResourceQuotaController(ctx),
};
