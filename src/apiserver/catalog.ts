/**
 * The served resources: one registry per resource, found by group/version/plural as requests
 * name them, and grouped by API group for discovery.
 */
import type { ResourceDefinition } from "../api/resource.ts";
import type { Clock } from "../machinery/clock.ts";
import type { Store } from "../storage/store.ts";
import type { AdmissionChain } from "./admission/admission.ts";
import { GenericRegistry, type RegistryHooks } from "./registry/generic-registry.ts";

export interface CatalogOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly admission: AdmissionChain;
  readonly resources: readonly ResourceDefinition[];
  /** Store-aware steps for particular resources (service allocation). */
  readonly hooksFor?: (definition: ResourceDefinition) => RegistryHooks | undefined;
}

export interface ApiGroupVersions {
  readonly group: string;
  /** Served versions, preferred first. */
  readonly versions: string[];
}

export class Catalog {
  readonly #byPath = new Map<string, GenericRegistry>();
  readonly #registries: GenericRegistry[] = [];

  constructor(options: CatalogOptions) {
    for (const definition of options.resources) {
      const hooks = options.hooksFor?.(definition);
      const registry = new GenericRegistry({
        store: options.store,
        clock: options.clock,
        admission: options.admission,
        definition,
        ...(hooks ? { hooks } : {}),
      });
      this.#registries.push(registry);
      this.#byPath.set(pathKey(definition.group, definition.version, definition.plural), registry);
    }
  }

  lookup(group: string, version: string, plural: string): GenericRegistry | undefined {
    return this.#byPath.get(pathKey(group, version, plural));
  }

  /** The registry of a kind in its group (any served version). */
  byKind(group: string, kind: string): GenericRegistry | undefined {
    return this.#registries.find((r) => r.definition.group === group && r.definition.kind === kind);
  }

  get registries(): readonly GenericRegistry[] {
    return this.#registries;
  }

  /** API groups in discovery order: the core group first, then the rest as registered. */
  groups(): ApiGroupVersions[] {
    const out = new Map<string, string[]>();
    for (const r of this.#registries) {
      const versions = out.get(r.definition.group) ?? [];
      if (!versions.includes(r.definition.version)) versions.push(r.definition.version);
      out.set(r.definition.group, versions);
    }
    return [...out].map(([group, versions]) => ({ group, versions }));
  }

  resourcesOf(group: string, version: string): GenericRegistry[] {
    return this.#registries.filter(
      (r) => r.definition.group === group && r.definition.version === version,
    );
  }
}

function pathKey(group: string, version: string, plural: string): string {
  return `${group}/${version}/${plural}`;
}
