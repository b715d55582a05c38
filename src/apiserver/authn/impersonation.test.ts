/** Impersonation headers: who the request runs as, and what the requester must be allowed. */
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { isStatusError } from "../../machinery/status.ts";
import type { Authorizer } from "../authz/authorizer.ts";
import type { RequestInfo } from "../request-info.ts";
import { impersonatedUser } from "./impersonation.ts";
import type { UserInfo } from "./user.ts";

/** A request with these headers, as Node's parser presents them. */
function request(headers: [string, string][]): IncomingMessage {
  const distinct: Record<string, string[]> = {};
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    distinct[key] = [...(distinct[key] ?? []), value];
  }
  const joined = Object.fromEntries(Object.entries(distinct).map(([k, v]) => [k, v.join(", ")]));
  return {
    headers: joined,
    rawHeaders: headers.flat(),
    headersDistinct: distinct,
  } as unknown as IncomingMessage;
}

/** Allows `impersonate` on "resource[/subresource]:[namespace/]name" entries; records checks. */
function authorizer(allowed: string[]) {
  const checks: string[] = [];
  const a: Authorizer = {
    async authorize(_user: UserInfo, info: RequestInfo) {
      const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
      const key = `${info.group}|${resource}:${info.namespace ? `${info.namespace}/` : ""}${info.name}`;
      checks.push(`${info.verb} ${key}`);
      return allowed.includes(key) ? { allowed: true } : { allowed: false, reason: "" };
    },
  };
  return { a, checks };
}

const admin: UserInfo = { username: "admin", groups: ["system:masters", "system:authenticated"] };
const bob: UserInfo = { username: "bob", groups: ["system:authenticated"] };

describe("impersonation", () => {
  it("passes a request without impersonation headers through, asking nothing", async () => {
    const { a, checks } = authorizer([]);
    const req = request([["Accept", "application/json"]]);
    assert.equal(await impersonatedUser(req, bob, a), bob);
    assert.deepEqual(checks, []);
  });

  it("runs as the user, groups, uid and extras asked for, each authorized", async () => {
    const { a, checks } = authorizer([
      "|users:jane",
      "|groups:devs",
      "|groups:ops",
      "authentication.k8s.io|uids:42",
      "authentication.k8s.io|userextras/scopes.example.com/team:blue",
    ]);
    const req = request([
      ["Impersonate-User", "jane"],
      ["Impersonate-Group", "devs"],
      ["Impersonate-Group", "ops"],
      ["Impersonate-Uid", "42"],
      ["Impersonate-Extra-Scopes.example.com%2fteam", "blue"],
    ]);
    assert.deepEqual(await impersonatedUser(req, admin, a), {
      username: "jane",
      uid: "42",
      groups: ["devs", "ops", "system:authenticated"],
      extra: { "scopes.example.com/team": ["blue"] },
    });
    assert.equal(checks.length, 5);
    assert.ok(checks.every((c) => c.startsWith("impersonate ")));
  });

  it("gives a service account its groups, checked in its namespace", async () => {
    const { a, checks } = authorizer(["|serviceaccounts:ci/builder"]);
    const req = request([["Impersonate-User", "system:serviceaccount:ci:builder"]]);
    assert.deepEqual(await impersonatedUser(req, admin, a), {
      username: "system:serviceaccount:ci:builder",
      groups: ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"],
    });
    assert.deepEqual(checks, ["impersonate |serviceaccounts:ci/builder"]);
  });

  it("adds system:authenticated unless asked for it or for system:unauthenticated", async () => {
    const { a } = authorizer([
      "|users:jane",
      "|users:system:anonymous",
      "|groups:system:unauthenticated",
    ]);
    const as = (headers: [string, string][]) => impersonatedUser(request(headers), admin, a);
    assert.deepEqual((await as([["Impersonate-User", "jane"]])).groups, ["system:authenticated"]);
    assert.deepEqual(
      (
        await as([
          ["Impersonate-User", "jane"],
          ["Impersonate-Group", "system:unauthenticated"],
        ])
      ).groups,
      ["system:unauthenticated"],
    );
    assert.deepEqual((await as([["Impersonate-User", "system:anonymous"]])).groups, [
      "system:unauthenticated",
    ]);
  });

  it("refuses, in upstream's words, a part the requester may not impersonate", async () => {
    const { a } = authorizer(["|users:jane"]);
    const req = request([
      ["Impersonate-User", "jane"],
      ["Impersonate-Group", "system:masters"],
    ]);
    await assert.rejects(impersonatedUser(req, bob, a), (err) => {
      assert.ok(isStatusError(err, "Forbidden"));
      assert.equal(
        err.message,
        'groups "system:masters" is forbidden: User "bob" cannot impersonate resource "groups" in API group "" at the cluster scope',
      );
      return true;
    });
    const sa = request([["Impersonate-User", "system:serviceaccount:kube-system:admin"]]);
    await assert.rejects(impersonatedUser(sa, bob, a), /in the namespace "kube-system"/);
  });

  it("refuses groups, uids or extras without a user", async () => {
    const { a, checks } = authorizer(["|groups:devs"]);
    await assert.rejects(
      impersonatedUser(request([["Impersonate-Group", "devs"]]), admin, a),
      (err) =>
        isStatusError(err, "InternalError") && /without impersonating a user/.test(err.message),
    );
    assert.deepEqual(checks, [], "nothing is authorized for a malformed request");
  });
});
