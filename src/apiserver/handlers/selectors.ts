/**
 * `labelSelector` and `fieldSelector` query parameters → one matcher over an object's labels and
 * selectable fields. Every kind supports metadata.name and metadata.namespace; its strategy names
 * the rest. The watch cache precomputes each object's selection once, so matching is cheap.
 */
import type { KubeObject } from "../../api/object.ts";
import type { ResourceDefinition } from "../../api/resource.ts";
import {
  FieldSelectorError,
  parseFieldSelector,
  validateFieldSelector,
} from "../../machinery/fields.ts";
import { parseSelector } from "../../machinery/labels.ts";
import { newBadRequest } from "../../machinery/status.ts";

/** What selectors look at: the labels and the selectable fields of one object. */
export interface Selection {
  readonly labels: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, string>>;
}

export type Matcher = (selection: Selection) => boolean;

export function selectableFields(def: ResourceDefinition, obj: KubeObject): Record<string, string> {
  const meta = obj.metadata ?? {};
  const fields: Record<string, string> = { "metadata.name": meta.name ?? "" };
  if (def.namespaced) fields["metadata.namespace"] = meta.namespace ?? "";
  return { ...fields, ...(def.strategy.selectableFields?.(obj) ?? {}) };
}

export function selectionOf(def: ResourceDefinition, obj: KubeObject): Selection {
  return { labels: obj.metadata?.labels ?? {}, fields: selectableFields(def, obj) };
}

/**
 * A list or watch request's selectors, read once: the matcher (undefined when it selects
 * everything) and the fields the field selector pins to one value (`spec.nodeName=node-1`), with
 * which the watch cache can use an index.
 */
export function compileSelection(
  def: ResourceDefinition,
  query: URLSearchParams,
): {
  readonly matches: Matcher | undefined;
  readonly exactFields: Record<string, string> | undefined;
} {
  const labelText = query.get("labelSelector") ?? "";
  const fieldText = query.get("fieldSelector") ?? "";
  let labels: ReturnType<typeof parseSelector> | undefined;
  let fields: ReturnType<typeof parseFieldSelector> | undefined;
  try {
    if (labelText) labels = parseSelector(labelText);
  } catch (err) {
    throw newBadRequest((err as Error).message);
  }
  try {
    if (fieldText) {
      const supported = Object.keys(selectableFields(def, { metadata: {} }));
      fields = validateFieldSelector(parseFieldSelector(fieldText), supported);
    }
  } catch (err) {
    if (err instanceof FieldSelectorError) throw newBadRequest(err.message);
    throw err;
  }
  const pinned = (fields?.terms ?? []).filter((t) => t.operator === "=");
  const exactFields =
    pinned.length > 0 ? Object.fromEntries(pinned.map((t) => [t.field, t.value])) : undefined;
  if (!labels && !fields) return { matches: undefined, exactFields };
  return {
    matches: (s) => (!labels || labels.matches(s.labels)) && (!fields || fields.matches(s.fields)),
    exactFields,
  };
}

/** The same matcher as a predicate over whole objects (for reads that bypass the cache). */
export function selectorFilter(
  def: ResourceDefinition,
  query: URLSearchParams,
): ((obj: KubeObject) => boolean) | undefined {
  const matcher = compileSelection(def, query).matches;
  return matcher && ((obj) => matcher(selectionOf(def, obj)));
}
