/**
 * JSON Pointer (RFC 6901), as JSON patch uses it: "" is the whole document, "/a/b" the member `b`
 * of `a`; in a token `~1` stands for "/" and `~0` for "~".
 */

/** The unescaped reference tokens of `pointer`, or an Error saying why it is not a pointer. */
export function parseJsonPointer(pointer: string): string[] | Error {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) {
    return new Error(
      `invalid JSON pointer ${JSON.stringify(pointer)}: must be empty or start with "/"`,
    );
  }
  const tokens = pointer.slice(1).split("/");
  for (const token of tokens) {
    if (/~(?![01])/.test(token)) {
      return new Error(
        `invalid JSON pointer ${JSON.stringify(pointer)}: "~" must be followed by "0" or "1"`,
      );
    }
  }
  return tokens.map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** Escapes one reference token: the inverse of the unescaping in `parseJsonPointer`. */
export function escapeJsonPointerToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

/**
 * The array index a token names, for an array of `length` elements: "-" is the end (only when
 * `allowEnd`), other tokens must be decimal without leading zeros. Returns undefined when the token
 * is not an index or is out of range.
 */
export function arrayIndex(token: string, length: number, allowEnd: boolean): number | undefined {
  if (token === "-") return allowEnd ? length : undefined;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const index = Number(token);
  const limit = allowEnd ? length : length - 1;
  return index <= limit ? index : undefined;
}
