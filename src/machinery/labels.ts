/**
 * Label selectors, mirroring apimachinery's `labels` package and `metav1.LabelSelectorAsSelector`.
 *
 * A `Selector` is an AND of requirements (`app=web`, `tier in (a,b)`, `!canary`, `rev>3`), kept
 * sorted by key so its string form is deterministic. `parseSelector` reads the query-string form
 * (`?labelSelector=`); `selectorFromLabelSelector` converts the API's `metav1.LabelSelector`.
 * Bad input throws `LabelSelectorError` with upstream's message, which the API server returns as
 * a 400 BadRequest.
 */ import type { FieldPath } from "./field-path.ts";
import { goQuote } from "./go-format.ts";
import { parseRequirements } from "./label-parser.ts";
import {
  LabelSelectorError,
  newRequirement,
  type Operator,
  type Requirement,
  requirementMatches,
  requirementToString,
} from "./label-requirement.ts";

export {
  LabelSelectorError,
  newRequirement,
  type Operator,
  type Requirement,
  requirementMatches,
  requirementToString,
} from "./label-requirement.ts";

const byKey = (a: Requirement, b: Requirement): number =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

/** An AND of requirements; `nothing()` matches no labels at all. */
export class Selector {
  readonly requirements: readonly Requirement[];
  readonly #nothing: boolean;

  constructor(requirements: readonly Requirement[] = [], nothing = false) {
    this.requirements = [...requirements].sort(byKey);
    this.#nothing = nothing;
  }

  matches(labels: Readonly<Record<string, string>> = {}): boolean {
    return !this.#nothing && this.requirements.every((r) => requirementMatches(r, labels));
  }

  /** True when the selector does not restrict anything (matches every label set). */
  isEmpty(): boolean {
    return !this.#nothing && this.requirements.length === 0;
  }

  /** True only for `nothing()`. */
  matchesNothing(): boolean {
    return this.#nothing;
  }

  /** A new selector with these requirements added. */
  add(...requirements: Requirement[]): Selector {
    return this.#nothing ? this : new Selector([...this.requirements, ...requirements]);
  }

  /** The value a selector requires `label` to have, if it pins it to exactly one. */
  requiresExactMatch(label: string): string | undefined {
    const r = this.requirements.find((req) => req.key === label);
    if (r === undefined || r.values.length !== 1) return undefined;
    return ["=", "==", "in"].includes(r.operator) ? r.values[0] : undefined;
  }

  toString(): string {
    return this.#nothing ? "" : this.requirements.map(requirementToString).join(",");
  }
}

export const everything = (): Selector => new Selector();
export const nothing = (): Selector => new Selector([], true);

export const selectorToString = (s: Selector): string => s.toString();

/** A selector matching exactly these labels (not validated, like `SelectorFromSet`). */
export function selectorFromSet(set: Readonly<Record<string, string>> | undefined): Selector {
  const reqs = Object.entries(set ?? {}).map(
    ([key, v]): Requirement => ({
      key,
      operator: "=",
      values: [v],
    }),
  );
  return new Selector(reqs);
}

/** `metav1.LabelSelector`. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | (string & {});
  values?: string[];
}

const expressionOperators: Record<string, Operator> = {
  In: "in",
  NotIn: "notin",
  Exists: "exists",
  DoesNotExist: "!",
};

/** `LabelSelectorAsSelector`: absent → nothing, empty → everything. Throws `LabelSelectorError`. */
export function selectorFromLabelSelector(ls: LabelSelector | null | undefined): Selector {
  if (ls === null || ls === undefined) return nothing();
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(ls.matchLabels ?? {})) reqs.push(newRequirement(k, "=", [v]));
  for (const expr of ls.matchExpressions ?? []) {
    const op = Object.hasOwn(expressionOperators, expr.operator)
      ? expressionOperators[expr.operator]
      : undefined;
    if (op === undefined) {
      throw new LabelSelectorError(
        `${goQuote(expr.operator)} is not a valid label selector operator`,
      );
    }
    reqs.push(newRequirement(expr.key, op, expr.values ?? []));
  }
  return new Selector(reqs);
}

/**
 * `labels.Parse`: the string form, e.g. `env in (prod,qa),tier!=db,!canary`. Throws
 * `LabelSelectorError` with upstream's message, e.g. "unable to parse requirement: found 'b',
 * expected: in, notin, =, ==, !=, gt, lt".
 */
export function parseSelector(text: string, path: FieldPath | null = null): Selector {
  return new Selector(parseRequirements(text, path));
}
