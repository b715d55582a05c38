/**
 * One term of a label selector (`app=web`, `tier in (a,b)`, `!canary`, `rev>3`): the
 * `labels.Requirement` type, its validation (`NewRequirement`), matching and string form.
 * `labels.ts` builds selectors from these; `label-parser.ts` reads them from strings.
 */
import * as field from "./field-errors.ts";
import { childOf, type FieldPath } from "./field-path.ts";
import { isQualifiedName, isValidLabelValue } from "./validation.ts";

/** `selection.Operator`. */
export type Operator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

export const binaryOperators: Operator[] = ["in", "notin", "=", "==", "!=", "gt", "lt"];
const validOperators: Operator[] = [...binaryOperators, "exists", "!"];

export class LabelSelectorError extends Error {
  override readonly name = "LabelSelectorError";
  /** The field errors behind the message, when it came from requirement validation. */
  readonly fieldErrors: readonly field.FieldError[];

  constructor(message: string, fieldErrors: readonly field.FieldError[] = []) {
    super(message);
    this.fieldErrors = fieldErrors;
  }
}

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

const isInt64 = (s: string): boolean =>
  /^[+-]?\d+$/.test(s) && BigInt(s) >= -(2n ** 63n) && BigInt(s) < 2n ** 63n;

export function labelKeyError(key: string, path: FieldPath | null): field.FieldError | undefined {
  const errs = isQualifiedName(key);
  return errs.length > 0 ? field.invalid(path, key, errs.join("; ")) : undefined;
}

function operatorErrors(op: Operator, values: readonly string[], path: FieldPath) {
  const errs: field.FieldError[] = [];
  const list = [...values];
  switch (op) {
    case "in":
    case "notin":
      if (values.length === 0) {
        errs.push(
          field.invalid(path, list, "for 'in', 'notin' operators, values set can't be empty"),
        );
      }
      break;
    case "=":
    case "==":
    case "!=":
      if (values.length !== 1) {
        errs.push(field.invalid(path, list, "exact-match compatibility requires one single value"));
      }
      break;
    case "exists":
    case "!":
      if (values.length !== 0) {
        errs.push(
          field.invalid(path, list, "values set must be empty for exists and does not exist"),
        );
      }
      break;
    case "gt":
    case "lt":
      if (values.length !== 1) {
        errs.push(
          field.invalid(path, list, "for 'Gt', 'Lt' operators, exactly one value is required"),
        );
      }
      values.forEach((v, i) => {
        if (!isInt64(v)) {
          errs.push(
            field.invalid(
              path.index(i),
              v,
              "for 'Gt', 'Lt' operators, the value must be an integer",
            ),
          );
        }
      });
      break;
  }
  return errs;
}

/** `labels.NewRequirement`: validates key, operator and values; throws `LabelSelectorError`. */
export function newRequirement(
  key: string,
  operator: Operator,
  values: readonly string[],
  path: FieldPath | null = null,
): Requirement {
  const errs: field.FieldError[] = [];
  const keyErr = labelKeyError(key, childOf(path, "key"));
  if (keyErr) errs.push(keyErr);
  const valuesPath = childOf(path, "values");
  if (validOperators.includes(operator)) errs.push(...operatorErrors(operator, values, valuesPath));
  else errs.push(field.notSupported(childOf(path, "operator"), operator, validOperators));
  values.forEach((v, i) => {
    const msgs = isValidLabelValue(v);
    if (msgs.length > 0) errs.push(field.invalid(valuesPath.index(i).key(key), v, msgs.join("; ")));
  });
  if (errs.length > 0) throw new LabelSelectorError(field.toAggregateMessage(errs), errs);
  return { key, operator, values: [...values] };
}

/** Whether `labels` satisfy the requirement. */
export function requirementMatches(r: Requirement, labels: Readonly<Record<string, string>>) {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key]! : "";
  switch (r.operator) {
    case "in":
    case "=":
    case "==":
      return has && r.values.includes(value);
    case "notin":
    case "!=":
      return !has || !r.values.includes(value);
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      if (!has || !isInt64(value) || r.values.length !== 1 || !isInt64(r.values[0]!)) return false;
      const [actual, bound] = [BigInt(value), BigInt(r.values[0]!)];
      return r.operator === "gt" ? actual > bound : actual < bound;
    }
  }
}

const operatorText: Record<Operator, string> = {
  "=": "=",
  "==": "==",
  "!=": "!=",
  in: " in ",
  notin: " notin ",
  gt: ">",
  lt: "<",
  exists: "",
  "!": "",
};

export function requirementToString(r: Requirement): string {
  const key = r.operator === "!" ? `!${r.key}` : r.key;
  if (r.operator === "exists" || r.operator === "!") return key;
  const values = r.values.length === 1 ? r.values[0]! : [...r.values].sort().join(",");
  const set = r.operator === "in" || r.operator === "notin";
  return `${key}${operatorText[r.operator]}${set ? `(${values})` : values}`;
}
