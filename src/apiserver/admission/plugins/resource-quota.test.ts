import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../../api/object.ts";
import { StatusError } from "../../../machinery/status.ts";
import { StaticReader } from "./reader.ts";
import { resourceQuotaAdmission } from "./resource-quota.ts";
import { attrs, podsDef, pvcsDef, resourceDef } from "./testing.ts";

const quota = (name: string, spec: unknown): KubeObject => ({
  metadata: { name, namespace: "ns" },
  spec,
});
const pod = (
  name: string,
  resources?: unknown,
  extra: Record<string, unknown> = {},
): KubeObject => ({
  metadata: { name, namespace: "ns" },
  spec: { containers: [{ name: "c", ...(resources ? { resources } : {}) }], ...extra },
});

async function forbidden(p: Promise<void> | undefined, message: string) {
  await assert.rejects(p ?? Promise.resolve(), (err: unknown) => {
    assert.ok(err instanceof StatusError);
    assert.equal(err.reason, "Forbidden");
    assert.equal(err.message, message);
    return true;
  });
}

describe("ResourceQuota admission", () => {
  it("counts pods and refuses the one past the limit", async () => {
    const reader = new StaticReader()
      .add("", "resourcequotas", quota("compute", { hard: { pods: "2" } }))
      .add("", "pods", pod("a"), pod("b"));
    await forbidden(
      resourceQuotaAdmission({ reader }).validate?.(attrs({ resource: podsDef, object: pod("c") })),
      'pods "c" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2',
    );
  });

  it("does not count terminal pods against pods, but does against count/pods", async () => {
    const done = { ...pod("done"), status: { phase: "Succeeded" } };
    const reader = new StaticReader()
      .add("", "resourcequotas", quota("q", { hard: { pods: "1" } }))
      .add("", "pods", done);
    await resourceQuotaAdmission({ reader }).validate?.(
      attrs({ resource: podsDef, object: pod("c") }),
    );
    const counted = new StaticReader()
      .add("", "resourcequotas", quota("q", { hard: { "count/pods": "1" } }))
      .add("", "pods", done);
    await forbidden(
      resourceQuotaAdmission({ reader: counted }).validate?.(
        attrs({ resource: podsDef, object: pod("c") }),
      ),
      'pods "c" is forbidden: exceeded quota: q, requested: count/pods=1, used: count/pods=1, limited: count/pods=1',
    );
  });

  it("sums cpu requests and requires pods to state tracked resources", async () => {
    const reader = new StaticReader()
      .add(
        "",
        "resourcequotas",
        quota("cpu", { hard: { "requests.cpu": "1", "limits.memory": "1Gi" } }),
      )
      .add("", "pods", pod("a", { requests: { cpu: "600m" }, limits: { memory: "100Mi" } }));
    const plugin = resourceQuotaAdmission({ reader });
    await forbidden(
      plugin.validate?.(
        attrs({ resource: podsDef, object: pod("b", { requests: { cpu: "500m" } }) }),
      ),
      'pods "b" is forbidden: failed quota: cpu: must specify limits.memory for: c',
    );
    await forbidden(
      plugin.validate?.(
        attrs({
          resource: podsDef,
          object: pod("b", { requests: { cpu: "500m" }, limits: { memory: "1Gi" } }),
        }),
      ),
      'pods "b" is forbidden: exceeded quota: cpu, requested: limits.memory=1Gi,requests.cpu=500m, used: limits.memory=100Mi,requests.cpu=600m, limited: limits.memory=1Gi,requests.cpu=1',
    );
  });

  it("applies scoped quotas only to pods in scope", async () => {
    const reader = new StaticReader().add(
      "",
      "resourcequotas",
      quota("be", { hard: { pods: "0" }, scopes: ["BestEffort"] }),
    );
    const plugin = resourceQuotaAdmission({ reader });
    await plugin.validate?.(
      attrs({ resource: podsDef, object: pod("b", { requests: { cpu: "1" } }) }),
    );
    await forbidden(
      plugin.validate?.(attrs({ resource: podsDef, object: pod("e") })),
      'pods "e" is forbidden: exceeded quota: be, requested: pods=1, used: pods=0, limited: pods=0',
    );
    const pc = new StaticReader().add(
      "",
      "resourcequotas",
      quota("gold", {
        hard: { pods: "0" },
        scopeSelector: {
          matchExpressions: [{ scopeName: "PriorityClass", operator: "In", values: ["gold"] }],
        },
      }),
    );
    await resourceQuotaAdmission({ reader: pc }).validate?.(
      attrs({ resource: podsDef, object: pod("p") }),
    );
    await forbidden(
      resourceQuotaAdmission({ reader: pc }).validate?.(
        attrs({ resource: podsDef, object: pod("p", undefined, { priorityClassName: "gold" }) }),
      ),
      'pods "p" is forbidden: exceeded quota: gold, requested: pods=1, used: pods=0, limited: pods=0',
    );
  });

  it("charges PVC storage, also per storage class", async () => {
    const pvc = (name: string, size: string): KubeObject => ({
      metadata: { name, namespace: "ns" },
      spec: { storageClassName: "gold", resources: { requests: { storage: size } } },
    });
    const reader = new StaticReader()
      .add(
        "",
        "resourcequotas",
        quota("storage", { hard: { "gold.storageclass.storage.k8s.io/requests.storage": "10Gi" } }),
      )
      .add("", "persistentvolumeclaims", pvc("a", "8Gi"));
    await forbidden(
      resourceQuotaAdmission({ reader }).validate?.(
        attrs({ resource: pvcsDef, object: pvc("b", "4Gi") }),
      ),
      'persistentvolumeclaims "b" is forbidden: exceeded quota: storage, requested: gold.storageclass.storage.k8s.io/requests.storage=4Gi, used: gold.storageclass.storage.k8s.io/requests.storage=8Gi, limited: gold.storageclass.storage.k8s.io/requests.storage=10Gi',
    );
  });

  it("counts services, configmaps and count/<resource>.<group> objects", async () => {
    const reader = new StaticReader()
      .add(
        "",
        "resourcequotas",
        quota("objects", {
          hard: { "services.loadbalancers": "0", configmaps: "1", "count/deployments.apps": "1" },
        }),
      )
      .add("", "configmaps", { metadata: { name: "one", namespace: "ns" } })
      .add("apps", "deployments", { metadata: { name: "d1", namespace: "ns" } });
    const plugin = resourceQuotaAdmission({ reader });
    await plugin.validate?.(
      attrs({
        resource: resourceDef("", "services", "Service"),
        object: { metadata: { name: "s" }, spec: { type: "ClusterIP" } },
      }),
    );
    await forbidden(
      plugin.validate?.(
        attrs({
          resource: resourceDef("", "services", "Service"),
          object: {
            metadata: { name: "lb" },
            spec: { type: "LoadBalancer", ports: [{ port: 80 }] },
          },
        }),
      ),
      'services "lb" is forbidden: exceeded quota: objects, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0',
    );
    await forbidden(
      plugin.validate?.(
        attrs({
          resource: resourceDef("", "configmaps", "ConfigMap"),
          object: { metadata: { name: "two" } },
        }),
      ),
      'configmaps "two" is forbidden: exceeded quota: objects, requested: configmaps=1, used: configmaps=1, limited: configmaps=1',
    );
    await forbidden(
      plugin.validate?.(
        attrs({
          resource: resourceDef("apps", "deployments", "Deployment"),
          object: { metadata: { name: "d2" } },
        }),
      ),
      'deployments.apps "d2" is forbidden: exceeded quota: objects, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1',
    );
  });

  it("ignores updates and namespaces without quotas", async () => {
    const reader = new StaticReader().add(
      "",
      "resourcequotas",
      quota("q", { hard: { pods: "0" } }),
    );
    await resourceQuotaAdmission({ reader }).validate?.(
      attrs({ resource: podsDef, operation: "UPDATE", object: pod("a") }),
    );
    await resourceQuotaAdmission({ reader }).validate?.(
      attrs({ resource: podsDef, namespace: "other", object: pod("a") }),
    );
  });
});
