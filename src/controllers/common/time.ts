/** `metav1.Time` as the API writes it: RFC 3339 with whole seconds. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
}

/** Milliseconds since the epoch, or undefined for an absent or unparsable time. */
export function parseTime(time: string | undefined): number | undefined {
  if (!time) return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : ms;
}
