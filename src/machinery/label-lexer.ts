/**
 * The tokenizer of label selector strings (`a in (x,y),!b,c!=d`), mirroring the lexer in
 * apimachinery's `labels/selector.go`. The parser in `labels.ts` consumes its tokens.
 */
export type TokenKind =
  | "Error"
  | "EndOfString"
  | "ClosedPar"
  | "Comma"
  | "DoesNotExist"
  | "DoubleEquals"
  | "Equals"
  | "GreaterThan"
  | "Identifier"
  | "In"
  | "LessThan"
  | "NotEquals"
  | "NotIn"
  | "OpenPar";

export interface Token {
  readonly kind: TokenKind;
  readonly literal: string;
}

const keywords: Record<string, TokenKind> = {
  ")": "ClosedPar",
  ",": "Comma",
  "!": "DoesNotExist",
  "==": "DoubleEquals",
  "=": "Equals",
  ">": "GreaterThan",
  in: "In",
  "<": "LessThan",
  "!=": "NotEquals",
  notin: "NotIn",
  "(": "OpenPar",
};

const keyword = (s: string): TokenKind | undefined =>
  Object.hasOwn(keywords, s) ? keywords[s] : undefined;

const isWhitespace = (ch: string): boolean =>
  ch === " " || ch === "\t" || ch === "\r" || ch === "\n";

const isSpecialSymbol = (ch: string): boolean => "=!(),><".includes(ch) && ch.length === 1;

/** Splits `s` into tokens, ending with one `EndOfString` token. */
export function lexLabelSelector(s: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos]!)) pos++;
    if (pos >= s.length) {
      tokens.push({ kind: "EndOfString", literal: "" });
      return tokens;
    }
    const [token, next] = isSpecialSymbol(s[pos]!) ? scanSymbol(s, pos) : scanWord(s, pos);
    tokens.push(token);
    pos = next;
  }
}

/** An identifier or the keywords `in` / `notin`, up to whitespace or a symbol. */
function scanWord(s: string, start: number): [Token, number] {
  let end = start;
  while (end < s.length && !isSpecialSymbol(s[end]!) && !isWhitespace(s[end]!)) end++;
  const word = s.slice(start, end);
  return [{ kind: keyword(word) ?? "Identifier", literal: word }, end];
}

/** The longest operator made of symbol characters (`!=` rather than `!`). */
function scanSymbol(s: string, start: number): [Token, number] {
  let last: Token | undefined;
  let lastEnd = start;
  let end = start;
  while (end < s.length && isSpecialSymbol(s[end]!)) {
    const buffer = s.slice(start, end + 1);
    const kind = keyword(buffer);
    if (kind !== undefined) {
      last = { kind, literal: buffer };
      lastEnd = end + 1;
    } else if (last !== undefined) {
      break;
    }
    end++;
  }
  if (last === undefined) {
    const buffer = s.slice(start, end);
    return [{ kind: "Error", literal: `error expected: keyword found '${buffer}'` }, end];
  }
  return [last, lastEnd];
}
