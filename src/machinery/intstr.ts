/**
 * `intstr.IntOrString`: fields such as `maxSurge`, `maxUnavailable` and `targetPort` that hold
 * either an integer or a string (a percentage, or a port name). In JSON they are a plain number or
 * string, so that is the TypeScript type too. Mirrors apimachinery's `util/intstr`.
 */
import { goQuote } from "./go-format.ts";

export type IntOrString = number | string;

export class IntOrStringError extends Error {
  override readonly name = "IntOrStringError";
}

const minInt64 = -(2n ** 63n);
const maxInt64 = 2n ** 63n - 1n;

/** Go's `strconv.Atoi`: an optional sign and decimal digits within int64; throws its message. */
function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) {
    throw new IntOrStringError(`strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`);
  }
  const v = BigInt(s);
  if (v < minInt64 || v > maxInt64) {
    throw new IntOrStringError(`strconv.Atoi: parsing ${goQuote(s)}: value out of range`);
  }
  return Number(v);
}

/** `IntValue`: the integer, or a string's number (0 when it is not one, as upstream). */
export function intValue(v: IntOrString): number {
  if (typeof v === "number") return v;
  try {
    return atoi(v);
  } catch {
    return 0;
  }
}

/** The value and whether it was a percentage; only integers and "<int>%" strings are accepted. */
function intOrPercentValue(v: IntOrString): [number, boolean] {
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) {
      throw new IntOrStringError("invalid type: neither int nor percentage");
    }
    return [v, false];
  }
  if (!v.endsWith("%")) throw new IntOrStringError("invalid type: string is not a percentage");
  try {
    return [atoi(v.slice(0, -1)), true];
  } catch (err) {
    throw new IntOrStringError(`invalid value ${goQuote(v)}: ${(err as Error).message}`);
  }
}

/**
 * `GetScaledValueFromIntOrPercent`: an integer as is, or a percentage of `total`, rounded up or
 * down (e.g. maxSurge "25%" of 10 replicas, rounded up, is 3). Throws `IntOrStringError` with
 * upstream's message for anything else, e.g.
 * `invalid value for IntOrString: invalid type: string is not a percentage`.
 */
export function getScaledValueFromIntOrPercent(
  v: IntOrString | null | undefined,
  total: number,
  roundUp: boolean,
): number {
  if (v === null || v === undefined) throw new IntOrStringError("nil value for IntOrString");
  let value: number;
  let isPercent: boolean;
  try {
    [value, isPercent] = intOrPercentValue(v);
  } catch (err) {
    throw new IntOrStringError(`invalid value for IntOrString: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!isPercent) return value;
  const scaled = (value * total) / 100;
  // `+ 0` turns -0 into 0, as Go's int conversion does.
  return (roundUp ? Math.ceil(scaled) : Math.floor(scaled)) + 0;
}

/** `ValueOrDefault`. */
export const valueOrDefault = (
  v: IntOrString | null | undefined,
  fallback: IntOrString,
): IntOrString => v ?? fallback;
