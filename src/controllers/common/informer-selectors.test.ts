import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type LabelSelector, selectorFromLabelSelector } from "../../machinery/labels.ts";
import { informerSelector, informerSetSelector } from "./informer-selectors.ts";

describe("informer selectors", () => {
  const labelSets = [
    {},
    { app: "web" },
    { app: "web", tier: "front" },
    { app: "db", tier: "front" },
    { tier: "back", "pod-template-hash": "abc" },
  ];
  const selectors: Array<LabelSelector | null | undefined> = [
    null,
    undefined,
    {},
    { matchLabels: { app: "web" } },
    {
      matchLabels: { app: "web" },
      matchExpressions: [{ key: "tier", operator: "In", values: ["front"] }],
    },
    { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] },
    { matchExpressions: [{ key: "pod-template-hash", operator: "Exists" }] },
    { matchExpressions: [{ key: "app", operator: "DoesNotExist" }] },
  ];

  it("answer as selectorFromLabelSelector does, the first time and again", () => {
    for (const ls of selectors) {
      const plain = selectorFromLabelSelector(ls);
      for (const round of [1, 2]) {
        const remembering = informerSelector(ls);
        for (const labels of labelSets) {
          assert.equal(
            remembering.matches(labels),
            plain.matches(labels),
            `${JSON.stringify(ls)} on ${JSON.stringify(labels)}, round ${round}`,
          );
        }
      }
    }
  });

  it("are one object per selector text, and fail on a bad selector as upstream", () => {
    const a = informerSelector({ matchLabels: { app: "web" } });
    assert.equal(informerSelector({ matchLabels: { app: "web" } }), a);
    assert.notEqual(informerSelector({ matchLabels: { app: "db" } }), a);
    assert.equal(informerSetSelector({ app: "web" }), a);
    assert.throws(
      () => informerSelector({ matchExpressions: [{ key: "a", operator: "Near", values: [] }] }),
      /"Near" is not a valid label selector operator/,
    );
  });
});
