/**
 * `resource.Quantity`: fixed-point amounts such as `100m`, `1.5Gi`, `2e3`, mirroring apimachinery's
 * `api/resource` package exactly, because quantities round-trip through kubectl.
 *
 * A quantity is an exact decimal (`unscaled × 10^scale`, BigInt, never a float) plus the format it
 * was written in (decimal SI suffixes, binary SI suffixes or an exponent). Parsing rounds values
 * finer than 1n up (away from zero) and caps binary values at 2^63-1. Serialising gives upstream's
 * canonical form ("1000m" → "1", "1.5Gi" → "1536Mi", "0.1" → "100m"), except that, like upstream,
 * a string that parsed on the fast path and was already canonical-looking is echoed as written
 * (so "+1" stays "+1" and "1E3" stays "1E3").
 *
 * Parsing lives in `quantity-parse.ts`; this file holds the value type and its arithmetic.
 */
import { parseQuantityParts, type QuantityFormat, type QuantityParts } from "./quantity-parse.ts";

export { type QuantityFormat, QuantityParseError } from "./quantity-parse.ts";

const pow10 = (n: number): bigint => 10n ** BigInt(n);
const digitCount = (v: bigint): number => (v < 0n ? -v : v).toString().length;

/** Moves factors of ten from the digits into the scale; zero is (0, 0). */
function normalize(unscaled: bigint, scale: number): [bigint, number] {
  if (unscaled === 0n) return [0n, 0];
  let u = unscaled;
  let s = scale;
  while (u % 10n === 0n) {
    u /= 10n;
    s++;
  }
  return [u, s];
}

/** `v / 10^shift` rounded away from zero, and whether that was exact. */
function shiftDown(v: bigint, shift: number): [bigint, boolean] {
  if (shift <= 0) return [v * pow10(-shift), true];
  if (v === 0n) return [0n, true];
  const sign = v < 0n ? -1n : 1n;
  if (shift > digitCount(v)) return [sign, false];
  const divisor = pow10(shift);
  const q = v / divisor;
  return v % divisor === 0n ? [q, true] : [q + sign, false];
}

const decimalSuffixes: Record<number, string> = {
  [-9]: "n",
  [-6]: "u",
  [-3]: "m",
  0: "",
  3: "k",
  6: "M",
  9: "G",
  12: "T",
  15: "P",
  18: "E",
};
const binarySuffixes: Record<number, string> = {
  1: "Ki",
  2: "Mi",
  3: "Gi",
  4: "Ti",
  5: "Pi",
  6: "Ei",
};

export class Quantity {
  readonly #unscaled: bigint;
  readonly #scale: number;
  /** The format the quantity was written in, which its canonical form keeps. */
  readonly format: QuantityFormat;
  /** The string it was parsed from, when upstream would echo it. */
  readonly #text: string | undefined;

  private constructor(parts: QuantityParts) {
    [this.#unscaled, this.#scale] = normalize(parts.unscaled, parts.scale);
    this.format = parts.format;
    this.#text = parts.text;
  }

  /** `ParseQuantity`; throws `QuantityParseError` with upstream's message. */
  static parse(text: string): Quantity {
    return new Quantity(parseQuantityParts(text));
  }

  /** The exact value `unscaled × 10^scale` (`NewDecimalQuantity` / `NewScaledQuantity`). */
  static fromDecimal(unscaled: bigint, scale: number, format: QuantityFormat): Quantity {
    return new Quantity({ unscaled, scale, format });
  }

  isZero(): boolean {
    return this.#unscaled === 0n;
  }

  sign(): -1 | 0 | 1 {
    return this.#unscaled === 0n ? 0 : this.#unscaled < 0n ? -1 : 1;
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than `other`. */
  cmp(other: Quantity): -1 | 0 | 1 {
    const [a, b] = [this.sign(), other.sign()];
    if (a !== b) return a < b ? -1 : 1;
    if (a === 0) return 0;
    // Same sign: compare magnitudes by their number of integer digits first.
    const ma = digitCount(this.#unscaled) + this.#scale;
    const mb = digitCount(other.#unscaled) + other.#scale;
    if (ma !== mb) return ma > mb === a > 0 ? 1 : -1;
    const s = Math.min(this.#scale, other.#scale);
    const x = this.#unscaled * pow10(this.#scale - s);
    const y = other.#unscaled * pow10(other.#scale - s);
    return x === y ? 0 : x < y ? -1 : 1;
  }

  equals(other: Quantity): boolean {
    return this.cmp(other) === 0;
  }

  /** The sum; a zero receiver takes the other's format, as upstream's `Add` does. */
  add(other: Quantity): Quantity {
    const s = Math.min(this.#scale, other.#scale);
    const sum = this.#unscaled * pow10(this.#scale - s) + other.#unscaled * pow10(other.#scale - s);
    return Quantity.fromDecimal(sum, s, this.isZero() ? other.format : this.format);
  }

  sub(other: Quantity): Quantity {
    return this.add(other.neg());
  }

  neg(): Quantity {
    return Quantity.fromDecimal(-this.#unscaled, this.#scale, this.format);
  }

  /** The product with an integer. */
  mul(factor: number | bigint): Quantity {
    return Quantity.fromDecimal(this.#unscaled * BigInt(factor), this.#scale, this.format);
  }

  /** `ScaledValue`: the value in units of 10^scale, rounded away from zero, as a BigInt. */
  scaledBigInt(scale: number): bigint {
    return shiftDown(this.#unscaled, scale - this.#scale)[0];
  }

  /** The value in units of 10^scale, rounded away from zero (e.g. -3 for milli-units). */
  scaledValue(scale: number): number {
    // Beyond any float: answer ±Infinity rather than build a giant BigInt first.
    if (digitCount(this.#unscaled) + this.#scale - scale > 400) return this.sign() * Infinity;
    return Number(this.scaledBigInt(scale));
  }

  /** `Value`: the whole value, rounded away from zero ("100m" → 1). */
  value(): number {
    return this.scaledValue(0);
  }

  /** `MilliValue`: the value in thousandths, rounded away from zero ("1.5" → 1500). */
  milliValue(): number {
    return this.scaledValue(-3);
  }

  /** The nearest float; loses precision beyond ~15 digits. */
  asApproximateFloat64(): number {
    return Number.parseFloat(`${this.#unscaled}e${this.#scale}`);
  }

  /** The canonical string (or the parsed text when upstream keeps it). */
  toString(): string {
    return this.#text ?? this.#canonical();
  }

  toJSON(): string {
    return this.toString();
  }

  #canonical(): string {
    if (this.#unscaled === 0n) return "0";
    let format = this.format;
    let whole: bigint | undefined;
    if (format === "BinarySI") {
      const small = this.cmp(Quantity.fromDecimal(-1024n, 0, format)) > 0;
      if (small && this.cmp(Quantity.fromDecimal(1024n, 0, format)) < 0) format = "DecimalSI";
      else {
        const [rounded, exact] = shiftDown(this.#unscaled, -this.#scale);
        if (exact) whole = rounded;
        else format = "DecimalSI"; // binary would round: keep the precision instead
      }
    }
    if (whole !== undefined) return base1024String(whole);
    // Lower the exponent to a multiple of three (Go's % keeps the sign, as JS's does).
    let mantissa = this.#unscaled;
    let exponent = this.#scale;
    while (exponent % 3 !== 0) {
      mantissa *= 10n;
      exponent--;
    }
    if (format === "DecimalExponent")
      return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
    // Upstream has no suffix past E (10^18) and then prints the digits alone; so do we.
    return `${mantissa}${decimalSuffixes[exponent] ?? ""}`;
  }
}

function base1024String(whole: bigint): string {
  let amount = whole;
  let times = 0;
  const abs = (v: bigint) => (v < 0n ? -v : v);
  while (abs(amount) >= 1024n && amount % 1024n === 0n) {
    amount /= 1024n;
    times++;
  }
  return `${amount}${binarySuffixes[times] ?? ""}`;
}

export const parseQuantity = (text: string): Quantity => Quantity.parse(text);

/** `NewQuantity`: an integer amount in the given format. */
export const newQuantity = (value: number | bigint, format: QuantityFormat): Quantity =>
  Quantity.fromDecimal(BigInt(value), 0, format);

/** `NewMilliQuantity`: `value` thousandths. */
export const newMilliQuantity = (value: number | bigint, format: QuantityFormat): Quantity =>
  Quantity.fromDecimal(BigInt(value), -3, format);

/** `NewScaledQuantity`: `value × 10^scale`, DecimalSI. */
export const newScaledQuantity = (value: number | bigint, scale: number): Quantity =>
  Quantity.fromDecimal(BigInt(value), scale, "DecimalSI");

/**
 * Reads a quantity from decoded JSON as upstream's `UnmarshalJSON` does: a string (surrounding
 * whitespace ignored), a bare number, or null for zero. Throws `QuantityParseError`.
 */
export function quantityFromJSON(value: unknown): Quantity {
  if (value === null) return newQuantity(0, "DecimalSI");
  if (typeof value === "number") return Quantity.parse(String(value));
  if (typeof value === "string") return Quantity.parse(value.trim());
  return Quantity.parse(`${value}`);
}
