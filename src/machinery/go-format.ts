/**
 * The few pieces of Go's fmt that leak into Kubernetes error messages: `%q` (strconv.Quote) and
 * time.Time's `String()`. Kubernetes clients show these messages verbatim, so Bosun prints values
 * the way the Go API server would.
 */

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const shortEscapes: Record<number, string> = {
  7: "\\a",
  8: "\\b",
  12: "\\f",
  10: "\\n",
  13: "\\r",
  9: "\\t",
  11: "\\v",
};

/** Go's `strconv.Quote` (and so `%q`): double quotes, Go escapes for what is not printable. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") {
      out += `\\${ch}`;
    } else if (printable.test(ch)) {
      out += ch;
    } else if (shortEscapes[cp] !== undefined) {
      out += shortEscapes[cp];
    } else if (cp < 0x80) {
      out += `\\x${cp.toString(16).padStart(2, "0")}`;
    } else if (cp < 0x10000) {
      out += `\\u${cp.toString(16).padStart(4, "0")}`;
    } else {
      out += `\\U${cp.toString(16).padStart(8, "0")}`;
    }
  }
  return `${out}"`;
}

/** True when every character is printable as Go's `unicode.IsPrint` sees it. */
export function isGoPrintable(ch: string): boolean {
  return printable.test(ch);
}

/**
 * A Kubernetes timestamp (RFC 3339) as Go's `time.Time.String()` prints it for a UTC time:
 * `2026-01-01 00:00:00 +0000 UTC`. Unparseable input is returned unchanged.
 */
export function goTimeString(rfc3339: string): string {
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) return rfc3339;
  const iso = new Date(ms).toISOString(); // 2026-01-01T00:00:00.000Z
  const fraction = iso.slice(20, 23).replace(/0+$/, "");
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ""} +0000 UTC`;
}

/** The number of bytes `s` takes in UTF-8, which is what Go's `len` counts. */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, "utf8");
}
