import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "./command.ts";
import { defaultTokenGroups, validateCreate } from "./token.ts";
import { formatTokenList, shortHumanDuration, tabwrite } from "./token-format.ts";

const now = Date.UTC(2026, 0, 1);

describe("bosun token", () => {
  it("validates create's input as kubeadm does, before writing anything", () => {
    const ok = validateCreate({ ttl: "24h0m0s", description: "" }, ["abcdef.0123456789abcdef"]);
    assert.deepEqual(ok, {
      token: "abcdef.0123456789abcdef",
      ttlMs: 24 * 3600_000,
      description: "",
      groups: defaultTokenGroups,
      usages: ["signing", "authentication"],
    });
    assert.equal(validateCreate({ ttl: "0" }, []).ttlMs, 0);
    assert.match(validateCreate({ ttl: "1h" }, []).token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const bad: [Record<string, string>, string[], RegExp][] = [
      [{ ttl: "1d" }, [], /invalid argument "1d" for "--ttl" flag: time: invalid duration "1d"/],
      [{ ttl: "-1h" }, [], /--ttl must not be negative/],
      [{ ttl: "1h" }, ["ABCDEF.0123456789abcdef"], /was not of the form/],
      [{ ttl: "1h" }, ["abcdef.0123456789abcdef", "x"], /at most one token/],
      [{ ttl: "1h", groups: "system:nodes" }, [], /bootstrap group "system:nodes" is invalid/],
      [{ ttl: "1h", usages: "signing,root" }, [], /invalid bootstrap token usage string: root/],
      [{ ttl: "1h", usages: "signing" }, [], /token groups cannot be specified unless/],
    ];
    for (const [values, args, message] of bad) {
      assert.throws(
        () => validateCreate(values, args),
        (err: Error) => {
          assert.ok(err instanceof UsageError);
          assert.match(err.message, message);
          return true;
        },
      );
    }
    assert.deepEqual(validateCreate({ ttl: "1h", usages: "signing", groups: "" }, []).groups, []);
  });

  it("marks --control-plane tokens with the group that may fetch the join bundle", () => {
    const cp = validateCreate({ ttl: "1h", "control-plane": true }, []);
    assert.deepEqual(cp.groups, [
      ...defaultTokenGroups,
      "system:bootstrappers:bosun:control-plane",
    ]);
    assert.deepEqual(cp.usages, ["signing", "authentication"]);
    assert.throws(
      () => validateCreate({ ttl: "1h", "control-plane": true, usages: "authentication" }, []),
      /--control-plane needs --usages to include "signing"/,
    );
  });

  it("prints durations as apimachinery's ShortHumanDuration", () => {
    const cases: [number, string][] = [
      [-5_000, "<invalid>"],
      [-500, "0s"],
      [59_999, "59s"],
      [60_000, "1m"],
      [3599_000, "59m"],
      [23 * 3600_000 + 59 * 60_000, "23h"],
      [24 * 3600_000, "1d"],
      [400 * 86400_000, "1y"],
    ];
    for (const [ms, text] of cases) assert.equal(shortHumanDuration(ms), text, String(ms));
  });

  it("aligns cells as Go's tabwriter (min width 10, padding 3), leaving the last cell alone", () => {
    assert.equal(
      tabwrite(["A\tBB\tlast", "CCCCCCCCCCC\tD\tx"]),
      "A             BB        last\nCCCCCCCCCCC   D         x\n",
    );
  });

  it("lists tokens in kubeadm's layout, one block per token (so rows can drift, as kubeadm's do)", () => {
    const out = formatTokenList(
      [
        {
          id: "abcdef",
          secret: "0123456789abcdef",
          description: "",
          expires: now + 3 * 3600_000 + 1_000,
          usages: ["authentication", "signing"],
          groups: ["system:bootstrappers:bosun:default-node-token"],
        },
        {
          id: "ghijkl",
          secret: "0123456789abcdef",
          description: "forever",
          expires: undefined,
          usages: [],
          groups: [],
        },
      ],
      now,
    );
    assert.equal(
      out,
      [
        "TOKEN                     TTL         EXPIRES                USAGES                   DESCRIPTION                                                EXTRA GROUPS",
        "abcdef.0123456789abcdef   3h          2026-01-01T03:00:01Z   authentication,signing   <none>                                                     system:bootstrappers:bosun:default-node-token",
        "ghijkl.0123456789abcdef   <forever>   <never>   <none>                   forever                                                    <none>",
        "",
      ].join("\n"),
    );
    assert.equal(formatTokenList([], now), "");
  });
});
