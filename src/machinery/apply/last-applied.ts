/**
 * The server's part of moving an object from client-side apply to server-side apply, as
 * apiserver's lastAppliedManager and lastAppliedUpdater do for the manager "kubectl":
 *
 * - Conflicts are forgiven for fields the `kubectl.kubernetes.io/last-applied-configuration`
 *   annotation sets to the live value: those were kubectl's own, applied client-side.
 * - After the apply, an existing annotation is rewritten to the configuration just applied, so a
 *   later client-side apply still diffs against what the user last applied.
 *
 * kubectl itself then sends a `kubectl-last-applied` apply of the annotation and a JSON patch
 * moving `kubectl-client-side-apply`'s fields into its own Apply entry; both are ordinary writes.
 */
import { deepCopy, isJsonObject, type JsonObject } from "../patch/json-value.ts";
import { compareValues } from "./compare.ts";
import type { FieldSet } from "./field-set.ts";
import { goJson } from "./go-json.ts";
import type { ApplySchema } from "./schema.ts";
import { toFieldSet } from "./typed.ts";

export const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

/** The field manager kubectl uses for `apply --server-side`; only it gets this treatment. */
export const kubectlApplyManager = "kubectl";

function annotationsOf(object: unknown): JsonObject | undefined {
  const metadata = isJsonObject(object) ? object.metadata : undefined;
  const annotations = isJsonObject(metadata) ? metadata.annotations : undefined;
  return isJsonObject(annotations) ? annotations : undefined;
}

/**
 * The fields the last-applied annotation of `live` sets to their live values; undefined when
 * there is no usable annotation.
 */
export function allowedConflictsFromLastApplied(
  live: JsonObject,
  schema: ApplySchema,
): FieldSet | undefined {
  const text = annotationsOf(live)?.[lastAppliedAnnotation];
  if (typeof text !== "string" || text === "") return undefined;
  try {
    const lastApplied: unknown = JSON.parse(text);
    if (!isJsonObject(lastApplied)) return undefined;
    const comparison = compareValues(lastApplied, live, schema);
    return toFieldSet(lastApplied, schema)
      .difference(comparison.modified)
      .difference(comparison.added)
      .difference(comparison.removed);
  } catch {
    return undefined;
  }
}

/** The annotation value for an applied configuration: its JSON as Go encodes it, without itself. */
export function buildLastApplied(applied: JsonObject): string {
  const copy = deepCopy(applied);
  const annotations = annotationsOf(copy);
  if (annotations) delete annotations[lastAppliedAnnotation];
  return `${goJson(copy)}\n`;
}

/** Rewrites the annotation of `object` (in place) when it has one. */
export function syncLastApplied(object: JsonObject, applied: JsonObject): void {
  const annotations = annotationsOf(object);
  if (annotations && typeof annotations[lastAppliedAnnotation] === "string") {
    annotations[lastAppliedAnnotation] = buildLastApplied(applied);
  }
}
