/**
 * One line of a CRI container log file, as containerd writes it (upstream
 * `pkg/kubelet/kuberuntime/logs/logs.go` reads the same format):
 *
 *   2026-11-25T16:40:26.272602455Z stdout F hello
 *   <RFC 3339 time, nanoseconds with trailing zeros trimmed> <stdout|stderr> <tag[:more]> <content>
 *
 * Tag `F` ends a line; `P` is a chunk of a longer line (or output without a final newline) that
 * the next chunk of the same line continues. Everything works on bytes: log content need not be
 * UTF-8.
 */

export type LogStream = "stdout" | "stderr";

export interface CriLogLine {
  /** The time as written, e.g. `2026-11-25T16:40:26.272602455Z` or `…+01:00`. */
  readonly time: string;
  readonly stream: LogStream;
  /** A `P` (partial) chunk: the line continues in the next one. */
  readonly partial: boolean;
  /** The content, without the newline (a full line's newline is implied by `partial: false`). */
  readonly content: Buffer;
}

const SPACE = 0x20;
const rfc3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Unix nanoseconds of an RFC 3339 time (any fraction length); undefined when malformed. */
export function rfc3339ToNanos(text: string): bigint | undefined {
  const m = rfc3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = "", zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return undefined;
  if (zone !== "Z") {
    const sign = zone!.startsWith("-") ? -1 : 1;
    ms -= sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6))) * 60_000;
  }
  return BigInt(ms) * 1_000_000n + BigInt(frac.padEnd(9, "0"));
}

/**
 * The time as the kubelet prints it with `timestamps=true` (Go's
 * `2006-01-02T15:04:05.000000000Z07:00`): always nine fraction digits, the zone kept.
 */
export function formatLogTimestamp(time: string): string {
  const m = /^([^.]+?)(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(time);
  if (!m) return time;
  return `${m[1]}.${(m[2] ?? "").padEnd(9, "0").slice(0, 9)}${m[3]}`;
}

const STDOUT = Buffer.from("stdout");
const STDERR = Buffer.from("stderr");
const F = 0x46;
const P = 0x50;
const COLON = 0x3a;

/** Parses one line (without its `\n`); undefined when it is not in the CRI format. */
export function parseCriLogLine(line: Buffer): CriLogLine | undefined {
  const a = line.indexOf(SPACE);
  if (a <= 0) return undefined;
  const b = line.indexOf(SPACE, a + 1);
  if (b < 0) return undefined;
  const c = line.indexOf(SPACE, b + 1);
  // A line whose content is empty may end right after the tag.
  const tagEnd = c < 0 ? line.length : c;
  const streamBytes = line.subarray(a + 1, b);
  const stream = streamBytes.equals(STDOUT)
    ? "stdout"
    : streamBytes.equals(STDERR)
      ? "stderr"
      : undefined;
  if (!stream) return undefined;
  // The tag is `F` or `P`, optionally followed by `:`-separated reserved tags.
  const tag = line[b + 1];
  if ((tag !== F && tag !== P) || (tagEnd > b + 2 && line[b + 2] !== COLON)) return undefined;
  // The time is checked for shape here; `logLineNanos` reads it when `since` needs it.
  if (a < 20 || line[4] !== 0x2d || line[10] !== 0x54 || line[13] !== COLON) return undefined;
  return {
    time: line.toString("latin1", 0, a),
    stream,
    partial: tag === P,
    content: c < 0 ? Buffer.alloc(0) : line.subarray(c + 1),
  };
}

/** The line's time in Unix nanoseconds (for `sinceTime`); 0 when it does not parse. */
export function logLineNanos(l: CriLogLine): bigint {
  return rfc3339ToNanos(l.time) ?? 0n;
}
