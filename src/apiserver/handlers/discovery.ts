/**
 * Discovery documents, legacy (APIVersions, APIGroupList, APIResourceList) and aggregated
 * (apidiscovery.k8s.io/v2), built from the catalog. kubectl uses the aggregated form only when
 * the response Content-Type says so.
 */
import type { ResourceDefinition } from "../../api/resource.ts";
import { wellKnownSubresource } from "../../api/schema/subresources.ts";
import type { Catalog } from "../catalog.ts";

export const aggregatedContentType =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

const allVerbs = [
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
];

export function verbsOf(def: ResourceDefinition): string[] {
  return def.verbs ? [...def.verbs] : allVerbs;
}

/** Wants the aggregated form: the Accept header names apidiscovery v2. */
export function wantsAggregated(accept: string | undefined): boolean {
  return /g=apidiscovery\.k8s\.io;\s*v=v2(;|,|$)|v=v2;\s*g=apidiscovery\.k8s\.io/.test(
    accept ?? "",
  );
}

export function apiVersions(serverAddress: string) {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function groupEntry(group: string, versions: string[]) {
  const gv = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: gv, preferredVersion: gv[0] };
}

export function apiGroupList(catalog: Catalog) {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: catalog
      .groups()
      .filter((g) => g.group !== "")
      .map((g) => groupEntry(g.group, g.versions)),
  };
}

export function apiGroup(catalog: Catalog, group: string) {
  const g = catalog.groups().find((x) => x.group === group);
  return g ? { kind: "APIGroup", apiVersion: "v1", ...groupEntry(group, g.versions) } : undefined;
}

export function apiResourceList(catalog: Catalog, group: string, version: string) {
  const registries = catalog.resourcesOf(group, version);
  if (registries.length === 0) return undefined;
  const resources: object[] = [];
  for (const { definition: def } of registries) {
    resources.push({
      name: def.plural,
      singularName: def.singular,
      namespaced: def.namespaced,
      kind: def.kind,
      verbs: verbsOf(def),
      ...(def.shortNames?.length ? { shortNames: def.shortNames } : {}),
      ...(def.categories?.length ? { categories: def.categories } : {}),
    });
    for (const name of def.subresources ?? []) {
      const sub = wellKnownSubresource(name, def);
      if (!sub) continue;
      const kind = sub.kind ?? def;
      resources.push({
        name: `${def.plural}/${name}`,
        singularName: "",
        namespaced: def.namespaced,
        ...(sub.kind ? { group: sub.kind.group, version: sub.kind.version } : {}),
        kind: kind.kind,
        verbs: sub.verbs,
      });
    }
  }
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

function aggregatedResource(def: ResourceDefinition) {
  return {
    resource: def.plural,
    responseKind: { group: def.group, version: def.version, kind: def.kind },
    scope: def.namespaced ? "Namespaced" : "Cluster",
    singularResource: def.singular,
    verbs: verbsOf(def),
    ...(def.shortNames?.length ? { shortNames: def.shortNames } : {}),
    ...(def.categories?.length ? { categories: def.categories } : {}),
    subresources: (def.subresources ?? []).flatMap((name) => {
      const sub = wellKnownSubresource(name, def);
      if (!sub) return [];
      const kind = sub.kind ?? { group: def.group, version: def.version, kind: def.kind };
      return [{ subresource: name, responseKind: kind, verbs: sub.verbs }];
    }),
  };
}

/** `/api` (core only) or `/apis` (every other group) as an APIGroupDiscoveryList. */
export function aggregatedDiscovery(catalog: Catalog, legacy: boolean) {
  const items = catalog
    .groups()
    .filter((g) => (g.group === "") === legacy)
    .map((g) => ({
      metadata: legacy ? {} : { name: g.group },
      versions: g.versions.map((version) => ({
        version,
        freshness: "Current",
        resources: catalog
          .resourcesOf(g.group, version)
          .map((r) => aggregatedResource(r.definition)),
      })),
    }));
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: "apidiscovery.k8s.io/v2",
    metadata: {},
    items,
  };
}
