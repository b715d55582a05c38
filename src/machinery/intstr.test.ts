import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  getScaledValueFromIntOrPercent,
  IntOrStringError,
  intValue,
  valueOrDefault,
} from "./intstr.ts";

describe("getScaledValueFromIntOrPercent", () => {
  it("returns integers unscaled", () => {
    assert.equal(getScaledValueFromIntOrPercent(5, 100, true), 5);
    assert.equal(getScaledValueFromIntOrPercent(0, 100, false), 0);
    assert.equal(getScaledValueFromIntOrPercent(-3, 100, true), -3);
  });

  it("scales percentages, rounding as asked", () => {
    assert.equal(getScaledValueFromIntOrPercent("25%", 10, true), 3);
    assert.equal(getScaledValueFromIntOrPercent("25%", 10, false), 2);
    assert.equal(getScaledValueFromIntOrPercent("100%", 7, false), 7);
    assert.equal(getScaledValueFromIntOrPercent("0%", 7, true), 0);
    assert.equal(getScaledValueFromIntOrPercent("33%", 3, true), 1);
    assert.equal(getScaledValueFromIntOrPercent("33%", 3, false), 0);
    assert.equal(getScaledValueFromIntOrPercent("150%", 4, false), 6);
    assert.equal(getScaledValueFromIntOrPercent("+10%", 10, false), 1);
    assert.equal(getScaledValueFromIntOrPercent("-10%", 5, true), 0);
    assert.ok(Object.is(getScaledValueFromIntOrPercent("-10%", 5, true), 0));
    assert.equal(getScaledValueFromIntOrPercent("-10%", 5, false), -1);
  });

  it("rejects what upstream rejects, with its messages", () => {
    const cases: [Parameters<typeof getScaledValueFromIntOrPercent>[0], string][] = [
      [undefined, "nil value for IntOrString"],
      [null, "nil value for IntOrString"],
      ["10", "invalid value for IntOrString: invalid type: string is not a percentage"],
      ["abc", "invalid value for IntOrString: invalid type: string is not a percentage"],
      [
        "abc%",
        'invalid value for IntOrString: invalid value "abc%": strconv.Atoi: parsing "abc": invalid syntax',
      ],
      [
        "%",
        'invalid value for IntOrString: invalid value "%": strconv.Atoi: parsing "": invalid syntax',
      ],
      [
        "1.5%",
        'invalid value for IntOrString: invalid value "1.5%": strconv.Atoi: parsing "1.5": invalid syntax',
      ],
      [
        " 5%",
        'invalid value for IntOrString: invalid value " 5%": strconv.Atoi: parsing " 5": invalid syntax',
      ],
      [
        "99999999999999999999%",
        'invalid value for IntOrString: invalid value "99999999999999999999%": strconv.Atoi: parsing "99999999999999999999": value out of range',
      ],
      [1.5, "invalid value for IntOrString: invalid type: neither int nor percentage"],
    ];
    for (const [value, message] of cases) {
      assert.throws(
        () => getScaledValueFromIntOrPercent(value, 10, true),
        (err: unknown) => {
          assert.ok(err instanceof IntOrStringError);
          assert.equal(err.message, message, String(value));
          return true;
        },
      );
    }
  });
});

describe("IntOrString helpers", () => {
  it("reads the integer value as IntValue does", () => {
    assert.equal(intValue(8080), 8080);
    assert.equal(intValue("8080"), 8080);
    assert.equal(intValue("http"), 0);
  });

  it("falls back to a default", () => {
    assert.equal(valueOrDefault(undefined, "25%"), "25%");
    assert.equal(valueOrDefault(null, 1), 1);
    assert.equal(valueOrDefault(0, 1), 0);
  });
});
