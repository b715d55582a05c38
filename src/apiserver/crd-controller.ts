/**
 * Serves CustomResourceDefinitions (upstream: the apiextensions-apiserver's controllers, run
 * here inside the API server): an accepted CRD's served versions become resources in the catalog
 * (discovery and OpenAPI follow), its status says Established, and a deleted CRD's custom
 * resources are removed before the CRD itself goes (the cleanup finalizer).
 */

import { acceptedStatus } from "../api/crd/crd-strategy.ts";
import { crdSchema, customResourceDefinitionFor } from "../api/crd/custom-resource.ts";
import { crdOpenAPIDefinitions } from "../api/crd/openapi.ts";
import { prune } from "../api/crd/pruning.ts";
import type { CustomResourceDefinition } from "../api/generated/types.ts";
import type { KubeObject } from "../api/object.ts";
import type { ResourceDefinition } from "../api/resource.ts";
import { applySchemaOf as applySchemaOfNode } from "../api/schema/apply-schema.ts";
import { builtinSchema } from "../api/schema/schema.ts";
import type { Clock } from "../machinery/clock.ts";
import type { Logger } from "../machinery/log.ts";
import { isStatusError } from "../machinery/status.ts";
import { apiserverUser } from "./authn/user.ts";
import type { Catalog } from "./catalog.ts";
import type { GenericRegistry } from "./registry/generic-registry.ts";
import { listObjects } from "./registry/list.ts";
import { watchObjects } from "./registry/watch.ts";

export const cleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

type CRD = CustomResourceDefinition & KubeObject;
const ctx = () => ({ user: apiserverUser, dryRun: false, warnings: [] as string[] });

/** The resources of one served version, with OpenAPI, apply schema and unknown-field check. */
function servedDefinition(crd: CRD, version: string): ResourceDefinition {
  const base = customResourceDefinitionFor(crd, version);
  const openapi = crdOpenAPIDefinitions(crd, version);
  const schema = crdSchema(crd, version);
  return {
    ...base,
    openapi: { definitions: openapi.definitions, resource: openapi.resource },
    applySchema: () => {
      const table = builtinSchema().with(openapi.definitions);
      return applySchemaOfNode({ $ref: openapi.definitionName }, table);
    },
    strategy: {
      ...base.strategy,
      unknownFields: (obj) => prune(structuredClone(obj), schema),
    },
  };
}

export class CrdController {
  readonly #catalog: Catalog;
  readonly #crds: GenericRegistry;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #served = new Map<string, string>();

  constructor(options: { catalog: Catalog; clock: Clock; log: Logger }) {
    this.#catalog = options.catalog;
    this.#clock = options.clock;
    this.#log = options.log.with({ controller: "crd" });
    const crds = options.catalog.lookup("apiextensions.k8s.io", "v1", "customresourcedefinitions");
    if (!crds) throw new Error("CustomResourceDefinitions are not served");
    this.#crds = crds;
  }

  /** Registers every existing CRD (before the server reports ready), then follows changes. */
  async start(signal: AbortSignal): Promise<void> {
    const existing = await listObjects(this.#crds, "", {});
    for (const crd of existing.items) await this.#reconcile(crd as CRD);
    void this.#follow(Number(existing.metadata.resourceVersion), signal);
  }

  async #follow(after: number, signal: AbortSignal): Promise<void> {
    let from = String(after);
    while (!signal.aborted) {
      try {
        for await (const ev of watchObjects(this.#crds, "", { resourceVersion: from, signal })) {
          if (ev.type === "ERROR") break;
          const crd = ev.object as CRD;
          from = crd.metadata?.resourceVersion ?? from;
          if (ev.type === "DELETED") this.#unserve(crd.metadata?.name ?? "");
          else
            await this.#reconcile(crd).catch((err) => this.#log.warn("reconcile failed", { err }));
        }
      } catch (err) {
        if (!signal.aborted) this.#log.warn("CRD watch ended; restarting", { err });
      }
      if (!signal.aborted) {
        from = "0";
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  #unserve(name: string): void {
    if (!this.#served.has(name)) return;
    this.#served.delete(name);
    this.#catalog.replace(`crd:${name}`, []);
    this.#log.info("stopped serving", { crd: name });
  }

  async #reconcile(crd: CRD): Promise<void> {
    const name = crd.metadata?.name ?? "";
    if (crd.metadata?.deletionTimestamp) return this.#cleanup(crd);
    if (!(crd.metadata?.finalizers ?? []).includes(cleanupFinalizer)) {
      await this.#crds.update(
        "",
        name,
        (current) => {
          if (!current) return crd;
          current.metadata!.finalizers = [
            ...(current.metadata?.finalizers ?? []),
            cleanupFinalizer,
          ];
          delete current.metadata!.resourceVersion;
          return current;
        },
        ctx(),
        { subresource: "raw" },
      );
      return;
    }
    const conflict = this.#conflict(crd);
    const status = acceptedStatus(crd, this.#clock.now(), conflict ? { conflict } : {});
    const current = crd.status ?? {};
    if (JSON.stringify({ ...current, ...status }) !== JSON.stringify(current)) {
      await this.#crds.update(
        "",
        name,
        (current) => {
          if (!current) return crd;
          current.status = { ...(current.status as object), ...status };
          delete current.metadata!.resourceVersion;
          return current;
        },
        ctx(),
        { subresource: "status" },
      );
      return;
    }
    if (conflict) return;
    const served = crd.spec.versions.filter((v) => v.served);
    const fingerprint = `${crd.metadata?.generation}:${JSON.stringify(crd.status?.acceptedNames)}`;
    if (this.#served.get(name) === fingerprint) return;
    this.#catalog.replace(
      `crd:${name}`,
      served.map((v) => servedDefinition(crd, v.name)),
    );
    this.#served.set(name, fingerprint);
    this.#log.info("serving", { crd: name, versions: served.map((v) => v.name).join(",") });
  }

  /** A name conflict with a resource served by something else, as upstream's naming controller. */
  #conflict(crd: CRD): string | undefined {
    const { group, names } = crd.spec;
    for (const r of this.#catalog.registries) {
      const d = r.definition;
      if (d.group !== group || this.#ownedBy(r, crd)) continue;
      if (d.plural === names.plural) return `"${names.plural}" is already in use`;
      if (d.kind === names.kind) return `"${names.kind}" is already in use`;
    }
    return undefined;
  }

  #ownedBy(registry: GenericRegistry, crd: CRD): boolean {
    return (
      this.#served.has(crd.metadata?.name ?? "") &&
      registry.definition.plural === crd.spec.names.plural
    );
  }

  /** Deletes the CRD's custom resources, then lets the CRD go. */
  async #cleanup(crd: CRD): Promise<void> {
    const name = crd.metadata?.name ?? "";
    const registries = this.#catalog.registries.filter(
      (r) => r.definition.group === crd.spec.group && r.definition.plural === crd.spec.names.plural,
    );
    const first = registries[0];
    if (first) {
      const list = await listObjects(first, "", {});
      for (const item of list.items) {
        const meta = item.metadata ?? {};
        await first.delete(meta.namespace ?? "", meta.name ?? "", {}, ctx()).catch((err) => {
          if (!isStatusError(err, "NotFound")) throw err;
        });
      }
      if ((await listObjects(first, "", {})).items.length > 0) {
        setTimeout(() => void this.#reconcile(crd).catch(() => {}), 1000).unref();
        return;
      }
    }
    this.#unserve(name);
    await this.#crds
      .update(
        "",
        name,
        (current) => {
          if (!current) return crd;
          current.metadata!.finalizers = (current.metadata?.finalizers ?? []).filter(
            (f) => f !== cleanupFinalizer,
          );
          delete current.metadata!.resourceVersion;
          return current;
        },
        ctx(),
        { subresource: "raw" },
      )
      .catch((err) => {
        if (!isStatusError(err, "NotFound")) throw err;
      });
  }
}
