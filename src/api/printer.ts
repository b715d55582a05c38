/**
 * Server-side Table printing: the columns `kubectl get` shows for a kind and how one object
 * becomes one row. Cells are pre-formatted, as upstream's printers produce them.
 */
export interface TableColumn {
  readonly name: string;
  readonly type: "string" | "integer" | "number" | "boolean" | "date";
  readonly format: string;
  readonly description: string;
  /** 0: always shown; 1: only with `-o wide`. */
  readonly priority: 0 | 1;
}

export type TableCell = string | number | boolean | null;

export interface Printer<T> {
  readonly columns: readonly TableColumn[];
  /** One row of cells, in column order. `now` is milliseconds since the epoch. */
  row(obj: T, now: number): TableCell[];
}

export function column(
  name: string,
  options: {
    type?: TableColumn["type"];
    format?: string;
    priority?: 0 | 1;
    description?: string;
  } = {},
): TableColumn {
  return {
    name,
    type: options.type ?? "string",
    format: options.format ?? (name === "Name" ? "name" : ""),
    description: options.description ?? "",
    priority: options.priority ?? 0,
  };
}

/**
 * Age as upstream's `duration.HumanDuration`: "45s", "5m10s" (under 10 minutes), "3h", "2d5h",
 * "8y" — the short form kubectl prints.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24);
    const d = days % 365;
    return d === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${d}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** The AGE cell of an object: "<unknown>" without a creation time. */
export function age(creationTimestamp: string | undefined, now: number): string {
  if (!creationTimestamp) return "<unknown>";
  return humanDuration(now - Date.parse(creationTimestamp));
}

/** Upstream's default columns for kinds without a printer. */
export const defaultPrinter: Printer<{ metadata?: { name?: string; creationTimestamp?: string } }> =
  {
    columns: [
      column("Name", { description: "Name must be unique within a namespace." }),
      column("Created At", { type: "date", description: "The creation time of the object." }),
    ],
    row: (obj) => [obj.metadata?.name ?? "", obj.metadata?.creationTimestamp ?? null],
  };
