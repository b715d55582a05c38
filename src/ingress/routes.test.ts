import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HTTPIngressPath, Ingress, IngressRule } from "../api/generated/types.ts";
import { isOurIngress, ourClasses } from "./ingress-class.ts";
import { buildRouteTable, matchRoute, requestHost } from "./routes.ts";

const path = (p: string, service: string, pathType: HTTPIngressPath["pathType"] = "Prefix") => ({
  path: p,
  pathType,
  backend: { service: { name: service, port: { number: 80 } } },
});

function ingress(
  name: string,
  rules: IngressRule[],
  extra: Partial<Ingress["spec"]> = {},
  created = 0,
): Ingress {
  return {
    metadata: {
      name,
      namespace: "default",
      creationTimestamp: new Date(Date.UTC(2026, 0, 1) + created * 1000).toISOString(),
    },
    spec: { rules, ...extra },
  };
}

const route = (ings: Ingress[], host: string, p: string) =>
  matchRoute(buildRouteTable(ings), host, p)?.service ?? "404";

describe("ingress routes", () => {
  it("matches Prefix by whole path elements and Exact exactly (upstream's examples)", () => {
    const cases: Array<[string, HTTPIngressPath["pathType"], string, boolean]> = [
      ["/", "Prefix", "/anything/at/all", true],
      ["/foo", "Exact", "/foo", true],
      ["/foo", "Exact", "/bar", false],
      ["/foo", "Exact", "/foo/", false],
      ["/foo/", "Exact", "/foo", false],
      ["/foo", "Prefix", "/foo", true],
      ["/foo", "Prefix", "/foo/", true],
      ["/foo/", "Prefix", "/foo", true],
      ["/aaa/bb", "Prefix", "/aaa/bbb", false],
      ["/aaa/bbb", "Prefix", "/aaa/bbb/ccc", true],
      ["/aaa/bbb", "Prefix", "/aaa/bbbxyz", false],
      ["/foo", "ImplementationSpecific", "/foo/bar", true],
    ];
    for (const [p, type, req, want] of cases) {
      const got = route([ingress("a", [{ http: { paths: [path(p, "svc", type)] } }])], "x", req);
      assert.equal(got === "svc", want, `${type} ${p} vs ${req}`);
    }
  });

  it("prefers the longest path, then Exact over Prefix", () => {
    const ing = ingress("a", [
      {
        http: {
          paths: [
            path("/", "root"),
            path("/aaa", "prefix"),
            path("/aaa", "exact", "Exact"),
            path("/aaa/b", "deeper"),
          ],
        },
      },
    ]);
    assert.equal(route([ing], "x", "/aaa"), "exact");
    assert.equal(route([ing], "x", "/aaa/c"), "prefix");
    assert.equal(route([ing], "x", "/aaa/b/c"), "deeper");
    assert.equal(route([ing], "x", "/zzz"), "root");
  });

  it("prefers an exact host, then a one-label wildcard, then rules without host", () => {
    const ings = [
      ingress("any", [{ http: { paths: [path("/", "any")] } }]),
      ingress("wild", [{ host: "*.example.com", http: { paths: [path("/", "wild")] } }]),
      ingress("exact", [{ host: "foo.example.com", http: { paths: [path("/api", "exact")] } }]),
    ];
    assert.equal(route(ings, "foo.example.com", "/api/v1"), "exact");
    assert.equal(route(ings, "foo.example.com", "/web"), "wild", "falls through to the wildcard");
    assert.equal(route(ings, "bar.example.com", "/"), "wild");
    assert.equal(route(ings, "a.bar.example.com", "/"), "any", "wildcards match one label");
    assert.equal(route(ings, "example.com", "/"), "any");
    assert.equal(route(ings.slice(1), "other.org", "/"), "404");
  });

  it("uses the oldest Ingress on conflicts and for the default backend", () => {
    const older = ingress(
      "older",
      [{ host: "h", http: { paths: [path("/", "old")] } }],
      {
        defaultBackend: { service: { name: "def-old", port: { number: 80 } } },
      },
      1,
    );
    const newer = ingress(
      "newer",
      [{ host: "h", http: { paths: [path("/", "new")] } }],
      {
        defaultBackend: { service: { name: "def-new", port: { number: 80 } } },
      },
      2,
    );
    assert.equal(route([newer, older], "h", "/"), "old");
    assert.equal(route([newer, older], "nope", "/"), "def-old");
  });

  it("reads the Host header", () => {
    assert.equal(requestHost("Foo.Example.com:8443"), "foo.example.com");
    assert.equal(requestHost("[::1]:80"), "[::1]");
    assert.equal(requestHost("example.com."), "example.com");
    assert.equal(requestHost(undefined), "");
  });

  it("serves Ingresses of class bosun, and class-less ones while bosun is the default", () => {
    const bosun = {
      metadata: {
        name: "bosun",
        annotations: { "ingressclass.kubernetes.io/is-default-class": "true" },
      },
      spec: { controller: "bosun.dev/ingress" },
    };
    const other = { metadata: { name: "nginx" }, spec: { controller: "k8s.io/ingress-nginx" } };
    const classes = ourClasses([bosun, other]);
    const withClass = (name?: string): Ingress => ({
      spec: name ? { ingressClassName: name } : {},
    });
    assert.equal(isOurIngress(withClass("bosun"), classes), true);
    assert.equal(isOurIngress(withClass("nginx"), classes), false);
    assert.equal(isOurIngress(withClass(), classes), true);
    assert.equal(
      isOurIngress(withClass(), ourClasses([{ ...bosun, metadata: { name: "bosun" } }])),
      false,
    );
    assert.equal(
      isOurIngress(
        { metadata: { annotations: { "kubernetes.io/ingress.class": "bosun" } } },
        classes,
      ),
      true,
    );
  });
});
