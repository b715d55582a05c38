/**
 * The Table of a custom resource (upstream `pkg/registry/customresource/tableconvertor`): Name
 * first, then the version's `additionalPrinterColumns` (or, when it has none, Age over
 * `.metadata.creationTimestamp`). Each cell is the first value the column's JSONPath finds:
 * text for string columns, a number or boolean for typed ones, and for date columns the age as
 * `kubectl get` shows it ("5m"), exactly as upstream's `cellForJSONValue` does.
 */
import type { CustomResourceColumnDefinition } from "../generated/types.ts";
import type { KubeObject } from "../object.ts";
import {
  column,
  humanDuration,
  type Printer,
  type TableCell,
  type TableColumn,
} from "../printer.ts";
import { findResults, parseJSONPath, printResult, type Step } from "./jsonpath.ts";

const nameDescription = "Name must be unique within a namespace.";
const creationDescription =
  "CreationTimestamp is a timestamp representing the server time when this object was created.";

/** Upstream `serveDefaultColumnsIfEmpty`. */
export const defaultColumns: readonly CustomResourceColumnDefinition[] = [
  {
    name: "Age",
    type: "date",
    jsonPath: ".metadata.creationTimestamp",
    description: creationDescription,
  },
];

function columnType(type: string): TableColumn["type"] {
  return type === "integer" || type === "number" || type === "boolean" || type === "date"
    ? type
    : "string";
}

/** The date cell: an age relative to `now`, "<invalid>" for text that is no timestamp. */
function dateCell(value: string, now: number): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return "<invalid>";
  return humanDuration(now - ms);
}

/** Upstream `cellForJSONValue`. */
export function cellFor(type: string, value: unknown, now: number): TableCell {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "string":
      return printResult(value);
    case "integer":
      return typeof value === "number" ? Math.trunc(value) : null;
    case "number":
      return typeof value === "number" ? value : null;
    case "boolean":
      return typeof value === "boolean" ? value : null;
    case "date":
      return typeof value === "string" ? dateCell(value, now) : null;
    default:
      return null;
  }
}

interface Compiled {
  readonly def: CustomResourceColumnDefinition;
  readonly steps: Step[] | null;
}

/** The printer for a version's columns (none given: Name and Age). */
export function customResourcePrinter(
  columns: readonly CustomResourceColumnDefinition[] | undefined,
): Printer<KubeObject> {
  const defs = columns && columns.length > 0 ? columns : defaultColumns;
  const compiled: Compiled[] = defs.map((def) => {
    const steps = parseJSONPath(def.jsonPath);
    return { def, steps: steps instanceof Error ? null : steps };
  });
  const tableColumns: TableColumn[] = [
    column("Name", { description: nameDescription }),
    ...defs.map((def) =>
      column(def.name, {
        type: columnType(def.type),
        format: def.format ?? "",
        priority: (def.priority ?? 0) > 0 ? 1 : 0,
        description:
          def.description ||
          `Custom resource definition column (in JSONPath format): ${def.jsonPath}`,
      }),
    ),
  ];
  return {
    columns: tableColumns,
    row(obj, now) {
      const cells: TableCell[] = [obj.metadata?.name ?? ""];
      for (const { def, steps } of compiled) {
        const results = steps === null ? [] : findResults(obj, steps);
        cells.push(results.length === 0 ? null : cellFor(def.type, results[0], now));
      }
      return cells;
    },
  };
}
