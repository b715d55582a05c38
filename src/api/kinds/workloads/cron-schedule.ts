/**
 * Cron schedules as the CronJob API accepts them (robfig/cron's `ParseStandard`): five fields
 * (minute, hour, day of month, month, day of week) of lists, ranges, steps and names, or a
 * descriptor (@yearly, @monthly, @weekly, @daily, @hourly, @every <duration>), optionally
 * preceded by TZ= or CRON_TZ=. Errors carry robfig/cron's messages, which the API returns.
 */

interface Bounds {
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const fields: readonly Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: Object.fromEntries(months.map((m, i) => [m, i + 1])) },
  { min: 0, max: 6, names: Object.fromEntries(days.map((d, i) => [d, i])) },
];

const descriptors = new Set([
  "@yearly",
  "@annually",
  "@monthly",
  "@weekly",
  "@daily",
  "@midnight",
  "@hourly",
]);

/** Go's `strconv.Atoi` error text. */
function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.Atoi: parsing "${s}": invalid syntax`);
  return Number(s);
}

function mustParseInt(expr: string): number {
  let n: number;
  try {
    n = atoi(expr);
  } catch (err) {
    throw new Error(`failed to parse int from ${expr}: ${(err as Error).message}`);
  }
  if (n < 0) throw new Error(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, b: Bounds): number {
  const named = b.names?.[expr.toLowerCase()];
  return named ?? mustParseInt(expr);
}

function checkRange(expr: string, b: Bounds): void {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0]!.split("-");
  let start: number;
  let end: number;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    start = b.min;
    end = b.max;
  } else {
    start = parseIntOrName(lowAndHigh[0]!, b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, b);
    else throw new Error(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]!);
    if (lowAndHigh.length === 1) end = b.max;
  } else if (rangeAndStep.length > 2) {
    throw new Error(`too many slashes: ${expr}`);
  }
  if (start < b.min)
    throw new Error(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new Error(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end)
    throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
}

/** Throws an Error with robfig/cron's message when the schedule does not parse. */
export function parseStandardSchedule(spec: string): void {
  if (spec.length === 0) throw new Error("empty spec string");
  let rest = spec;
  if (rest.startsWith("TZ=") || rest.startsWith("CRON_TZ=")) {
    const space = rest.indexOf(" ");
    const zone = rest.slice(rest.indexOf("=") + 1, space < 0 ? undefined : space);
    const err = timeZoneError(zone);
    if (err) throw new Error(`provided bad location ${zone}: ${err}`);
    rest = space < 0 ? "" : rest.slice(space).trim();
  }
  if (rest.startsWith("@")) {
    parseDescriptor(rest);
    return;
  }
  const parts = rest.split(/\s+/).filter((p) => p !== "");
  if (parts.length !== 5) {
    throw new Error(`expected exactly 5 fields, found ${parts.length}: [${parts.join(" ")}]`);
  }
  parts.forEach((part, i) => {
    for (const expr of part.split(",").filter((e) => e !== "")) checkRange(expr, fields[i]!);
  });
}

function parseDescriptor(descriptor: string): void {
  if (descriptors.has(descriptor)) return;
  const every = "@every ";
  if (descriptor.startsWith(every)) {
    const err = goDurationError(descriptor.slice(every.length));
    if (err) throw new Error(`failed to parse duration ${descriptor}: ${err}`);
    return;
  }
  throw new Error(`unrecognized descriptor: ${descriptor}`);
}

const durationUnits = new Set(["ns", "us", "µs", "μs", "ms", "s", "m", "h"]);

/** Go's `time.ParseDuration` error for `s`, or undefined when it parses. */
export function goDurationError(s: string): string | undefined {
  const quoted = `"${s}"`;
  let rest = s.replace(/^[+-]/, "");
  if (rest === "0") return undefined;
  if (rest === "") return `time: invalid duration ${quoted}`;
  while (rest !== "") {
    const num = /^(\d*)(\.\d*)?/.exec(rest)!;
    if (num[0] === "" || num[0] === ".") return `time: invalid duration ${quoted}`;
    rest = rest.slice(num[0].length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    if (unit === "") return `time: missing unit in duration ${quoted}`;
    if (!durationUnits.has(unit)) return `time: unknown unit "${unit}" in duration ${quoted}`;
    rest = rest.slice(unit.length);
  }
  return undefined;
}

/** Go's `time.LoadLocation` error for `zone`, or undefined when the zone is known. */
export function timeZoneError(zone: string): string | undefined {
  if (zone === "" || zone === "UTC" || zone === "Local") return undefined;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return undefined;
  } catch {
    return `unknown time zone ${zone}`;
  }
}
