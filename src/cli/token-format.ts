/**
 * How `bosun token list` prints tokens: exactly as `kubeadm token list` does — a Go tabwriter
 * (min width 10, padding 3) flushed once per token, fixed-width TTL/USAGES/DESCRIPTION cells,
 * `ShortHumanDuration` TTLs and RFC 3339 expiry times.
 */
import type { BootstrapTokenInfo } from "../cluster-bootstrap/token-secret.ts";
import { formatTime } from "../machinery/time.ts";

export const tokenListColumns = [
  "TOKEN",
  "TTL",
  "EXPIRES",
  "USAGES",
  "DESCRIPTION",
  "EXTRA GROUPS",
];

/** Go's `duration.ShortHumanDuration` (apimachinery). */
export function shortHumanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(ms / 3600_000);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/**
 * One block of Go's `text/tabwriter` with padchar ' ' and no flags: every tab-terminated cell is
 * padded to its column's width (widest cell + padding, at least minwidth); the last cell of a
 * line is not.
 */
export function tabwrite(lines: readonly string[], minwidth = 10, padding = 3): string {
  const rows = lines.map((l) => l.split("\t"));
  const widths: number[] = [];
  for (const row of rows) {
    row.slice(0, -1).forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? minwidth, [...cell].length + padding);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) =>
          i < row.length - 1 ? cell + " ".repeat((widths[i] ?? 0) - [...cell].length) : cell,
        )
        .join(""),
    )
    .map((l) => `${l}\n`)
    .join("");
}

/** `formatBootstrapToken`: one tab-separated line. */
export function formatTokenLine(token: BootstrapTokenInfo, now: number): string {
  let ttl = "<forever>";
  let expires = "<never>";
  if (token.expires !== undefined) {
    ttl = shortHumanDuration(token.expires - now);
    expires = formatTime(token.expires);
  }
  const usages = token.usages.join(",") || "<none>";
  const description = token.description || "<none>";
  const groups = token.groups.join(",") || "<none>";
  return [
    `${token.id}.${token.secret}`,
    ttl.padEnd(9),
    expires,
    usages.padEnd(22),
    description.padEnd(56),
    groups,
  ].join("\t");
}

/** The whole listing: the header flushed with the first token, then one block per token. */
export function formatTokenList(tokens: readonly BootstrapTokenInfo[], now: number): string {
  return tokens
    .map((t, i) =>
      tabwrite(
        i === 0
          ? [tokenListColumns.join("\t"), formatTokenLine(t, now)]
          : [formatTokenLine(t, now)],
      ),
    )
    .join("");
}
