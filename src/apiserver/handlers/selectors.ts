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

/** The matcher for a list or watch request, or undefined when it selects everything. */
export function compileSelectors(
  def: ResourceDefinition,
  query: URLSearchParams,
): Matcher | undefined {
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
  if (!labels && !fields) return undefined;
  return (s) => (!labels || labels.matches(s.labels)) && (!fields || fields.matches(s.fields));
}

/**
 * The fields a request's field selector pins to one value (`spec.nodeName=node-1`), for lists
 * the cache can answer from an index; undefined without any. Call after `compileSelectors`,
 * which refuses a bad selector.
 */
export function pinnedFields(query: URLSearchParams): Record<string, string> | undefined {
  const text = query.get("fieldSelector") ?? "";
  if (!text) return undefined;
  const pinned: Record<string, string> = {};
  for (const t of parseFieldSelector(text).terms) if (t.operator === "=") pinned[t.field] = t.value;
  return Object.keys(pinned).length > 0 ? pinned : undefined;
}

/** The same matcher as a predicate over whole objects (for reads that bypass the cache). */
export function selectorFilter(
  def: ResourceDefinition,
  query: URLSearchParams,
): ((obj: KubeObject) => boolean) | undefined {
  const matcher = compileSelectors(def, query);
  return matcher && ((obj) => matcher(selectionOf(def, obj)));
}
