import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lexLabelSelector } from "./label-lexer.ts";
import {
  everything,
  LabelSelectorError,
  newRequirement,
  nothing,
  parseSelector,
  requirementToString,
  Selector,
  selectorFromLabelSelector,
  selectorFromSet,
  selectorToString,
} from "./labels.ts";

const parseError = (text: string): string => {
  try {
    parseSelector(text);
  } catch (err) {
    assert.ok(err instanceof LabelSelectorError, String(err));
    return err.message;
  }
  assert.fail(`expected ${JSON.stringify(text)} to fail`);
};

const nameRegexMsg =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe("label selector lexer", () => {
  it("splits identifiers, keywords and operators", () => {
    const kinds = (s: string) => lexLabelSelector(s).map((t) => `${t.kind}:${t.literal}`);
    assert.deepEqual(kinds("x in (a,b)"), [
      "Identifier:x",
      "In:in",
      "OpenPar:(",
      "Identifier:a",
      "Comma:,",
      "Identifier:b",
      "ClosedPar:)",
      "EndOfString:",
    ]);
    assert.deepEqual(kinds("!a,b!=c,d==e,f>1,g<2,h notin ()"), [
      "DoesNotExist:!",
      "Identifier:a",
      "Comma:,",
      "Identifier:b",
      "NotEquals:!=",
      "Identifier:c",
      "Comma:,",
      "Identifier:d",
      "DoubleEquals:==",
      "Identifier:e",
      "Comma:,",
      "Identifier:f",
      "GreaterThan:>",
      "Identifier:1",
      "Comma:,",
      "Identifier:g",
      "LessThan:<",
      "Identifier:2",
      "Comma:,",
      "Identifier:h",
      "NotIn:notin",
      "OpenPar:(",
      "ClosedPar:)",
      "EndOfString:",
    ]);
    assert.deepEqual(kinds("  \t"), ["EndOfString:"]);
    assert.deepEqual(kinds("a=!b"), [
      "Identifier:a",
      "Equals:=",
      "DoesNotExist:!",
      "Identifier:b",
      "EndOfString:",
    ]);
  });
});

describe("parseSelector", () => {
  it("parses every operator and prints canonically, sorted by key", () => {
    const cases: [string, string][] = [
      ["", ""],
      ["x=a", "x=a"],
      ["x = a", "x=a"],
      ["x==a", "x==a"],
      ["x!=a", "x!=a"],
      ["x", "x"],
      ["!x", "!x"],
      ["x>1", "x>1"],
      ["x<10", "x<10"],
      ["x in (b,a)", "x in (a,b)"],
      ["x notin (a)", "x notin (a)"],
      ["z=1,a=2", "a=2,z=1"],
      ["x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"],
      ["x=,y=", "x=,y="],
      ["x in (a,a)", "x in (a)"],
      ["in in (in,notin)", "in in (in,notin)"],
      ["example.com/app=web", "example.com/app=web"],
    ];
    for (const [input, expected] of cases) {
      assert.equal(parseSelector(input).toString(), expected, input);
    }
  });

  it("matches labels", () => {
    const labels = { app: "web", tier: "front", rev: "7" };
    const yes = [
      "",
      "app=web",
      "app==web",
      "app",
      "!canary",
      "app in (web,api)",
      "tier notin (db)",
      "gone notin (x)",
      "gone!=x",
      "rev>3",
      "rev<10",
    ];
    for (const s of yes) assert.ok(parseSelector(s).matches(labels), s);
    const no = [
      "app=api",
      "app!=web",
      "canary",
      "!app",
      "app in (api)",
      "tier notin (front)",
      "rev>7",
      "rev<7",
      "app>1",
      "gone>1",
      "gone=x",
    ];
    for (const s of no) assert.ok(!parseSelector(s).matches(labels), s);
    assert.ok(parseSelector("gone=").matches(labels) === false);
    assert.ok(parseSelector("x in ()").matches({ x: "" }));
  });

  it("reports syntax errors with upstream's messages", () => {
    assert.equal(
      parseError("a b"),
      "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt",
    );
    assert.equal(parseError("a=b,"), "found '', expected: identifier after ','");
    assert.equal(parseError("=a"), "found '=', expected: !, identifier, or 'end of string'");
    assert.equal(parseError("a=b c"), "found 'c', expected: ',' or 'end of string'");
    assert.equal(parseError("a in b"), "unable to parse requirement: found 'b' expected: '('");
    assert.equal(
      parseError("a in (b"),
      "unable to parse requirement: found '', expected: ',' or ')'",
    );
    assert.equal(
      parseError("a in (=)"),
      "unable to parse requirement: found '=', expected: ',', ')' or identifier",
    );
    assert.equal(
      parseError("a in (b =)"),
      "unable to parse requirement: found '=', expected: ',' or ')'",
    );
    assert.equal(
      parseError("a in (b,=)"),
      "unable to parse requirement: found '=', expected: ',', or identifier",
    );
    assert.equal(parseError("a=("), "unable to parse requirement: found '(', expected: identifier");
    assert.equal(parseError("!"), "unable to parse requirement: found '', expected: identifier");
    assert.equal(parseError("!a=b"), "found '=', expected: ',' or 'end of string'");
    // A negative bound is an integer but not a valid label value, so upstream rejects it too.
    assert.match(
      parseError("x<-1"),
      /^unable to parse requirement: values\[0\]\[x\]: Invalid value: "-1"/,
    );
  });

  it("reports invalid keys and values with upstream's field paths", () => {
    assert.equal(
      parseError("A@=b"),
      `unable to parse requirement: <nil>: Invalid value: "A@": ${nameRegexMsg}`,
    );
    assert.match(
      parseError("a=b@"),
      /^unable to parse requirement: values\[0\]\[a\]: Invalid value: "b@": a valid label must be an empty string/,
    );
    assert.equal(
      parseError("a>b"),
      "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer",
    );
  });
});

describe("requirements and selectors", () => {
  it("validates requirements like NewRequirement", () => {
    assert.deepEqual(newRequirement("a", "in", ["x"]), { key: "a", operator: "in", values: ["x"] });
    assert.throws(() => newRequirement("a", "in", []), {
      message:
        "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    });
    assert.throws(() => newRequirement("a", "=", ["x", "y"]), {
      message:
        'values: Invalid value: []string{"x", "y"}: exact-match compatibility requires one single value',
    });
    assert.throws(() => newRequirement("a", "exists", ["x"]), {
      message:
        'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
    });
    assert.throws(() => newRequirement("a", "gt", ["1", "2"]), {
      message: `values: Invalid value: []string{"1", "2"}: for 'Gt', 'Lt' operators, exactly one value is required`,
    });
    assert.throws(() => newRequirement("a", "like" as "in", ["x"]), {
      message:
        'operator: Unsupported value: "like": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"',
    });
    const err = (() => {
      try {
        newRequirement("-a", "in", []);
      } catch (e) {
        return e as LabelSelectorError;
      }
    })();
    assert.equal(err?.fieldErrors.length, 2);
    assert.match(err?.message ?? "", /^\[key: Invalid value: "-a": name part must consist/);
  });

  it("prints requirements", () => {
    assert.equal(
      requirementToString({ key: "a", operator: "in", values: ["z", "b"] }),
      "a in (b,z)",
    );
    assert.equal(requirementToString({ key: "a", operator: "!", values: [] }), "!a");
    assert.equal(requirementToString({ key: "a", operator: "gt", values: ["1"] }), "a>1");
  });

  it("builds selectors from sets and adds requirements", () => {
    const s = selectorFromSet({ tier: "front", app: "web" });
    assert.equal(selectorToString(s), "app=web,tier=front");
    assert.ok(s.matches({ app: "web", tier: "front", x: "y" }));
    assert.ok(!s.matches({ app: "web" }));
    assert.ok(selectorFromSet(undefined).isEmpty());
    const more = s.add(newRequirement("env", "exists", []));
    assert.equal(more.toString(), "app=web,env,tier=front");
    assert.equal(s.toString(), "app=web,tier=front");
  });

  it("knows everything, nothing and exact matches", () => {
    assert.ok(everything().isEmpty());
    assert.ok(everything().matches({}));
    assert.ok(!nothing().matches({}));
    assert.ok(!nothing().isEmpty());
    assert.ok(nothing().matchesNothing());
    assert.equal(nothing().toString(), "");
    assert.equal(
      nothing()
        .add(newRequirement("a", "exists", []))
        .toString(),
      "",
    );
    const s = parseSelector("a=1,b in (2),c in (3,4),d!=5");
    assert.equal(s.requiresExactMatch("a"), "1");
    assert.equal(s.requiresExactMatch("b"), "2");
    assert.equal(s.requiresExactMatch("c"), undefined);
    assert.equal(s.requiresExactMatch("d"), undefined);
    assert.equal(s.requiresExactMatch("e"), undefined);
    assert.ok(new Selector().matches());
  });
});

describe("selectorFromLabelSelector", () => {
  it("converts matchLabels and matchExpressions", () => {
    const s = selectorFromLabelSelector({
      matchLabels: { app: "web" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["b", "a"] },
        { key: "env", operator: "NotIn", values: ["prod"] },
        { key: "team", operator: "Exists" },
        { key: "canary", operator: "DoesNotExist" },
      ],
    });
    assert.equal(s.toString(), "app=web,!canary,env notin (prod),team,tier in (a,b)");
    assert.ok(s.matches({ app: "web", tier: "a", team: "x" }));
    assert.ok(!s.matches({ app: "web", tier: "a", team: "x", canary: "1" }));
  });

  it("treats absent as nothing and empty as everything", () => {
    assert.ok(selectorFromLabelSelector(undefined).matchesNothing());
    assert.ok(selectorFromLabelSelector(null).matchesNothing());
    assert.ok(selectorFromLabelSelector({}).isEmpty());
    assert.ok(
      selectorFromLabelSelector({ matchLabels: {}, matchExpressions: [] }).matches({ a: "b" }),
    );
  });

  it("rejects unknown operators and invalid requirements", () => {
    assert.throws(
      () =>
        selectorFromLabelSelector({
          matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }],
        }),
      {
        name: "LabelSelectorError",
        message: '"Gt" is not a valid label selector operator',
      },
    );
    assert.throws(
      () => selectorFromLabelSelector({ matchExpressions: [{ key: "a", operator: "In" }] }),
      {
        message:
          "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
      },
    );
    assert.throws(
      () => selectorFromLabelSelector({ matchLabels: { a: "b c" } }),
      LabelSelectorError,
    );
  });
});
