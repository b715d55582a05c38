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

export type CatalogChange = { added: GenericRegistry[]; removed: GenericRegistry[] };

/**
 * Resources can be added and removed at run time (custom resources); listeners hear of each
 * change, and `generation` counts them so that derived documents (OpenAPI) know when to rebuild.
 */
export class Catalog {
  readonly #byPath = new Map<string, GenericRegistry>();
  #registries: GenericRegistry[] = [];
  readonly #options: CatalogOptions;
  readonly #listeners: Array<(change: CatalogChange) => void> = [];
  #generation = 0;

  constructor(options: CatalogOptions) {
    this.#options = options;
    for (const definition of options.resources) this.#register(definition);
  }

  #register(definition: ResourceDefinition): GenericRegistry {
    const hooks = this.#options.hooksFor?.(definition);
    const registry = new GenericRegistry({
      store: this.#options.store,
      clock: this.#options.clock,
      admission: this.#options.admission,
      definition,
      ...(hooks ? { hooks } : {}),
    });
    this.#registries.push(registry);
    this.#byPath.set(pathKey(definition.group, definition.version, definition.plural), registry);
    return registry;
  }

  get generation(): number {
    return this.#generation;
  }

  onChange(listener: (change: CatalogChange) => void): void {
    this.#listeners.push(listener);
  }

  /** Replaces the resources `owner` serves with `definitions` (custom resources of one CRD). */
  replace(owner: string, definitions: readonly ResourceDefinition[]): void {
    const removed = this.#registries.filter((r) => this.#owners.get(r) === owner);
    this.#registries = this.#registries.filter((r) => !removed.includes(r));
    for (const r of removed) {
      const d = r.definition;
      this.#byPath.delete(pathKey(d.group, d.version, d.plural));
    }
    const added = definitions.map((d) => {
      const registry = this.#register(d);
      this.#owners.set(registry, owner);
      return registry;
    });
    this.#generation++;
    for (const listener of this.#listeners) listener({ added, removed });
  }

  readonly #owners = new WeakMap<GenericRegistry, string>();

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

  /**
   * API groups in discovery order (the core group first, then the rest as registered), each
   * with its versions in Kubernetes' priority order (v2 > v1 > v1beta2 > v1beta1 > v1alpha1).
   */
  groups(): ApiGroupVersions[] {
    const out = new Map<string, string[]>();
    for (const r of this.#registries) {
      const versions = out.get(r.definition.group) ?? [];
      if (!versions.includes(r.definition.version)) versions.push(r.definition.version);
      out.set(r.definition.group, versions);
    }
    return [...out].map(([group, versions]) => ({
      group,
      versions: versions.sort(compareVersions),
    }));
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

/** Kubernetes' version priority: GA before beta before alpha, higher numbers first. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0, v] as const;
    const level = m[2] === undefined ? 3 : m[2] === "beta" ? 2 : 1;
    return [level, Number(m[1]), Number(m[3] ?? 0), v] as const;
  };
  const [la, ma, na, sa] = parse(a);
  const [lb, mb, nb, sb] = parse(b);
  if (la !== lb) return lb - la;
  if (ma !== mb) return mb - ma;
  if (na !== nb) return nb - na;
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
