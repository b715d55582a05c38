/**
 * Cron schedules as the CronJob controller runs them (robfig/cron's `ParseStandard` and
 * `SpecSchedule.Next`): five fields (minute, hour, day of month, month, day of week) of lists,
 * ranges, steps and names, the descriptors (@yearly … @hourly, @every <duration>), and an optional
 * `TZ=` / `CRON_TZ=` prefix. Times are evaluated on the wall clock of the schedule's time zone.
 * When both day fields are restricted a day matches either of them; when one is `*`, both.
 */
import { parseStandardSchedule } from "../../api/kinds/workloads/cron-schedule.ts";
import { checkTimeZone, instantsForWall, offsetAt } from "./zone-time.ts";

export interface Schedule {
  /** The first activation strictly after `after` (ms since the epoch); undefined if none in 5 years. */
  next(after: number): number | undefined;
}

interface Bounds {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly nameBase?: number;
}

const monthNames = [
  "jan",
  "feb",
  "mar",
  "apr",
  "may",
  "jun",
  "jul",
  "aug",
  "sep",
  "oct",
  "nov",
  "dec",
];
const dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const bounds: readonly Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: monthNames, nameBase: 1 },
  { min: 0, max: 6, names: dayNames, nameBase: 0 },
];

const descriptors: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

interface Field {
  readonly values: ReadonlySet<number>;
  /** The field was `*` or `?` (a step above 1 clears it, as in robfig/cron). */
  readonly star: boolean;
}

function fieldValue(text: string, b: Bounds): number {
  const named = b.names?.indexOf(text.toLowerCase()) ?? -1;
  return named >= 0 ? named + (b.nameBase ?? 0) : Number(text);
}

function parseField(text: string, b: Bounds): Field {
  const values = new Set<number>();
  let star = false;
  for (const expr of text.split(",").filter((e) => e !== "")) {
    const [range = "", stepText] = expr.split("/");
    const [low = "", high] = range.split("-");
    let start: number;
    let end: number;
    let exprStar = false;
    if (low === "*" || low === "?") {
      [start, end, exprStar] = [b.min, b.max, true];
    } else {
      start = fieldValue(low, b);
      end = high === undefined ? start : fieldValue(high, b);
    }
    let step = 1;
    if (stepText !== undefined) {
      step = Number(stepText);
      if (high === undefined) end = b.max;
      if (step > 1) exprStar = false;
    }
    for (let v = start; v <= end; v += step) values.add(v);
    star ||= exprStar;
  }
  return { values, star };
}

/** Go's `time.ParseDuration` for the @every form, in whole seconds (at least one). */
function parseEverySeconds(text: string): number {
  const units: Record<string, number> = {
    ns: 1e-9,
    us: 1e-6,
    µs: 1e-6,
    μs: 1e-6,
    ms: 1e-3,
    s: 1,
    m: 60,
    h: 3600,
  };
  let total = 0;
  for (const m of text.matchAll(/(\d*\.?\d*)([^\d.]+)/g))
    total += Number(m[1]) * (units[m[2]!] ?? 0);
  return Math.max(1, Math.floor(total));
}

class SpecSchedule implements Schedule {
  readonly #fields: readonly Field[];
  readonly #zone: string;

  constructor(fields: readonly Field[], zone: string) {
    this.#fields = fields;
    this.#zone = zone;
  }

  #dayMatches(date: Date): boolean {
    const dom = this.#fields[2]!;
    const dow = this.#fields[4]!;
    const domMatch = dom.values.has(date.getUTCDate());
    const dowMatch = dow.values.has(date.getUTCDay());
    return dom.star || dow.star ? domMatch && dowMatch : domMatch || dowMatch;
  }

  /** Matching wall-clock minutes (as UTC ms) from the day of `fromWall`, in order. */
  *#walls(fromWall: number): Generator<number> {
    const start = new Date(fromWall);
    const [minutes, hours, , months] = this.#fields as [Field, Field, Field, Field];
    const sortedHours = [...hours.values].sort((a, b) => a - b);
    const sortedMinutes = [...minutes.values].sort((a, b) => a - b);
    for (let d = -1; d <= 366 * 5 + 1; d++) {
      const day = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate() + d);
      const date = new Date(day);
      if (!months.values.has(date.getUTCMonth() + 1) || !this.#dayMatches(date)) continue;
      for (const h of sortedHours) {
        for (const m of sortedMinutes) yield day + h * 3_600_000 + m * 60_000;
      }
    }
  }

  next(after: number): number | undefined {
    // Wall clocks can repeat up to a few hours around a transition; look that far back.
    const margin = 3 * 3_600_000;
    const afterWall = after + offsetAt(after, this.#zone);
    let best: number | undefined;
    let firstWall: number | undefined;
    for (const wall of this.#walls(afterWall)) {
      if (wall < afterWall - margin) continue;
      if (firstWall !== undefined && wall > firstWall + margin) break;
      for (const instant of instantsForWall(wall, this.#zone)) {
        if (instant <= after) continue;
        firstWall ??= wall;
        if (best === undefined || instant < best) best = instant;
      }
    }
    return best;
  }
}

class EverySchedule implements Schedule {
  readonly #seconds: number;
  constructor(seconds: number) {
    this.#seconds = seconds;
  }
  next(after: number): number {
    return Math.floor(after / 1000) * 1000 + this.#seconds * 1000;
  }
}

/**
 * Parses a CronJob schedule; throws an Error with robfig/cron's message when it is invalid.
 * `zone` applies unless the schedule names its own with TZ= or CRON_TZ=.
 */
export function parseSchedule(spec: string, zone: string): Schedule {
  parseStandardSchedule(spec);
  let rest = spec;
  let location = zone;
  if (rest.startsWith("TZ=") || rest.startsWith("CRON_TZ=")) {
    const space = rest.indexOf(" ");
    location = rest.slice(rest.indexOf("=") + 1, space);
    rest = rest.slice(space).trim();
  }
  checkTimeZone(location);
  if (rest.startsWith("@every ")) return new EverySchedule(parseEverySeconds(rest.slice(7)));
  const expanded = descriptors[rest] ?? rest;
  const parts = expanded.split(/\s+/).filter((p) => p !== "");
  return new SpecSchedule(
    parts.map((p, i) => parseField(p, bounds[i]!)),
    location,
  );
}
