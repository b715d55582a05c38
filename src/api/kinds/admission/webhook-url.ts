/**
 * The parts of Go's `net/url.Parse` that webhook URL validation looks at (scheme, user info,
 * host, query, fragment) and the errors it reports, so that `clientConfig.url` is accepted and
 * refused as upstream's `ValidateWebhookURL` does. Go's parser is lenient ("example.com" parses,
 * as a path), unlike WHATWG `URL`; only what can make `Parse` fail is checked here.
 */
import { goQuote } from "../../../machinery/go-format.ts";

export interface GoURL {
  readonly scheme: string;
  /** The user info as written before "@" (undefined: none). */
  readonly user?: string;
  readonly host: string;
  readonly rawQuery: string;
  /** Decoded. */
  readonly fragment: string;
}

export type ParseResult = { url: GoURL } | { error: string };

const hostAllowed = /^[A-Za-z0-9!$&'()*+,;=:[\]<>"\-_.~]$/;
const userinfoAllowed = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]$/;

/** Go's `url.Parse`: the URL, or the error text (`parse "<url>": <reason>`). */
export function parseGoURL(raw: string): ParseResult {
  const hash = raw.indexOf("#");
  const u = hash < 0 ? raw : raw.slice(0, hash);
  const parsed = parseWithoutFragment(u);
  if (typeof parsed === "string") return { error: `parse ${goQuote(u)}: ${parsed}` };
  if (hash < 0) return { url: { ...parsed, fragment: "" } };
  const fragment = unescapeURL(raw.slice(hash + 1), false);
  if (fragment.error) return { error: `parse ${goQuote(raw)}: ${fragment.error}` };
  return { url: { ...parsed, fragment: fragment.text } };
}

function parseWithoutFragment(raw: string): Omit<GoURL, "fragment"> | string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: Go refuses ASCII control bytes.
  if (/[\x00-\x1f\x7f]/.test(raw)) return "net/url: invalid control character in URL";
  if (raw === "*") return { scheme: "", host: "", rawQuery: "" };
  const scheme = getScheme(raw);
  if (typeof scheme === "string") return scheme;
  let rest = scheme.rest;
  let rawQuery = "";
  const q = rest.indexOf("?");
  if (q === rest.length - 1)
    rest = rest.slice(0, -1); // a lone trailing "?" (ForceQuery)
  else if (q >= 0) [rest, rawQuery] = [rest.slice(0, q), rest.slice(q + 1)];
  const base = { scheme: scheme.scheme.toLowerCase(), host: "", rawQuery };
  if (!rest.startsWith("/")) {
    if (base.scheme !== "") return base; // opaque
    if (rest.split("/", 1)[0]!.includes(":")) {
      return "first path segment in URL cannot contain colon";
    }
  }
  let user: string | undefined;
  if ((base.scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? "" : rest.slice(slash);
    const at = authority.lastIndexOf("@");
    const host = parseHost(authority.slice(at + 1));
    if (host.error) return host.error;
    base.host = host.text;
    if (at >= 0) {
      user = authority.slice(0, at);
      if (![...user].every((c) => userinfoAllowed.test(c) || c.charCodeAt(0) >= 0x80)) {
        return "net/url: invalid userinfo";
      }
      const decoded = unescapeURL(user, false);
      if (decoded.error) return decoded.error;
    }
  }
  const path = unescapeURL(rest, false);
  if (path.error) return path.error;
  return user === undefined ? base : { ...base, user };
}

function getScheme(raw: string): { scheme: string; rest: string } | string {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return { scheme: "", rest: raw };
      continue;
    }
    if (c === ":") {
      if (i === 0) return "missing protocol scheme";
      return { scheme: raw.slice(0, i), rest: raw.slice(i + 1) };
    }
    return { scheme: "", rest: raw };
  }
  return { scheme: "", rest: raw };
}

/** `parseHost`: brackets for IPv6, a numeric port, then the host's escapes. */
function parseHost(host: string): { text: string; error?: string } {
  let colonPort = "";
  if (host.startsWith("[")) {
    const close = host.lastIndexOf("]");
    if (close < 0) return { text: "", error: "missing ']' in host" };
    colonPort = host.slice(close + 1);
  } else {
    const colon = host.lastIndexOf(":");
    if (colon >= 0) colonPort = host.slice(colon);
  }
  if (colonPort !== "" && !/^:[0-9]*$/.test(colonPort)) {
    return { text: "", error: `invalid port ${goQuote(colonPort)} after host` };
  }
  return unescapeURL(host, true);
}

/** Go's `unescape` in host, path, user or fragment mode: %XX escapes, host characters. */
function unescapeURL(s: string, hostMode: boolean): { text: string; error?: string } {
  const bytes: number[] = [];
  const encoded = Buffer.from(s, "utf8");
  for (let i = 0; i < encoded.length; i++) {
    const b = encoded[i]!;
    if (b === 0x25) {
      const hex = encoded.subarray(i + 1, i + 3).toString("latin1");
      // In a host, %-escapes are for non-ASCII bytes, and "%25" (a zone's "%").
      const asciiInHost = hostMode && /^[0-7]/.test(hex) && hex !== "25";
      if (!/^[0-9A-Fa-f]{2}$/.test(hex) || asciiInHost) {
        const bad = encoded.subarray(i, i + 3).toString("utf8");
        return { text: "", error: `invalid URL escape ${goQuote(bad)}` };
      }
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
      continue;
    }
    if (hostMode && b < 0x80 && !hostAllowed.test(String.fromCharCode(b))) {
      return {
        text: "",
        error: `invalid character ${goQuote(String.fromCharCode(b))} in host name`,
      };
    }
    bytes.push(b);
  }
  return { text: Buffer.from(bytes).toString("utf8") };
}
