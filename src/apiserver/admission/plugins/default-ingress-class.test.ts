import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Ingress } from "../../../api/generated/types.ts";
import type { KubeObject } from "../../../api/object.ts";
import { defaultIngressClassAdmission } from "./default-ingress-class.ts";
import { StaticReader } from "./reader.ts";
import { attrs, resourceDef } from "./testing.ts";

const ingressesDef = resourceDef("networking.k8s.io", "ingresses", "Ingress");
const ic = (name: string, isDefault: boolean, created = "2026-01-01T00:00:00Z"): KubeObject => ({
  metadata: {
    name,
    creationTimestamp: created,
    ...(isDefault
      ? { annotations: { "ingressclass.kubernetes.io/is-default-class": "true" } }
      : {}),
  },
  spec: { controller: `example.com/${name}` },
});
const ingress = (spec: Record<string, unknown> = {}, annotations?: Record<string, string>) =>
  ({
    metadata: { name: "shop", ...(annotations ? { annotations } : {}) },
    spec: { defaultBackend: { service: { name: "web", port: { number: 80 } } }, ...spec },
  }) as KubeObject;
const classOf = (o: KubeObject | undefined) => (o as Ingress).spec?.ingressClassName;

describe("DefaultIngressClass admission", () => {
  const classes = new StaticReader().add(
    "networking.k8s.io",
    "ingressclasses",
    ic("nginx", false),
    ic("bosun", true, "2026-01-01T00:00:00Z"),
    ic("newer", true, "2026-02-01T00:00:00Z"),
  );
  const plugin = defaultIngressClassAdmission({ reader: classes });

  it("stamps the newest default class on an Ingress without one", async () => {
    const a = attrs({ resource: ingressesDef, object: ingress() });
    await plugin.admit?.(a);
    assert.equal(classOf(a.object), "newer");
    assert.deepEqual((a.object as Ingress).spec?.defaultBackend?.service?.name, "web");
  });

  it("breaks a creation-time tie by name", async () => {
    const tie = defaultIngressClassAdmission({
      reader: new StaticReader().add(
        "networking.k8s.io",
        "ingressclasses",
        ic("zeta", true),
        ic("alpha", true),
      ),
    });
    const a = attrs({ resource: ingressesDef, object: ingress() });
    await tie.admit?.(a);
    assert.equal(classOf(a.object), "alpha");
  });

  it("keeps an explicit class and the legacy class annotation", async () => {
    const named = attrs({ resource: ingressesDef, object: ingress({ ingressClassName: "nginx" }) });
    await plugin.admit?.(named);
    assert.equal(classOf(named.object), "nginx");
    const annotated = attrs({
      resource: ingressesDef,
      object: ingress({}, { "kubernetes.io/ingress.class": "nginx" }),
    });
    await plugin.admit?.(annotated);
    assert.equal(classOf(annotated.object), undefined);
  });

  it("does nothing without a default class, on update, on subresources or other kinds", async () => {
    const none = defaultIngressClassAdmission({
      reader: new StaticReader().add("networking.k8s.io", "ingressclasses", ic("nginx", false)),
    });
    const a = attrs({ resource: ingressesDef, object: ingress() });
    await none.admit?.(a);
    assert.equal(classOf(a.object), undefined);
    for (const input of [
      { operation: "UPDATE" as const, resource: ingressesDef },
      { resource: ingressesDef, subresource: "status" },
      { resource: resourceDef("extensions", "ingresses", "Ingress") },
    ]) {
      const b = attrs({ ...input, object: ingress() });
      await plugin.admit?.(b);
      assert.equal(classOf(b.object), undefined, JSON.stringify(input));
    }
  });
});
