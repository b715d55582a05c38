import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  escapeValue,
  everythingFields,
  FieldLabelNotSupportedError,
  FieldSelector,
  FieldSelectorError,
  fieldSelectorFromSet,
  parseFieldSelector,
  unescapeValue,
  validateFieldSelector,
} from "./fields.ts";

describe("parseFieldSelector", () => {
  it("parses =, == and != terms, sorted, printing == as =", () => {
    const cases: [string, string][] = [
      ["", ""],
      ["a=b", "a=b"],
      ["a==b", "a=b"],
      ["a!=b", "a!=b"],
      ["status.phase=Running,metadata.name=web", "metadata.name=web,status.phase=Running"],
      ["a=", "a="],
      ["a=b,,c=d", "a=b,c=d"],
      ["a=x\\,y", "a=x\\,y"],
      ["a=x\\=y\\\\z", "a=x\\=y\\\\z"],
      ["a!=", "a!="],
    ];
    for (const [input, expected] of cases) {
      assert.equal(parseFieldSelector(input).toString(), expected, input);
    }
  });

  it("splits a term at its first operator", () => {
    // The value after the first operator may not hold an unescaped '=' (code point 61).
    for (const bad of ["a=b!=c", "a!==b", "a=b==c"]) {
      assert.throws(() => parseFieldSelector(bad), {
        message: "invalid field selector: unescaped character in value: 61",
      });
    }
    assert.deepEqual(parseFieldSelector("a!=\\=b").terms, [
      { field: "a", operator: "!=", value: "=b" },
    ]);
    assert.deepEqual(parseFieldSelector("x.y==").terms, [
      { field: "x.y", operator: "=", value: "" },
    ]);
    assert.deepEqual(parseFieldSelector("=v").terms, [{ field: "", operator: "=", value: "v" }]);
  });

  it("unescapes values", () => {
    assert.deepEqual(parseFieldSelector("spec.x=a\\,b\\=c\\\\d").terms, [
      { field: "spec.x", operator: "=", value: "a,b=c\\d" },
    ]);
  });

  it("reports upstream's errors", () => {
    assert.throws(() => parseFieldSelector("abc"), {
      name: "FieldSelectorError",
      message: "invalid selector: 'abc'; can't understand 'abc'",
    });
    assert.throws(() => parseFieldSelector("a=b,c"), {
      message: "invalid selector: 'a=b,c'; can't understand 'c'",
    });
    assert.throws(() => parseFieldSelector("a=b=c"), {
      message: "invalid field selector: unescaped character in value: 61",
    });
    assert.throws(() => parseFieldSelector("a=b\\x"), {
      message: "invalid field selector: invalid escape sequence: \\x",
    });
    assert.throws(() => parseFieldSelector("a=b\\"), {
      message: "invalid field selector: invalid escape sequence: \\",
    });
  });
});

describe("FieldSelector", () => {
  const pod = { "metadata.name": "web", "status.phase": "Running", "spec.nodeName": "" };

  it("matches a field set, reading missing fields as empty", () => {
    assert.ok(parseFieldSelector("status.phase=Running").matches(pod));
    assert.ok(parseFieldSelector("status.phase==Running,metadata.name=web").matches(pod));
    assert.ok(!parseFieldSelector("status.phase=Pending").matches(pod));
    assert.ok(parseFieldSelector("status.phase!=Pending").matches(pod));
    assert.ok(parseFieldSelector("spec.nodeName=").matches(pod));
    assert.ok(!parseFieldSelector("spec.nodeName!=").matches(pod));
    assert.ok(parseFieldSelector("missing=").matches(pod));
    assert.ok(parseFieldSelector("missing!=x").matches(pod));
    assert.ok(everythingFields().matches(pod));
    assert.ok(everythingFields().isEmpty());
    assert.ok(!parseFieldSelector("a=b").isEmpty());
  });

  it("finds exact matches", () => {
    const s = parseFieldSelector("metadata.name=web,spec.nodeName!=n1");
    assert.equal(s.requiresExactMatch("metadata.name"), "web");
    assert.equal(s.requiresExactMatch("spec.nodeName"), undefined);
    assert.equal(s.requiresExactMatch("other"), undefined);
  });

  it("builds from a set", () => {
    const s = fieldSelectorFromSet({ "metadata.namespace": "default", "metadata.name": "a,b" });
    assert.ok(s.matches({ "metadata.namespace": "default", "metadata.name": "a,b" }));
    assert.equal(s.toString(), "metadata.namespace=default,metadata.name=a\\,b");
  });

  it("transforms terms, dropping ones rewritten to nothing", () => {
    const s = parseFieldSelector("a=1,b=2").transform((f, v) =>
      f === "a" ? ["", ""] : [`x.${f}`, v],
    );
    assert.equal(s.toString(), "x.b=2");
    assert.equal(new FieldSelector().transform(() => ["a", "b"]).toString(), "");
  });
});

describe("validateFieldSelector", () => {
  it("rejects fields the kind does not support", () => {
    const s = parseFieldSelector("spec.nodeName=n1,foo=bar");
    const supported = ["metadata.name", "metadata.namespace", "spec.nodeName"];
    assert.throws(
      () => validateFieldSelector(s, supported),
      (err: unknown) => {
        assert.ok(err instanceof FieldLabelNotSupportedError);
        assert.ok(err instanceof FieldSelectorError);
        assert.equal(err.message, "field label not supported: foo");
        assert.equal(err.label, "foo");
        return true;
      },
    );
    assert.equal(
      validateFieldSelector(parseFieldSelector("spec.nodeName=n1"), supported).toString(),
      "spec.nodeName=n1",
    );
  });

  it("can use the metadata-only wording", () => {
    const known = ["metadata.name", "metadata.namespace"];
    assert.throws(() => validateFieldSelector(parseFieldSelector("foo=bar"), known, { known }), {
      message: '"foo" is not a known field selector: only "metadata.name", "metadata.namespace"',
    });
  });
});

describe("escaping", () => {
  it("round-trips values", () => {
    for (const v of ["", "plain", "a,b", "a=b", "a\\b", "\\,=\\\\"]) {
      assert.equal(unescapeValue(escapeValue(v)), v, v);
    }
    assert.equal(escapeValue("a,b=c\\d"), "a\\,b\\=c\\\\d");
  });
});
