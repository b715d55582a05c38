/**
 * Which resources live in namespaces, found the way client-go's
 * `ServerPreferredNamespacedResources` does: `/api` and `/apis`, then the APIResourceList of each
 * group's preferred version (custom resources included). Groups whose list fails are reported,
 * not fatal: the namespace controller deletes what it can see and says what it could not.
 */
import type { GroupVersionResource } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";

export interface DiscoveredResource extends GroupVersionResource {
  readonly verbs: readonly string[];
}

export interface DiscoveryResult {
  readonly resources: DiscoveredResource[];
  /** `group/version` → error, for lists that failed (`ErrGroupDiscoveryFailed`). */
  readonly failedGroups: Map<string, Error>;
}

interface APIResource {
  name: string;
  namespaced: boolean;
  verbs?: string[];
}

interface APIGroupList {
  groups?: Array<{
    name: string;
    preferredVersion?: { groupVersion: string; version: string };
    versions?: Array<{ groupVersion: string; version: string }>;
  }>;
}

/** `ErrGroupDiscoveryFailed.Error()`. */
export function groupDiscoveryFailedMessage(failed: Map<string, Error>): string {
  const parts = [...failed].map(([gv, err]) => `${gv}: ${err.message}`).sort();
  return `unable to retrieve the complete list of server APIs: ${parts.join(", ")}`;
}

/** Namespaced, top-level (not subresource) resources of the preferred versions that support `verb`. */
export async function discoverNamespacedResources(
  client: RestClient,
  verb = "delete",
): Promise<DiscoveryResult> {
  const groupVersions: Array<{ group: string; version: string }> = [];
  const core = await client.get<{ versions?: string[] }>("/api");
  if (core.versions?.[0]) groupVersions.push({ group: "", version: core.versions[0] });
  const groups = await client.get<APIGroupList>("/apis");
  for (const g of groups.groups ?? []) {
    const version = g.preferredVersion?.version ?? g.versions?.[0]?.version;
    if (version) groupVersions.push({ group: g.name, version });
  }
  const resources: DiscoveredResource[] = [];
  const failedGroups = new Map<string, Error>();
  await Promise.all(
    groupVersions.map(async ({ group, version }) => {
      const gv = group ? `${group}/${version}` : version;
      const path = group ? `/apis/${gv}` : `/api/${version}`;
      try {
        const list = await client.get<{ resources?: APIResource[] }>(path);
        for (const r of list.resources ?? []) {
          if (!r.namespaced || r.name.includes("/") || !(r.verbs ?? []).includes(verb)) continue;
          resources.push({
            group,
            version,
            resource: r.name,
            namespaced: true,
            verbs: r.verbs ?? [],
          });
        }
      } catch (err) {
        failedGroups.set(gv, err instanceof Error ? err : new Error(String(err)));
      }
    }),
  );
  return { resources, failedGroups };
}
