import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ClusterRole } from "../../../api/generated/types.ts";
import {
  aggregateAll,
  aggregatedRoleNames,
  aggregatedRules,
  aggregationUpdate,
} from "./aggregation.ts";
import { resourceRule } from "./policy-rule.ts";

const labelled = (name: string, labels: Record<string, string>, verbs: string[]): ClusterRole => ({
  metadata: { name, labels },
  rules: [resourceRule(verbs, [""], ["pods"])],
});

const aggregator: ClusterRole = {
  metadata: { name: "monitoring" },
  aggregationRule: {
    clusterRoleSelectors: [
      { matchLabels: { "example.com/aggregate-to-monitoring": "true" } },
      { matchExpressions: [{ key: "tier", operator: "In", values: ["extra"] }] },
    ],
  },
};

describe("aggregatedRules", () => {
  it("gathers rules of matching roles, by selector then name, without duplicates", () => {
    const roles = [
      aggregator,
      labelled("b-role", { "example.com/aggregate-to-monitoring": "true" }, ["list"]),
      labelled("a-role", { "example.com/aggregate-to-monitoring": "true" }, ["get"]),
      labelled("dup", { "example.com/aggregate-to-monitoring": "true" }, ["get"]),
      labelled("extra", { tier: "extra" }, ["watch"]),
      labelled("unrelated", { tier: "other" }, ["delete"]),
    ];
    assert.deepEqual(aggregatedRules(aggregator, roles), [
      resourceRule(["get"], [""], ["pods"]),
      resourceRule(["list"], [""], ["pods"]),
      resourceRule(["watch"], [""], ["pods"]),
    ]);
  });

  it("skips the role itself and ignores roles without an aggregationRule", () => {
    const self = {
      ...aggregator,
      metadata: { name: "monitoring", labels: { tier: "extra" } },
      rules: [resourceRule(["*"], ["*"], ["*"])],
    };
    assert.deepEqual(aggregatedRules(self, [self]), []);
    assert.equal(aggregatedRules({ metadata: { name: "plain" } }, [self]), undefined);
  });

  it("reports whether an update is needed (absent and empty lists are equal)", () => {
    const roles = [labelled("a", { tier: "extra" }, ["get"])];
    const current = {
      ...aggregator,
      rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"], resourceNames: [] }],
    };
    assert.equal(aggregationUpdate(current, roles), undefined);
    assert.deepEqual(aggregationUpdate(aggregator, roles), [resourceRule(["get"], [""], ["pods"])]);
    assert.deepEqual(aggregatedRoleNames([aggregator, ...roles]), ["monitoring"]);
  });

  it("aggregateAll converges through chained aggregated roles", () => {
    const chain = (name: string, selects: string, labels: Record<string, string>): ClusterRole => ({
      metadata: { name, labels },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [selects]: "true" } }] },
    });
    // "top" is listed first and gathers "middle", which gathers "leaf".
    const roles = aggregateAll([
      chain("top", "to-top", {}),
      chain("middle", "to-middle", { "to-top": "true" }),
      labelled("leaf", { "to-middle": "true" }, ["get"]),
    ]);
    assert.deepEqual(roles[0]?.rules, [resourceRule(["get"], [""], ["pods"])]);
    assert.deepEqual(roles[1]?.rules, [resourceRule(["get"], [""], ["pods"])]);
  });
});
