/**
 * Field selectors (`?fieldSelector=status.phase=Running,spec.nodeName!=`), mirroring
 * apimachinery's `fields` package.
 *
 * A selector is an AND of terms `field=value` (also `==`) and `field!=value`, matched against the
 * flat `Record<string, string>` of selectable fields each kind exposes (a missing field reads as
 * ""). In values, `\`, `,` and `=` are escaped with a backslash. Bad syntax throws
 * `FieldSelectorError`; a field the kind does not support throws `FieldLabelNotSupportedError`.
 * The API server answers both with 400 BadRequest and the error's message.
 */
import { goQuote } from "./go-format.ts";

export class FieldSelectorError extends Error {
  override readonly name: string = "FieldSelectorError";
}

/** A field the resource cannot be selected by. */
export class FieldLabelNotSupportedError extends FieldSelectorError {
  override readonly name = "FieldLabelNotSupportedError";
  readonly label: string;

  /**
   * Most kinds say `field label not supported: x`. Kinds that only support the default
   * metadata fields say `"x" is not a known field selector: only "metadata.name", ...`; pass
   * those fields as `known` to get that form.
   */
  constructor(label: string, options: { known?: readonly string[] } = {}) {
    super(
      options.known === undefined
        ? `field label not supported: ${label}`
        : `${goQuote(label)} is not a known field selector: only ${options.known.map(goQuote).join(", ")}`,
    );
    this.label = label;
  }
}

export interface FieldTerm {
  readonly field: string;
  /** `==` parses as `=`. */
  readonly operator: "=" | "!=";
  readonly value: string;
}

/** Rewrites a term (field renames, value normalisation) or throws to reject it. */
export type TransformFunc = (field: string, value: string) => [string, string];

/** Escapes a literal value for use in a selector string. */
export const escapeValue = (s: string): string => s.replace(/[\\,=]/g, (c) => `\\${c}`);

/** Reverses `escapeValue`; throws on an unknown escape or an unescaped `,` or `=`. */
export function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = "";
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== "\\" && c !== "," && c !== "=") {
        throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === "\\") {
      inSlash = true;
    } else if (c === "," || c === "=") {
      // Upstream prints the rune with %v, i.e. as its code point number.
      throw new FieldSelectorError(
        `invalid field selector: unescaped character in value: ${c.codePointAt(0)}`,
      );
    } else {
      out += c;
    }
  }
  if (inSlash) throw new FieldSelectorError("invalid field selector: invalid escape sequence: \\");
  return out;
}

const termString = (t: FieldTerm): string => `${t.field}${t.operator}${escapeValue(t.value)}`;

export class FieldSelector {
  readonly terms: readonly FieldTerm[];

  constructor(terms: readonly FieldTerm[] = []) {
    this.terms = terms;
  }

  /** Whether the object's selectable fields satisfy every term. */
  matches(fields: Readonly<Record<string, string>>): boolean {
    return this.terms.every((t) => {
      const actual = Object.hasOwn(fields, t.field) ? fields[t.field]! : "";
      return t.operator === "=" ? actual === t.value : actual !== t.value;
    });
  }

  /** True when the selector selects everything. */
  isEmpty(): boolean {
    return this.terms.length === 0;
  }

  /** The value a selector requires `field` to have, when a term pins it (`field=value`). */
  requiresExactMatch(field: string): string | undefined {
    return this.terms.find((t) => t.operator === "=" && t.field === field)?.value;
  }

  /** Applies `fn` to every term; a term rewritten to an empty field and value is dropped. */
  transform(fn: TransformFunc): FieldSelector {
    const out: FieldTerm[] = [];
    for (const t of this.terms) {
      const [field, value] = fn(t.field, t.value);
      if (field !== "" || value !== "") out.push({ field, operator: t.operator, value });
    }
    return new FieldSelector(out);
  }

  toString(): string {
    return this.terms.map(termString).join(",");
  }
}

export const everythingFields = (): FieldSelector => new FieldSelector();

/** A selector requiring each field to equal its value. */
export const fieldSelectorFromSet = (set: Readonly<Record<string, string>>): FieldSelector =>
  new FieldSelector(
    Object.entries(set).map(([field, value]): FieldTerm => ({ field, operator: "=", value })),
  );

/** Splits on commas not escaped by a backslash; the backslashes stay in place. */
function splitTerms(selector: string): string[] {
  if (selector === "") return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === "\\") inSlash = true;
    else if (c === ",") {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** The first operator in the term splits it (`!=`, then `==`, then `=` at each position). */
function splitTerm(term: string): [string, "=" | "==" | "!=", string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ["!=", "==", "="] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

/** `fields.ParseSelector`. Terms are sorted, so the string form is canonical. */
export function parseFieldSelector(selector: string): FieldSelector {
  const parts = splitTerms(selector).sort();
  const terms: FieldTerm[] = [];
  for (const part of parts) {
    if (part === "") continue;
    const split = splitTerm(part);
    if (split === undefined) {
      throw new FieldSelectorError(`invalid selector: '${selector}'; can't understand '${part}'`);
    }
    const [field, op, rawValue] = split;
    terms.push({ field, operator: op === "!=" ? "!=" : "=", value: unescapeValue(rawValue) });
  }
  return new FieldSelector(terms);
}

/**
 * Checks every term's field against what a kind supports, as the API server's field-label
 * conversion does. Throws `FieldLabelNotSupportedError` for the first unsupported one.
 */
export function validateFieldSelector(
  selector: FieldSelector,
  supported: readonly string[],
  options: { known?: readonly string[] } = {},
): FieldSelector {
  return selector.transform((field, value) => {
    if (!supported.includes(field)) throw new FieldLabelNotSupportedError(field, options);
    return [field, value];
  });
}
