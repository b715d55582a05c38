import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  newMilliQuantity,
  newQuantity,
  newScaledQuantity,
  parseQuantity,
  Quantity,
  QuantityParseError,
  quantityFromJSON,
} from "./quantity.ts";

const str = (s: string): string => parseQuantity(s).toString();
const q = parseQuantity;

const formatWrong =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const suffixWrong = "unable to parse quantity's suffix";

describe("parseQuantity", () => {
  it("reads every suffix form with the right value and format", () => {
    const cases: [string, string, Quantity["format"]][] = [
      ["0", "0", "DecimalSI"],
      ["0Ki", "0", "BinarySI"],
      ["1", "1", "DecimalSI"],
      ["5n", "5n", "DecimalSI"],
      ["4u", "4u", "DecimalSI"],
      ["3m", "3m", "DecimalSI"],
      ["8k", "8k", "DecimalSI"],
      ["50k", "50k", "DecimalSI"],
      ["7M", "7M", "DecimalSI"],
      ["6G", "6G", "DecimalSI"],
      ["5T", "5T", "DecimalSI"],
      ["2P", "2P", "DecimalSI"],
      ["1E", "1E", "DecimalSI"],
      ["12E", "12E", "DecimalSI"],
      ["8Ki", "8Ki", "BinarySI"],
      ["7Mi", "7Mi", "BinarySI"],
      ["6Gi", "6Gi", "BinarySI"],
      ["5Ti", "5Ti", "BinarySI"],
      ["4Pi", "4Pi", "BinarySI"],
      ["3Ei", "3Ei", "BinarySI"],
      ["1e3", "1e3", "DecimalExponent"],
      ["1e-3", "1e-3", "DecimalExponent"],
      ["1e9", "1e9", "DecimalExponent"],
    ];
    for (const [input, expected, format] of cases) {
      const got = q(input);
      assert.equal(got.toString(), expected, input);
      assert.equal(got.format, format, input);
    }
  });

  it("compares equal to upstream's expected amounts", () => {
    const same: [string, string][] = [
      ["100.035k", "100035"],
      ["0.001", "1m"],
      ["0.0005k", "500m"],
      ["0.5e-2", "5m"],
      ["10.035M", "10035k"],
      ["1.2e3", "1200"],
      ["1.3E+6", "1300k"],
      ["6.987654321G", "6987654321"],
      ["1.01E", "1010P"],
      ["1.", "1"],
      ["1.G", "1G"],
      [".0001k", "100m"],
      ["3.001n", "4n"],
      ["0.0000000001", "1n"],
      ["0.0000000005", "1n"],
      ["0.9n", "1n"],
      ["0.00000012345", "124n"],
      ["0.5Mi", "512Ki"],
      ["4Pi", `${4n * 2n ** 50n}`],
    ];
    for (const [a, b] of same) assert.equal(q(a).cmp(q(b)), 0, `${a} = ${b}`);
    assert.equal(q("-0.00000012345").cmp(q("-124n")), 0);
  });

  it("caps binary amounts at 2^63-1 but not decimal ones", () => {
    assert.equal(str("9Ei"), "9223372036854775807");
    assert.equal(str("9223372036854775807Ki"), "9223372036854775807");
    assert.equal(q("9Ei").format, "BinarySI");
    assert.equal(str("10000000000000000000"), "10E");
  });

  it("rejects malformed input with upstream's messages", () => {
    const bad: [string, string][] = [
      ["", formatWrong],
      ["1.1.M", formatWrong],
      ["1+1.0M", formatWrong],
      ["0.1am", formatWrong],
      ["aoeu", formatWrong],
      [" 1", formatWrong],
      ["1 ", formatWrong],
      ["0.1mi", suffixWrong],
      [".5i", suffixWrong],
      ["1i", suffixWrong],
      ["-3.01i", suffixWrong],
      ["-3.01e-", suffixWrong],
      ["1ki", suffixWrong],
      ["1e", suffixWrong],
      ["1Ki5", suffixWrong],
    ];
    for (const [input, message] of bad) {
      assert.throws(
        () => q(input),
        (err: unknown) => {
          assert.ok(err instanceof QuantityParseError, input);
          assert.equal(err.message, message, input);
          return true;
        },
      );
    }
    assert.throws(() => q(".e-20"), { message: "unable to parse numeric part of quantity" });
  });
});

describe("canonical form", () => {
  it("re-emits non-canonical input canonically", () => {
    const cases: [string, string][] = [
      ["1000m", "1"],
      ["1.5Gi", "1536Mi"],
      ["0.1", "100m"],
      ["1.5", "1500m"],
      ["1024Mi", "1Gi"],
      ["307200Ki", "300Mi"],
      ["1025024Mi", "1001Gi"],
      ["1024Gi", "1Ti"],
      ["5000m", "5"],
      ["0.5", "500m"],
      ["1000M", "1G"],
      ["0.001T", "1G"],
      ["1000u", "1m"],
      ["1.08", "1080m"],
      ["1080000000n", "1080m"],
      [".001e12", "1e9"],
      ["0.001e0", "1e-3"],
      ["1000e-12", "1e-9"],
      ["00", "0"],
      ["-0", "0"],
      ["0.5e0", "500e-3"],
      ["1.3E+6", "1300e3"],
      ["1.1E-9", "2e-9"],
      ["1e0", "1e0"],
      ["100.035Ki", "102435840m"],
      ["0.05Gi", "53687091200m"],
      ["1.5Ki", "1536"],
      ["1.1Ki", "1126400m"],
      [".001Ki", "1024m"],
      [".000001Ki", "1024u"],
      [".000000001Ki", "1024n"],
      [".000000000001Ki", "2n"],
    ];
    for (const [input, expected] of cases) assert.equal(str(input), expected, input);
    for (const [input, expected] of cases) {
      if (expected === "0") continue;
      assert.equal(str(`-${input}`), `-${expected}`, `-${input}`);
    }
  });

  it("keeps canonical input as written", () => {
    const canonical = [
      "1Gi",
      "300Mi",
      "6Ki",
      "1001Gi",
      "1Ti",
      "5",
      "500m",
      "1G",
      "1m",
      "80m",
      "1080m",
      "300M",
      "1T",
      "1234567M",
      "3k",
      "1025",
      "1e9",
      "1e-3",
      "1e-9",
      "80e-3",
      "300e6",
      "1e12",
      "3e3",
      "1n",
      "80n",
      "1080n",
      "1u",
      "80u",
      "1080u",
      "-1Ki",
      "1Ei",
    ];
    for (const s of canonical) assert.equal(str(s), s);
  });

  it("echoes fast-path text that looks canonical, as upstream does", () => {
    assert.equal(str("+1"), "+1");
    assert.equal(str("1E3"), "1E3");
    assert.equal(str("+1Ki"), "+1Ki");
    // Too long for upstream's fast path, so it is re-emitted.
    assert.equal(str("+1Pi"), "1Pi");
  });

  it("has no suffix beyond E, like upstream", () => {
    assert.equal(str("1000E"), "1");
    assert.equal(str("1e21"), "1e21");
  });

  it("keeps small binary amounts decimal", () => {
    assert.equal(q("0.5Ki").format, "BinarySI");
    assert.equal(str("0.5Ki"), "512");
    assert.equal(q("0.0001Ki").format, "DecimalSI");
    assert.equal(str("0.0001Ki"), "102400u");
  });
});

describe("arithmetic", () => {
  it("compares", () => {
    const cases: [string, string, number][] = [
      ["0", "0", 0],
      ["100m", "50m", 1],
      ["50m", "100m", -1],
      ["10000T", "100Gi", 1],
      ["-1", "1", -1],
      ["-2", "-1", -1],
      ["-1", "-2", 1],
      ["1e30", "1E", 1],
      ["1Ki", "1024", 0],
      ["999m", "1", -1],
      ["1001m", "1", 1],
    ];
    for (const [a, b, want] of cases) {
      assert.equal(q(a).cmp(q(b)), want, `${a} vs ${b}`);
      assert.equal(q(b).cmp(q(a)), -want || 0, `${b} vs ${a}`);
    }
    assert.ok(q("1Ki").equals(q("1024")));
  });

  it("adds and subtracts, a zero receiver taking the other's format", () => {
    assert.equal(q("100m").add(q("0")).toString(), "100m");
    assert.equal(q("0").add(q("100m")).toString(), "100m");
    assert.equal(q("0").add(q("1Gi")).toString(), "1Gi");
    assert.equal(q("1Gi").add(q("0")).toString(), "1Gi");
    assert.equal(q("1Gi").sub(q("0")).toString(), "1Gi");
    assert.equal(q("0").sub(q("100m")).toString(), "-100m");
    assert.equal(q("1Gi").sub(q("512Mi")).toString(), "512Mi");
    assert.equal(q("1").add(q("500m")).toString(), "1500m");
    assert.equal(q("1500m").sub(q("1.5")).toString(), "0");
    assert.equal(q("1Gi").add(q("1G")).toString(), "2073741824");
    assert.equal(q("9.01").neg().toString(), "-9010m");
    assert.equal(q("250m").mul(4).toString(), "1");
    assert.ok(q("1").sub(q("1")).isZero());
    assert.equal(q("-5").sign(), -1);
  });

  it("rounds values away from zero", () => {
    assert.equal(q("100m").value(), 1);
    assert.equal(q("1.5").value(), 2);
    assert.equal(q("-1.5").value(), -2);
    assert.equal(q("1Gi").value(), 1073741824);
    assert.equal(q("1.5").milliValue(), 1500);
    assert.equal(q("0.1m").milliValue(), 1);
    assert.equal(q("1n").milliValue(), 1);
    assert.equal(q("1n").value(), 1);
    assert.equal(q("2").scaledValue(-9), 2_000_000_000);
    assert.equal(q("1500m").scaledValue(3), 1);
    assert.equal(q("1k").scaledBigInt(-9), 1_000_000_000_000n);
    assert.equal(q("1e400").value(), Infinity);
    assert.equal(q("-1e400").milliValue(), -Infinity);
    assert.equal(q("1.5Gi").asApproximateFloat64(), 1610612736);
    assert.equal(q("100m").asApproximateFloat64(), 0.1);
  });
});

describe("constructors and JSON", () => {
  it("builds quantities from integers", () => {
    assert.equal(newMilliQuantity(1, "DecimalSI").toString(), "1m");
    assert.equal(newMilliQuantity(1000, "DecimalSI").toString(), "1");
    assert.equal(newMilliQuantity(1234000, "DecimalSI").toString(), "1234");
    assert.equal(newMilliQuantity(1024, "BinarySI").toString(), "1024m");
    assert.equal(newMilliQuantity(1000000, "DecimalExponent").toString(), "1e3");
    assert.equal(newQuantity(1, "DecimalSI").toString(), "1");
    assert.equal(newQuantity(1000, "DecimalSI").toString(), "1k");
    assert.equal(newQuantity(1234000, "DecimalSI").toString(), "1234k");
    assert.equal(newQuantity(1024, "BinarySI").toString(), "1Ki");
    assert.equal(newQuantity(1024 * 1024, "BinarySI").toString(), "1Mi");
    assert.equal(newQuantity(1000000, "DecimalExponent").toString(), "1e6");
    assert.equal(newQuantity(8n * 2n ** 60n, "BinarySI").toString(), "8Ei");
    assert.equal(newScaledQuantity(1, -9).toString(), "1n");
    assert.equal(newScaledQuantity(1000, -9).toString(), "1u");
    assert.equal(newScaledQuantity(1000, -3).toString(), "1");
    assert.equal(newScaledQuantity(0, -9).toString(), "0");
    assert.equal(Quantity.fromDecimal(15n, -1, "DecimalSI").toString(), "1500m");
  });

  it("round-trips through JSON", () => {
    assert.equal(JSON.stringify({ cpu: q("0.5") }), '{"cpu":"500m"}');
    assert.equal(quantityFromJSON(" 1").toString(), "1");
    assert.equal(quantityFromJSON("1 ").toString(), "1");
    assert.equal(quantityFromJSON(10).toString(), "10");
    assert.equal(quantityFromJSON(-1).toString(), "-1");
    assert.equal(quantityFromJSON(1.5).toString(), "1500m");
    assert.equal(quantityFromJSON(null).toString(), "0");
    assert.throws(() => quantityFromJSON("abc"), QuantityParseError);
    assert.throws(() => quantityFromJSON(true), QuantityParseError);
  });
});
