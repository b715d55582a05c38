/**
 * `metav1.Time` as the API writes and reads it: RFC 3339 in UTC with whole seconds. Every write
 * stamps one (creation, managed fields, conditions), most within the same second, so the text is
 * made once per second.
 */

let lastSecond = Number.NaN;
let lastText = "";

/** RFC 3339 with whole seconds, as `metav1.Time` serializes. */
export function formatTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    lastSecond = second;
  }
  return lastText;
}

/** Milliseconds since the epoch, or undefined for an absent or unparsable time. */
export function parseTime(time: string | undefined): number | undefined {
  if (!time) return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : ms;
}
