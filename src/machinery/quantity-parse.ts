/**
 * Parsing of quantity strings, step for step as apimachinery's `ParseQuantity`: a scanner that
 * splits sign, digits, fraction and suffix; a suffix table; an exact fast path (which may keep the
 * input text as the serialised form) and a slow path that rounds up to 1n and caps binary values.
 * Used by `quantity.ts`, which holds the value type.
 */

export type QuantityFormat = "DecimalExponent" | "BinarySI" | "DecimalSI";

/** A parsed quantity: `unscaled × 10^scale`, its format, and the text to echo, if any. */
export interface QuantityParts {
  readonly unscaled: bigint;
  readonly scale: number;
  readonly format: QuantityFormat;
  readonly text?: string | undefined;
}

const splitREString = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";
export const errFormatWrong = `quantities must match the regular expression '${splitREString}'`;
export const errNumeric = "unable to parse numeric part of quantity";
export const errSuffix = "unable to parse quantity's suffix";

export class QuantityParseError extends Error {
  override readonly name = "QuantityParseError";
}

const maxInt64 = 2n ** 63n - 1n;
const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= "0" && ch <= "9";

interface Scanned {
  positive: boolean;
  /** The numeric text as written (sign, digits, point), which the slow path reads. */
  value: string;
  /** Integer digits without leading zeros ("0" when there are none). */
  num: string;
  /** Fraction digits. */
  denom: string;
  suffix: string;
}

/** `parseQuantityString`: splits the text; throws only for characters after the suffix. */
function scan(str: string): Scanned {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (str[0] === "-" || str[0] === "+") {
    positive = str[0] === "+";
    pos++;
  }
  while (pos < end && str[pos] === "0") pos++;
  if (pos >= end) return { positive, value: "0", num: "0", denom: "", suffix: "" };
  let i = pos;
  while (isDigit(str[i])) i++;
  if (i >= end) return { positive, value: str, num: str.slice(pos), denom: "", suffix: "" };
  const num = i > pos ? str.slice(pos, i) : "0";
  pos = i;
  let denom = "";
  if (str[pos] === ".") {
    pos++;
    let j = pos;
    while (isDigit(str[j])) j++;
    denom = str.slice(pos, j);
    if (j >= end) return { positive, value: str, num, denom, suffix: "" };
    pos = j;
  }
  const value = str.slice(0, pos);
  let k = pos;
  while (k < end && "eEinumkKMGTP".includes(str[k]!)) k++;
  if (k < end && (str[k] === "-" || str[k] === "+")) k++;
  while (isDigit(str[k])) k++;
  if (k < end) throw new QuantityParseError(errFormatWrong);
  return { positive, value, num, denom, suffix: str.slice(pos) };
}

interface Suffix {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

const decimal: Record<string, number> = {
  "": 0,
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const binary: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** The suffix's base, exponent and format; undefined when it is not one. */
function interpret(suffix: string): Suffix | undefined {
  if (Object.hasOwn(decimal, suffix)) {
    return { base: 10, exponent: decimal[suffix]!, format: "DecimalSI" };
  }
  if (Object.hasOwn(binary, suffix)) {
    return { base: 2, exponent: binary[suffix]!, format: "BinarySI" };
  }
  if (suffix.length > 1 && (suffix[0] === "e" || suffix[0] === "E")) {
    const digits = suffix.slice(1);
    if (!/^[+-]?\d+$/.test(digits)) return undefined;
    const parsed = BigInt(digits);
    if (parsed > maxInt64 || parsed < -maxInt64 - 1n) return undefined;
    // Go keeps the exponent in an int32.
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: "DecimalExponent" };
  }
  return undefined;
}

/** `ParseQuantity`. Throws `QuantityParseError` with one of upstream's three messages. */
export function parseQuantityParts(str: string): QuantityParts {
  if (str.length === 0) throw new QuantityParseError(errFormatWrong);
  if (str === "0") return { unscaled: 0n, scale: 0, format: "DecimalSI", text: str };
  const scanned = scan(str);
  const suffix = interpret(scanned.suffix);
  if (suffix === undefined) throw new QuantityParseError(errSuffix);
  return fastPath(str, scanned, suffix) ?? slowPath(scanned, suffix);
}

/** Exact int64 arithmetic for the common short forms; undefined when it does not apply. */
function fastPath(str: string, s: Scanned, suffix: Suffix): QuantityParts | undefined {
  const { num, denom } = s;
  let precision: number;
  let scale = 0;
  let mantissa = 1n;
  if (suffix.base === 10) {
    scale = suffix.exponent;
    precision = 18 - (num.length + denom.length);
  } else if (suffix.exponent >= 0 && denom.length === 0) {
    mantissa = 1n << BigInt(suffix.exponent);
    // ~3 decimal digits per 10 bits, as upstream estimates it.
    precision = 15 - num.length - Math.trunc((suffix.exponent * 3) / 10) - 1;
  } else {
    precision = -1;
  }
  if (precision < 0) return undefined;
  scale -= denom.length;
  if (scale < -9) return undefined;
  const shifted = num + denom;
  const value = BigInt(shifted);
  const magnitude = value * mantissa;
  if (magnitude > maxInt64) return undefined;
  const unscaled = s.positive ? magnitude : -magnitude;
  // Upstream keeps the input as the serialised form when it looks canonical already.
  const keepText =
    suffix.format === "BinarySI"
      ? suffix.exponent % 10 === 0 && (value & 7n) !== 0n
      : scale % 3 === 0 && !shifted.endsWith("000") && shifted[0] !== "0";
  return { unscaled, scale, format: suffix.format, text: keepText ? str : undefined };
}

/** Arbitrary precision: rounds up to a multiple of 1n, caps binary amounts at 2^63-1. */
function slowPath(s: Scanned, suffix: Suffix): QuantityParts {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s.value)) throw new QuantityParseError(errNumeric);
  let magnitude = BigInt(s.num + s.denom);
  let scale = -s.denom.length;
  if (suffix.base === 10) scale += suffix.exponent;
  else magnitude <<= BigInt(suffix.exponent);
  let format = suffix.format;
  if (magnitude !== 0n && scale < -9) {
    // Round away from zero to nanos: some resource is better than none.
    const shift = -9 - scale;
    if (shift > magnitude.toString().length) magnitude = 1n;
    else {
      const divisor = 10n ** BigInt(shift);
      magnitude = magnitude / divisor + (magnitude % divisor === 0n ? 0n : 1n);
    }
    scale = -9;
  }
  if (format === "BinarySI") {
    // Binary scales are never positive: compare magnitude × 10^scale with the cap.
    if (magnitude > maxInt64 * 10n ** BigInt(-scale)) [magnitude, scale] = [maxInt64, 0];
    const belowOne = scale < 0 && magnitude < 10n ** BigInt(-scale);
    if (magnitude !== 0n && belowOne) format = "DecimalSI";
  }
  return { unscaled: s.positive ? magnitude : -magnitude, scale, format };
}
