import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRequestInfo } from "./request-info.ts";

const info = (method: string, path: string, query = "") =>
  parseRequestInfo(method, path, new URLSearchParams(query));

describe("parseRequestInfo", () => {
  it("reads group, version, namespace, resource, name and subresource", () => {
    const r = info("PUT", "/apis/apps/v1/namespaces/prod/deployments/web/scale");
    assert.equal(r.isResourceRequest, true);
    assert.deepEqual(
      [r.verb, r.apiPrefix, r.group, r.version, r.namespace, r.resource, r.name, r.subresource],
      ["update", "apis", "apps", "v1", "prod", "deployments", "web", "scale"],
    );
    const pods = info("GET", "/api/v1/pods");
    assert.deepEqual(
      [pods.verb, pods.group, pods.namespace, pods.resource],
      ["list", "", "", "pods"],
    );
  });

  it("takes trailing slashes off and decodes escaped segments", () => {
    const r = info("GET", "/api/v1/namespaces/default/configmaps/a%3Ab//");
    assert.equal(r.path, "/api/v1/namespaces/default/configmaps/a%3Ab");
    assert.equal(r.name, "a:b");
    assert.equal(info("GET", "/").path, "/");
  });

  it("addresses the namespace object and its subresources as cluster-scoped", () => {
    const ns = info("GET", "/api/v1/namespaces/kube-system");
    assert.deepEqual([ns.namespace, ns.resource, ns.name], ["", "namespaces", "kube-system"]);
    const fin = info("PUT", "/api/v1/namespaces/gone/finalize");
    assert.deepEqual([fin.resource, fin.name, fin.subresource], ["namespaces", "gone", "finalize"]);
  });

  it("names the object a list or watch selects by metadata.name, and keeps selectors", () => {
    const w = info(
      "GET",
      "/api/v1/namespaces/a/pods",
      "watch=true&fieldSelector=metadata.name%3Dp1&labelSelector=app%3Dx",
    );
    assert.deepEqual(
      [w.verb, w.name, w.fieldSelector, w.labelSelector],
      ["watch", "p1", "metadata.name=p1", "app=x"],
    );
    const l = info("GET", "/api/v1/pods", "fieldSelector=spec.nodeName%3Dn1");
    assert.deepEqual(
      [l.verb, l.name, l.fieldSelector, l.labelSelector],
      ["list", "", "spec.nodeName=n1", undefined],
    );
  });

  it("leaves non-resource paths alone", () => {
    for (const p of ["/healthz", "/version", "/apis/apps", "/api/v1"]) {
      assert.equal(info("GET", p).isResourceRequest, false, p);
    }
  });
});
