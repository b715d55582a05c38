import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Ingress, IngressClass, IngressSpec } from "../../generated/types.ts";
import type { Obj } from "./common.ts";
import { ingressResource } from "./ingress.ts";
import { ingressClassResource } from "./ingress-class.ts";
import {
  created,
  printRow,
  simulateCreate,
  simulateStatusUpdate,
  simulateUpdate,
  t0,
} from "./testing.ts";

const ing = (spec: IngressSpec, annotations?: Record<string, string>): Obj<Ingress> => ({
  metadata: {
    name: "web",
    namespace: "default",
    creationTimestamp: created,
    ...(annotations ? { annotations } : {}),
  },
  spec,
});
const backend = { service: { name: "web", port: { number: 80 } } };
const rule = (host: string) => ({
  host,
  http: { paths: [{ path: "/", pathType: "Prefix" as const, backend }] },
});

describe("Ingress", () => {
  it("accepts rules and TLS and tracks generation", () => {
    const { obj, errors } = simulateCreate(
      ingressResource,
      ing({
        ingressClassName: "nginx",
        rules: [rule("a.example.com"), rule("*.example.com")],
        tls: [{ hosts: ["a.example.com"], secretName: "tls" }],
      }),
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(obj.status, { loadBalancer: {} });
    assert.equal(ingressResource.strategy.tracksGeneration, true);
  });

  it("requires rules or a default backend", () => {
    assert.deepEqual(simulateCreate(ingressResource, ing({})).errors, [
      "spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified",
    ]);
  });

  it("validates paths, path types and backends", () => {
    const { errors } = simulateCreate(
      ingressResource,
      ing({
        rules: [
          {
            host: "10.0.0.1",
            http: {
              paths: [
                { path: "api//v1", pathType: "Exact", backend },
                { path: "/", pathType: "Regex" as "Exact", backend: {} },
                { path: "/", pathType: "Prefix", backend: { service: { name: "Web" } } },
              ],
            },
          },
        ],
      }),
    );
    assert.deepEqual(errors, [
      'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
      'spec.rules[0].http.paths[0].path: Invalid value: "api//v1": must be an absolute path',
      "spec.rules[0].http.paths[0].path: Invalid value: \"api//v1\": must not contain '//'",
      'spec.rules[0].http.paths[1].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
      'spec.rules[0].http.paths[1].backend: Invalid value: "": resource or service backend is required',
      "spec.rules[0].http.paths[2].backend.service.name: Invalid value: \"Web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      "spec.rules[0].http.paths[2].backend: Required value: port name or number is required",
    ]);
  });

  it("requires pathType and matching class annotation on create", () => {
    const { errors } = simulateCreate(
      ingressResource,
      ing(
        {
          ingressClassName: "nginx",
          rules: [{ http: { paths: [{ path: "/", backend } as never] } }],
        },
        { "kubernetes.io/ingress.class": "traefik" },
      ),
    );
    assert.deepEqual(errors, [
      "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified",
      'annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match `ingressClassName` when both are specified',
    ]);
  });

  it("tolerates stored invalid TLS secret names on update", () => {
    const old = ing({ defaultBackend: backend, tls: [{ secretName: "Bad_Name" }] });
    assert.deepEqual(simulateUpdate(ingressResource, old, old).errors, []);
    assert.equal(simulateCreate(ingressResource, old).errors.length, 1);
  });

  it("validates status addresses", () => {
    const old = ing({ defaultBackend: backend });
    const { errors } = simulateStatusUpdate(
      ingressResource,
      { ...old, status: { loadBalancer: { ingress: [{ ip: "bad" }] } } },
      old,
    );
    assert.deepEqual(errors, [
      'status.loadBalancer.ingress[0].ip: Invalid value: "bad": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
  });

  it("prints class, hosts, address and ports", () => {
    const i = ing({
      rules: [
        rule("a.example.com"),
        rule("b.example.com"),
        rule(""),
        rule("c.example.com"),
        rule("d.example.com"),
      ],
      tls: [{}],
    });
    i.status = {
      loadBalancer: {
        ingress: [{ ip: "192.0.2.2" }, { hostname: "lb.example.com" }, { ip: "192.0.2.1" }],
      },
    };
    assert.deepEqual(printRow(ingressResource, i, t0), {
      Name: "web",
      Class: "<none>",
      Hosts: "a.example.com,b.example.com,c.example.com + 2 more...",
      Address: "192.0.2.1,192.0.2.2,lb.example.com",
      Ports: "80, 443",
      Age: "0s",
    });
    assert.equal(printRow(ingressResource, ing({ defaultBackend: backend }), t0).Hosts, "*");
  });
});

describe("IngressClass", () => {
  const ic = (spec: IngressClass["spec"]): Obj<IngressClass> => ({
    metadata: { name: "nginx", creationTimestamp: created },
    ...(spec ? { spec } : {}),
  });

  it("defaults the parameters scope and prints the reference", () => {
    const { obj, errors } = simulateCreate(
      ingressClassResource,
      ic({
        controller: "k8s.io/ingress-nginx",
        parameters: { apiGroup: "k8s.example.com", kind: "Params", name: "p" },
      }),
    );
    assert.deepEqual(errors, []);
    assert.equal(obj.spec?.parameters?.scope, "Cluster");
    assert.deepEqual(printRow(ingressClassResource, obj, t0), {
      Name: "nginx",
      Controller: "k8s.io/ingress-nginx",
      Parameters: "Params.k8s.example.com/p",
      Age: "0s",
    });
  });

  it("requires a domain-prefixed controller that never changes", () => {
    assert.deepEqual(simulateCreate(ingressClassResource, ic({ controller: "nginx" })).errors, [
      'spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")',
    ]);
    const old = ic({ controller: "k8s.io/a" });
    assert.deepEqual(
      simulateUpdate(ingressClassResource, ic({ controller: "k8s.io/b" }), old).errors,
      ['spec.controller: Invalid value: "k8s.io/b": field is immutable'],
    );
  });

  it("checks the namespace against the scope", () => {
    const { errors } = simulateCreate(
      ingressClassResource,
      ic({ controller: "k8s.io/a", parameters: { kind: "P", name: "p", scope: "Namespace" } }),
    );
    assert.deepEqual(errors, [
      "spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'",
    ]);
  });
});
