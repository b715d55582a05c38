import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PolicyRule } from "../../../api/generated/types.ts";
import { parseRequestInfo } from "../../request-info.ts";
import { type Attributes, attributesFromRequestInfo, resourceAttributes } from "./attributes.ts";
import { ruleAllows } from "./rule-match.ts";

const res = (
  verb: string,
  apiGroup: string,
  resource: string,
  extra: Partial<Attributes> = {},
): Attributes => resourceAttributes({ verb, apiGroup, resource, ...extra });
const url = (verb: string, path: string): Attributes => ({
  ...resourceAttributes({ verb, apiGroup: "", resource: "" }),
  isResourceRequest: false,
  path,
});

const cases: [string, PolicyRule, Attributes, boolean][] = [
  [
    "exact match",
    { verbs: ["get"], apiGroups: [""], resources: ["pods"] },
    res("get", "", "pods"),
    true,
  ],
  [
    "other verb",
    { verbs: ["get"], apiGroups: [""], resources: ["pods"] },
    res("list", "", "pods"),
    false,
  ],
  [
    "verb *",
    { verbs: ["*"], apiGroups: [""], resources: ["pods"] },
    res("delete", "", "pods"),
    true,
  ],
  [
    "other group",
    { verbs: ["get"], apiGroups: ["apps"], resources: ["pods"] },
    res("get", "", "pods"),
    false,
  ],
  [
    "group *",
    { verbs: ["get"], apiGroups: ["*"], resources: ["deployments"] },
    res("get", "apps", "deployments"),
    true,
  ],
  [
    "resource *",
    { verbs: ["get"], apiGroups: [""], resources: ["*"] },
    res("get", "", "pods", { subresource: "log" }),
    true,
  ],
  [
    "resource without subresource",
    { verbs: ["get"], apiGroups: [""], resources: ["pods"] },
    res("get", "", "pods", { subresource: "log" }),
    false,
  ],
  [
    "resource/subresource",
    { verbs: ["get"], apiGroups: [""], resources: ["pods/log"] },
    res("get", "", "pods", { subresource: "log" }),
    true,
  ],
  [
    "subresource rule does not grant the resource",
    { verbs: ["get"], apiGroups: [""], resources: ["pods/log"] },
    res("get", "", "pods"),
    false,
  ],
  [
    "*/subresource",
    { verbs: ["update"], apiGroups: ["*"], resources: ["*/status"] },
    res("update", "apps", "deployments", { subresource: "status" }),
    true,
  ],
  [
    "*/subresource other subresource",
    { verbs: ["update"], apiGroups: ["*"], resources: ["*/status"] },
    res("update", "apps", "deployments", { subresource: "scale" }),
    false,
  ],
  [
    "resourceNames match",
    { verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a", "b"] },
    res("get", "", "configmaps", { name: "b" }),
    true,
  ],
  [
    "resourceNames miss",
    { verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"] },
    res("get", "", "configmaps", { name: "c" }),
    false,
  ],
  [
    "resourceNames and a list (no name)",
    { verbs: ["list"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"] },
    res("list", "", "configmaps"),
    false,
  ],
  ["url exact", { verbs: ["get"], nonResourceURLs: ["/healthz"] }, url("get", "/healthz"), true],
  ["url other", { verbs: ["get"], nonResourceURLs: ["/healthz"] }, url("get", "/livez"), false],
  [
    "url prefix *",
    { verbs: ["get"], nonResourceURLs: ["/apis/*"] },
    url("get", "/apis/apps/v1"),
    true,
  ],
  [
    "url prefix * does not match the bare prefix",
    { verbs: ["get"], nonResourceURLs: ["/apis/*"] },
    url("get", "/apis"),
    false,
  ],
  ["url *", { verbs: ["*"], nonResourceURLs: ["*"] }, url("post", "/anything"), true],
  [
    "url rule does not grant resources",
    { verbs: ["*"], nonResourceURLs: ["*"] },
    res("get", "", "pods"),
    false,
  ],
  [
    "resource rule does not grant urls",
    { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
    url("get", "/healthz"),
    false,
  ],
  [
    "custom verb",
    { verbs: ["bind"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"] },
    res("bind", "rbac.authorization.k8s.io", "clusterroles", { name: "view" }),
    true,
  ],
];

describe("ruleAllows", () => {
  for (const [name, rule, attrs, want] of cases) {
    it(name, () => assert.equal(ruleAllows(attrs, rule), want));
  }

  it("uses the HTTP method as the verb of non-resource requests", () => {
    const info = parseRequestInfo("GET", "/healthz", new URLSearchParams());
    const attrs = attributesFromRequestInfo(info);
    assert.equal(attrs.verb, "get");
    assert.equal(ruleAllows(attrs, { verbs: ["get"], nonResourceURLs: ["/healthz"] }), true);
    const watch = attributesFromRequestInfo(
      parseRequestInfo("GET", "/api/v1/namespaces/ns/pods", new URLSearchParams("watch=1")),
    );
    assert.deepEqual([watch.verb, watch.namespace, watch.resource], ["watch", "ns", "pods"]);
    const exec = (method: string) =>
      attributesFromRequestInfo(
        parseRequestInfo(method, "/api/v1/namespaces/ns/pods/p/exec", new URLSearchParams()),
      ).verb;
    assert.deepEqual([exec("POST"), exec("GET")], ["create", "get"]);
  });
});
