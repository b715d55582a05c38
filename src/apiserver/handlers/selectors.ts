/**
 * `labelSelector` and `fieldSelector` query parameters → one predicate over objects. Every kind
 * supports metadata.name and metadata.namespace; its strategy names the rest.
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

export function selectableFields(def: ResourceDefinition, obj: KubeObject): Record<string, string> {
  const meta = obj.metadata ?? {};
  const fields: Record<string, string> = { "metadata.name": meta.name ?? "" };
  if (def.namespaced) fields["metadata.namespace"] = meta.namespace ?? "";
  return { ...fields, ...(def.strategy.selectableFields?.(obj) ?? {}) };
}

/** The predicate for a list or watch, or undefined when it selects everything. */
export function selectorFilter(
  def: ResourceDefinition,
  query: URLSearchParams,
): ((obj: KubeObject) => boolean) | undefined {
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
  return (obj) =>
    (!labels || labels.matches(obj.metadata?.labels ?? {})) &&
    (!fields || fields.matches(selectableFields(def, obj)));
}
