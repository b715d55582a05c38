import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as field from "./field-errors.ts";
import { childOf, newPath, pathString } from "./field-path.ts";
import { goQuote, goTimeString } from "./go-format.ts";

describe("field paths", () => {
  it("prints children, indexes and keys as upstream", () => {
    const p = newPath("spec").child("containers").index(0).child("name");
    assert.equal(p.toString(), "spec.containers[0].name");
    assert.equal(newPath("metadata").child("labels").key("app").toString(), "metadata.labels[app]");
    assert.equal(newPath("a", "b", "c").toString(), "a.b.c");
    assert.equal(newPath("a").child("b", "c").index(2).index(3).toString(), "a.b.c[2][3]");
  });

  it("finds the root", () => {
    const p = newPath("spec").child("x").index(1);
    assert.equal(p.root().toString(), "spec");
  });

  it("prints a nil path as <nil> and starts a new one from nil", () => {
    assert.equal(pathString(null), "<nil>");
    assert.equal(childOf(null, "key").toString(), "key");
    assert.equal(childOf(newPath("p"), "key").toString(), "p.key");
  });
});

describe("field errors", () => {
  const p = newPath("metadata").child("name");

  it("formats Required, Forbidden and TooLong without the value", () => {
    assert.equal(field.fieldErrorMessage(field.required(p)), "metadata.name: Required value");
    assert.equal(
      field.fieldErrorMessage(field.required(p, "name or generateName is required")),
      "metadata.name: Required value: name or generateName is required",
    );
    assert.equal(
      field.fieldErrorMessage(field.forbidden(p, "not allowed on this type")),
      "metadata.name: Forbidden: not allowed on this type",
    );
    assert.equal(
      field.fieldErrorMessage(field.tooLong(p, 63)),
      "metadata.name: Too long: may not be more than 63 bytes",
    );
    assert.equal(
      field.fieldErrorBody(field.tooLong(p, 1)),
      "Too long: may not be more than 1 byte",
    );
    assert.equal(field.fieldErrorBody(field.tooLong(p, -1)), "Too long: value is too long");
  });

  it("formats Invalid with Go-style values", () => {
    assert.equal(
      field.fieldErrorMessage(field.invalid(p, "Foo", "bad")),
      'metadata.name: Invalid value: "Foo": bad',
    );
    assert.equal(field.fieldErrorBody(field.invalid(p, 5, "x")), "Invalid value: 5: x");
    assert.equal(field.fieldErrorBody(field.invalid(p, -1n, "x")), "Invalid value: -1: x");
    assert.equal(field.fieldErrorBody(field.invalid(p, true, "x")), "Invalid value: true: x");
    assert.equal(field.fieldErrorBody(field.invalid(p, null, "x")), "Invalid value: null: x");
    assert.equal(field.fieldErrorBody(field.invalid(p, undefined, "x")), "Invalid value: null: x");
    assert.equal(
      field.fieldErrorBody(field.invalid(p, ["a", "b"], "x")),
      'Invalid value: []string{"a", "b"}: x',
    );
    assert.equal(
      field.fieldErrorBody(field.invalid(p, [], "x")),
      "Invalid value: []string(nil): x",
    );
    assert.equal(
      field.fieldErrorBody(field.invalid(p, { a: 1 }, "x")),
      'Invalid value: {"a":1}: x',
    );
    assert.equal(
      field.fieldErrorBody(
        field.invalid(p, new field.RawValue("2026-01-01 00:00:00 +0000 UTC"), "x"),
      ),
      "Invalid value: 2026-01-01 00:00:00 +0000 UTC: x",
    );
    assert.equal(field.fieldErrorBody(field.invalid(p, "x", "")), 'Invalid value: "x"');
  });

  it("formats NotSupported with quoted choices", () => {
    assert.equal(
      field.fieldErrorMessage(
        field.notSupported(newPath("spec", "restartPolicy"), "Sometimes", ["Always", "Never"]),
      ),
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never"',
    );
    assert.equal(field.fieldErrorBody(field.notSupported(p, "x", [])), 'Unsupported value: "x"');
  });

  it("formats Duplicate, NotFound, TooMany, TypeInvalid and InternalError", () => {
    assert.equal(field.fieldErrorBody(field.duplicate(p, "a")), 'Duplicate value: "a"');
    assert.equal(field.fieldErrorBody(field.notFound(p, "a")), 'Not found: "a"');
    assert.equal(
      field.fieldErrorBody(field.tooMany(p, 5, 3)),
      "Too many: 5: must have at most 3 items",
    );
    assert.equal(
      field.fieldErrorBody(field.tooMany(p, 2, 1)),
      "Too many: 2: must have at most 1 item",
    );
    assert.equal(
      field.fieldErrorBody(field.tooMany(p, -1, 3)),
      "Too many: must have at most 3 items",
    );
    assert.equal(field.fieldErrorBody(field.tooMany(p, 4, -1)), "Too many: 4: has too many items");
    assert.equal(
      field.fieldErrorBody(field.typeInvalid(p, "a", "expected int")),
      'Invalid value: "a": expected int',
    );
    assert.equal(
      field.fieldErrorBody(field.internalError(p, new Error("boom"))),
      "Internal error: boom",
    );
    assert.equal(field.required(p).type, "FieldValueRequired");
    assert.equal(field.internalError(p, new Error("x")).type, "InternalError");
  });

  it("aggregates one message plainly and several in brackets, without duplicates", () => {
    const a = field.required(newPath("a"));
    const b = field.required(newPath("b"));
    assert.equal(field.toAggregateMessage([]), "");
    assert.equal(field.toAggregateMessage([a]), "a: Required value");
    assert.equal(field.toAggregateMessage([a, a]), "a: Required value");
    assert.equal(field.toAggregateMessage([a, b, a]), "[a: Required value, b: Required value]");
  });

  it("converts to Status causes, omitting an empty field", () => {
    const errs = [field.invalid(p, "Foo", "bad"), field.invalid(null, "x", "y")];
    assert.deepEqual(field.toStatusCauses(errs), [
      { reason: "FieldValueInvalid", message: 'Invalid value: "Foo": bad', field: "metadata.name" },
      { reason: "FieldValueInvalid", message: 'Invalid value: "x": y', field: "<nil>" },
    ]);
    const rootless = { ...field.required(p), field: "" };
    assert.deepEqual(field.toStatusCauses([rootless]), [
      { reason: "FieldValueRequired", message: "Required value" },
    ]);
  });
});

describe("Go formatting", () => {
  it("quotes like strconv.Quote", () => {
    assert.equal(goQuote("abc"), '"abc"');
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goQuote("a\nb\tc\u0000"), '"a\\nb\\tc\\x00"');
    assert.equal(goQuote("\u007f"), '"\\x7f"');
    assert.equal(goQuote("héllo ✓"), '"héllo ✓"');
    assert.equal(goQuote("\u00a0"), '"\\u00a0"');
    assert.equal(goQuote("\u{e0001}"), '"\\U000e0001"');
  });

  it("prints timestamps like time.Time.String", () => {
    assert.equal(goTimeString("2026-01-02T03:04:05Z"), "2026-01-02 03:04:05 +0000 UTC");
    assert.equal(goTimeString("2026-01-02T03:04:05.250Z"), "2026-01-02 03:04:05.25 +0000 UTC");
    assert.equal(goTimeString("nonsense"), "nonsense");
  });
});
