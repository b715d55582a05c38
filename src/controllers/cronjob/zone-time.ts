/**
 * Wall-clock time in IANA time zones through `Intl` (Node ships the tz database): the UTC offset
 * at an instant, the instants that show a given wall-clock time (none in a spring-forward gap,
 * two in a fall-back overlap), and Go's RFC 3339 / RFC 1123Z renderings.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True for the zones that never move off UTC ("" means UTC, as Go's `LoadLocation("")`). */
export function isUTC(zone: string): boolean {
  return zone === "" || zone === "UTC" || zone === "Etc/UTC";
}

/** Milliseconds to add to UTC to get the zone's wall clock at `instant`. */
export function offsetAt(instant: number, zone: string): number {
  if (isUTC(zone)) return 0;
  const whole = Math.floor(instant / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(whole))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return wall - whole;
}

/** The instants (sorted) whose wall clock in `zone` reads `wall` (a wall time written as UTC ms). */
export function instantsForWall(wall: number, zone: string): number[] {
  if (isUTC(zone)) return [wall];
  const day = 86_400_000;
  const offsets = new Set([offsetAt(wall - day, zone), offsetAt(wall + day, zone)]);
  const out: number[] = [];
  for (const o of offsets) {
    const instant = wall - o;
    if (offsetAt(instant, zone) === o) out.push(instant);
  }
  return out.sort((a, b) => a - b);
}

/** Throws unless `zone` is a time zone Intl knows. */
export function checkTimeZone(zone: string): void {
  if (isUTC(zone)) return;
  formatter(zone);
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function offsetText(offsetMs: number, colon: boolean): string {
  const sign = offsetMs < 0 ? "-" : "+";
  const minutes = Math.abs(Math.round(offsetMs / 60_000));
  return `${sign}${pad(Math.floor(minutes / 60))}${colon ? ":" : ""}${pad(minutes % 60)}`;
}

/** Go's `t.In(zone).Format(time.RFC3339)`: `2026-01-01T00:05:00-05:00`, `Z` for a zero offset. */
export function formatRFC3339InZone(instant: number, zone: string): string {
  const offset = offsetAt(instant, zone);
  const wall = new Date(Math.floor(instant / 1000) * 1000 + offset).toISOString().slice(0, 19);
  return `${wall}${offset === 0 ? "Z" : offsetText(offset, true)}`;
}

const weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const monthNames = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

/** Go's `t.Format(time.RFC1123Z)` in UTC: `Thu, 01 Jan 2026 00:05:00 +0000`. */
export function formatRFC1123Z(instant: number): string {
  const d = new Date(instant);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const date = `${pad(d.getUTCDate())} ${monthNames[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  return `${weekdays[d.getUTCDay()]}, ${date} ${time} +0000`;
}
