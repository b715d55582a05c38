/**
 * The label selector string parser (`labels.Parse` upstream): a recursive descent over the tokens
 * of `label-lexer.ts`, with upstream's error messages word for word, since the API server returns
 * them to kubectl as 400 BadRequest. `labels.ts` wraps the result in a `Selector`.
 */
import * as field from "./field-errors.ts";
import type { FieldPath } from "./field-path.ts";
import { lexLabelSelector, type Token } from "./label-lexer.ts";
import {
  binaryOperators,
  LabelSelectorError,
  labelKeyError,
  newRequirement,
  type Operator,
  type Requirement,
} from "./label-requirement.ts";

/** Parses `text` into requirements (unsorted); throws `LabelSelectorError`. */
export function parseRequirements(text: string, path: FieldPath | null = null): Requirement[] {
  return new Parser(lexLabelSelector(text), path).parse();
}

type Context = "KeyAndOperator" | "Values";

class Parser {
  readonly #tokens: Token[];
  readonly #path: FieldPath | null;
  #pos = 0;

  constructor(tokens: Token[], path: FieldPath | null) {
    this.#tokens = tokens;
    this.#path = path;
  }

  /** In the Values context the keywords `in` and `notin` are plain identifiers. */
  #peek(context: Context): Token {
    const t = this.#tokens[Math.min(this.#pos, this.#tokens.length - 1)]!;
    return context === "Values" && (t.kind === "In" || t.kind === "NotIn")
      ? { kind: "Identifier", literal: t.literal }
      : t;
  }

  #next(context: Context): Token {
    const t = this.#peek(context);
    this.#pos++;
    return t;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const t = this.#peek("Values");
      if (t.kind === "EndOfString") return reqs;
      if (t.kind !== "Identifier" && t.kind !== "DoesNotExist") {
        throw new LabelSelectorError(
          `found '${t.literal}', expected: !, identifier, or 'end of string'`,
        );
      }
      try {
        reqs.push(this.#requirement());
      } catch (err) {
        if (!(err instanceof LabelSelectorError)) throw err;
        throw new LabelSelectorError(
          `unable to parse requirement: ${err.message}`,
          err.fieldErrors,
        );
      }
      const after = this.#next("Values");
      if (after.kind === "EndOfString") return reqs;
      if (after.kind !== "Comma") {
        throw new LabelSelectorError(`found '${after.literal}', expected: ',' or 'end of string'`);
      }
      const following = this.#peek("Values");
      if (following.kind !== "Identifier" && following.kind !== "DoesNotExist") {
        throw new LabelSelectorError(
          `found '${following.literal}', expected: identifier after ','`,
        );
      }
    }
  }

  #requirement(): Requirement {
    let t = this.#next("Values");
    let unary: Operator | undefined;
    if (t.kind === "DoesNotExist") {
      unary = "!";
      t = this.#next("Values");
    }
    if (t.kind !== "Identifier") {
      throw new LabelSelectorError(`found '${t.literal}', expected: identifier`);
    }
    const key = t.literal;
    const keyErr = labelKeyError(key, this.#path);
    if (keyErr) throw new LabelSelectorError(field.fieldErrorMessage(keyErr), [keyErr]);
    // `!key` never takes an operator: whatever follows is the caller's to reject.
    if (unary !== undefined) return newRequirement(key, unary, [], this.#path);
    const ahead = this.#peek("Values").kind;
    if (ahead === "EndOfString" || ahead === "Comma") {
      return newRequirement(key, "exists", [], this.#path);
    }
    const op = this.#operator();
    const values = op === "in" || op === "notin" ? this.#valueSet() : this.#exactValue();
    return newRequirement(key, op, [...new Set(values)].sort(), this.#path);
  }

  #operator(): Operator {
    const t = this.#next("KeyAndOperator");
    const ops: Partial<Record<Token["kind"], Operator>> = {
      In: "in",
      Equals: "=",
      DoubleEquals: "==",
      GreaterThan: "gt",
      LessThan: "lt",
      NotIn: "notin",
      NotEquals: "!=",
    };
    const op = ops[t.kind];
    if (op === undefined) {
      throw new LabelSelectorError(`found '${t.literal}', expected: ${binaryOperators.join(", ")}`);
    }
    return op;
  }

  #valueSet(): string[] {
    const open = this.#next("Values");
    if (open.kind !== "OpenPar")
      throw new LabelSelectorError(`found '${open.literal}' expected: '('`);
    const t = this.#peek("Values");
    if (t.kind === "ClosedPar") {
      this.#pos++;
      return [""];
    }
    if (t.kind !== "Identifier" && t.kind !== "Comma") {
      throw new LabelSelectorError(`found '${t.literal}', expected: ',', ')' or identifier`);
    }
    const values = this.#identifierList();
    if (this.#next("Values").kind !== "ClosedPar") {
      throw new LabelSelectorError(`found '${t.literal}', expected: ')'`);
    }
    return values;
  }

  /** A comma-separated list of possibly empty identifiers, up to (not including) ')'. */
  #identifierList(): string[] {
    const values: string[] = [];
    for (;;) {
      const t = this.#next("Values");
      if (t.kind === "Identifier") {
        values.push(t.literal);
        const after = this.#peek("Values");
        if (after.kind === "ClosedPar") return values;
        if (after.kind !== "Comma") {
          throw new LabelSelectorError(`found '${after.literal}', expected: ',' or ')'`);
        }
      } else if (t.kind === "Comma") {
        if (values.length === 0) values.push(""); // "(,"
        const after = this.#peek("Values").kind;
        if (after === "ClosedPar") {
          values.push(""); // ",)"
          return values;
        }
        if (after === "Comma") {
          this.#pos++;
          values.push(""); // ",,"
        }
      } else {
        throw new LabelSelectorError(`found '${t.literal}', expected: ',', or identifier`);
      }
    }
  }

  #exactValue(): string[] {
    const ahead = this.#peek("Values").kind;
    if (ahead === "EndOfString" || ahead === "Comma") return [""];
    const t = this.#next("Values");
    if (t.kind === "Identifier") return [t.literal];
    throw new LabelSelectorError(`found '${t.literal}', expected: identifier`);
  }
}
