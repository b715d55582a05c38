/**
 * What the garbage collector learns from discovery (GET /api, /apis and each group-version's
 * APIResourceList): the resources to watch — preferred versions that can be listed, watched and
 * deleted, minus events (upstream `GetDeletableResources` and `ignoredResources`) — and a REST
 * mapping from an ownerReference's apiVersion and kind to a resource URL. Group-versions that
 * fail to answer are skipped, as upstream tolerates partial discovery.
 */
import { parseApiVersion } from "../../api/object.ts";
import type { GroupVersionResource } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";

export interface ApiResource {
  readonly gvr: GroupVersionResource;
  readonly kind: string;
  readonly apiVersion: string;
}

interface APIResourceList {
  groupVersion: string;
  resources: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}

interface APIGroupList {
  groups: {
    name: string;
    versions: { groupVersion: string; version: string }[];
    preferredVersion?: { groupVersion: string; version: string };
  }[];
}

const ignoredResources = new Set(["/events", "events.k8s.io/events"]);
const requiredVerbs = ["delete", "list", "watch"];

export interface DiscoveredResources {
  /** Resources to monitor, one version per group. */
  readonly deletable: readonly ApiResource[];
  /** `apiVersion/kind` of every served version → its resource. */
  readonly byKind: ReadonlyMap<string, ApiResource>;
}

async function resourceList(
  client: RestClient,
  groupVersion: string,
): Promise<(ApiResource & { deletable: boolean })[]> {
  const { group, version } = parseApiVersion(groupVersion);
  const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const list = await client.get<APIResourceList>(path);
  return list.resources
    .filter((r) => !r.name.includes("/"))
    .map((r) => ({
      gvr: { group, version, resource: r.name, namespaced: r.namespaced },
      kind: r.kind,
      apiVersion: groupVersion,
      verbs: r.verbs ?? [],
    }))
    .map(({ verbs, ...rest }) => ({
      ...rest,
      deletable: requiredVerbs.every((v) => verbs.includes(v)),
    }));
}

export async function discoverResources(client: RestClient): Promise<DiscoveredResources> {
  const core = await client.get<{ versions: string[] }>("/api");
  const groups = await client.get<APIGroupList>("/apis");
  const versions: { groupVersion: string; preferred: boolean }[] = core.versions.map((v, i) => ({
    groupVersion: v,
    preferred: i === 0,
  }));
  for (const g of groups.groups) {
    const preferred = g.preferredVersion?.groupVersion ?? g.versions[0]?.groupVersion;
    for (const v of g.versions)
      versions.push({ groupVersion: v.groupVersion, preferred: v.groupVersion === preferred });
  }
  const lists = await Promise.allSettled(versions.map((v) => resourceList(client, v.groupVersion)));
  const deletable: ApiResource[] = [];
  const byKind = new Map<string, ApiResource>();
  lists.forEach((result, i) => {
    if (result.status !== "fulfilled") return;
    for (const { deletable: canDelete, ...r } of result.value) {
      byKind.set(`${r.apiVersion}/${r.kind}`, r);
      const ignored = ignoredResources.has(`${r.gvr.group}/${r.gvr.resource}`);
      if (versions[i]!.preferred && canDelete && !ignored) deletable.push(r);
    }
  });
  return { deletable, byKind };
}

/** The resource for an owner's apiVersion and kind, falling back to another version of the group. */
export function resourceForKind(
  discovered: DiscoveredResources,
  apiVersion: string,
  kind: string,
): ApiResource | undefined {
  const exact = discovered.byKind.get(`${apiVersion}/${kind}`);
  if (exact) return exact;
  const { group } = parseApiVersion(apiVersion);
  return discovered.deletable.find((r) => r.gvr.group === group && r.kind === kind);
}

export function gvrKey(gvr: GroupVersionResource): string {
  return `${gvr.group}/${gvr.version}/${gvr.resource}`;
}
