/**
 * The errors server-side apply reports, as Status errors the API server sends unchanged:
 * conflicts (409, apiserver's `NewConflictError` wording) and malformed input.
 */
import { goQuote } from "../go-format.ts";
import { failureStatus, type StatusCause, StatusError, type StatusReason } from "../status.ts";
import type { FieldSet } from "./field-set.ts";
import { compareStrings } from "./go-json.ts";
import { parseIdentifier } from "./managers.ts";
import { pathString } from "./path.ts";

export interface ApplyConflict {
  /** The manager's name (`kubectl-client-side-apply`). */
  readonly manager: string;
  /** The conflicting field as upstream prints it (`.spec.replicas`). */
  readonly field: string;
}

/** Upstream's `printManager`: `"kubectl" with subresource "status"`, `"x" using apps/v1`. */
export function printManager(identifier: string): string {
  const info = parseIdentifier(identifier);
  let text = goQuote(info.manager);
  if (info.subresource) text += ` with subresource ${goQuote(info.subresource)}`;
  if (info.operation === "Update") text += ` using ${info.apiVersion ?? ""}`;
  return text;
}

/** 409 Conflict: other managers own fields the apply would change. */
export class ApplyConflictError extends StatusError {
  readonly conflicts: readonly ApplyConflict[];

  /** `byManager`: the conflicting fields of each other manager, keyed by manager identity. */
  constructor(byManager: ReadonlyMap<string, FieldSet>) {
    const ids = [...byManager.keys()].sort(compareStrings);
    const entries = ids.flatMap((id) =>
      byManager
        .get(id)!
        .paths()
        .map((p) => ({ id, field: pathString(p) })),
    );
    const causes: StatusCause[] = entries.map(({ id, field }) => ({
      reason: "FieldManagerConflict",
      message: `conflict with ${printManager(id)}`,
      field,
    }));
    super(failureStatus("Conflict", conflictMessage(ids, entries), { causes }));
    this.conflicts = entries.map(({ id, field }) => ({
      manager: parseIdentifier(id).manager,
      field,
    }));
  }
}

function conflictMessage(
  ids: readonly string[],
  entries: ReadonlyArray<{ id: string; field: string }>,
): string {
  const [only] = entries;
  if (entries.length === 1 && only) {
    return `Apply failed with 1 conflict: conflict with ${printManager(only.id)}: ${only.field}`;
  }
  const lines = ids.flatMap((id) => [
    `conflicts with ${printManager(id)}:`,
    ...entries.filter((e) => e.id === id).map((e) => `- ${e.field}`),
  ]);
  return `Apply failed with ${entries.length} conflicts: ${lines.join("\n")}`;
}

/**
 * A request apply cannot carry out: BadRequest (managedFields in the patch, wrong version) or,
 * as upstream answers malformed objects, a 500 whose message names the object and the field.
 */
export class ApplyError extends StatusError {
  constructor(reason: Extract<StatusReason, "" | "BadRequest">, message: string, cause?: unknown) {
    super(failureStatus(reason, message), cause === undefined ? undefined : { cause });
  }
}
