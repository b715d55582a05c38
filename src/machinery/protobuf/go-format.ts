/**
 * The string forms Go's encoding/json gives the apimachinery time types: metav1.Time (RFC 3339,
 * whole seconds, UTC), metav1.MicroTime (RFC 3339 with six fractional digits) and metav1.Duration
 * (time.Duration.String(): "1h0m0s", "1m30s", "500ms", "0s").
 */

/** metav1.Time: `2024-01-02T03:04:05Z`. Go drops the nanoseconds when it decodes a Time. */
export function formatRFC3339(seconds: number): string {
  return `${isoSeconds(seconds)}Z`;
}

/** metav1.MicroTime: `2024-01-02T03:04:05.123456Z` (nanoseconds truncated, not rounded). */
export function formatRFC3339Micro(seconds: number, nanos: number): string {
  const micros = Math.floor(nanos / 1000);
  return `${isoSeconds(seconds)}.${String(micros).padStart(6, "0")}Z`;
}

function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19);
}

const SECOND = 1_000_000_000n;

/** Go's time.Duration.String() for a duration in nanoseconds. */
export function formatGoDuration(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return "0s";
  const sign = nanoseconds < 0n ? "-" : "";
  const u = nanoseconds < 0n ? -nanoseconds : nanoseconds;
  if (u < SECOND) {
    // Below one second Go picks the largest unit that keeps an integer part: ns, µs or ms.
    if (u < 1_000n) return `${sign}${u}ns`;
    if (u < 1_000_000n) return `${sign}${withFraction(u, 3)}µs`;
    return `${sign}${withFraction(u, 6)}ms`;
  }
  const wholeSeconds = u / SECOND;
  const secondsText = withFraction(u % (60n * SECOND), 9);
  const minutes = wholeSeconds / 60n;
  if (minutes === 0n) return `${sign}${secondsText}s`;
  const hours = minutes / 60n;
  if (hours === 0n) return `${sign}${minutes}m${secondsText}s`;
  return `${sign}${hours}h${minutes % 60n}m${secondsText}s`;
}

/** `value / 10^digits` with the fraction's trailing zeros (and a bare point) removed. */
function withFraction(value: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const fraction = (value % scale).toString().padStart(digits, "0").replace(/0+$/, "");
  const whole = (value / scale).toString();
  return fraction ? `${whole}.${fraction}` : whole;
}
