/**
 * Patches as kubectl and helm 3 send them (computed by their three-way / two-way diff), applied to
 * a live object.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { strategicMergePatch as smp } from "./strategic-merge-patch.ts";
import { deploymentMeta, podMeta } from "./testing/fake-patch-meta.ts";

const deployment = (
  podSpec: Record<string, unknown>,
  annotations: Record<string, string> = {},
) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", annotations, resourceVersion: "7" },
  spec: {
    replicas: 1,
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
    template: { metadata: { labels: { app: "web" } }, spec: podSpec },
  },
});

describe("strategic merge patch: what clients send", () => {
  test("kubectl apply: env A removed, C added, sidecar removed, image changed", () => {
    const live = deployment({
      containers: [
        {
          name: "main",
          image: "nginx:1.26",
          env: [
            { name: "A", value: "1" },
            { name: "B", value: "2" },
          ],
        },
        { name: "sidecar", image: "busybox" },
      ],
    });
    const patch = {
      metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{…}\n" } },
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "main" }],
            containers: [
              {
                name: "main",
                image: "nginx:1.27",
                "$setElementOrder/env": [{ name: "B" }, { name: "C" }],
                env: [
                  { name: "C", value: "3" },
                  { $patch: "delete", name: "A" },
                ],
              },
              { $patch: "delete", name: "sidecar" },
            ],
          },
        },
      },
    };
    const want = deployment(
      {
        containers: [
          {
            name: "main",
            image: "nginx:1.27",
            env: [
              { name: "B", value: "2" },
              { name: "C", value: "3" },
            ],
          },
        ],
      },
      { "kubectl.kubernetes.io/last-applied-configuration": "{…}\n" },
    );
    assert.deepEqual(smp(live, patch, deploymentMeta), want);
  });

  test("kubectl apply: a container added between two keeps the manifest's order", () => {
    const live = deployment({ containers: [{ name: "a" }, { name: "c", image: "server-set" }] });
    const patch = {
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "a" }, { name: "b" }, { name: "c" }],
            containers: [{ name: "b", image: "new" }],
          },
        },
      },
    };
    const out = smp(live, patch, deploymentMeta);
    assert.deepEqual(
      out,
      deployment({
        containers: [
          { name: "a" },
          { name: "b", image: "new" },
          { name: "c", image: "server-set" },
        ],
      }),
    );
  });

  test("kubectl apply: switching the strategy and a volume's source (retainKeys)", () => {
    const live = deployment({
      volumes: [
        { name: "data", configMap: { name: "cm" } },
        { name: "tmp", emptyDir: {} },
      ],
    });
    const patch = {
      spec: {
        strategy: { $retainKeys: ["type"], type: "Recreate", rollingUpdate: null },
        template: {
          spec: {
            "$setElementOrder/volumes": [{ name: "data" }, { name: "tmp" }],
            volumes: [
              { $retainKeys: ["emptyDir", "name"], name: "data", emptyDir: {}, configMap: null },
            ],
          },
        },
      },
    };
    const out = smp(live, patch, deploymentMeta) as ReturnType<typeof deployment>;
    assert.deepEqual(out.spec.strategy, { type: "Recreate" });
    assert.deepEqual(out.spec.template.spec, {
      volumes: [
        { name: "data", emptyDir: {} },
        { name: "tmp", emptyDir: {} },
      ],
    });
  });

  test("kubectl apply: a finalizer removed from the manifest", () => {
    const live = {
      metadata: { name: "p", finalizers: ["example.com/x", "example.com/y", "server.io/z"] },
    };
    const patch = {
      metadata: {
        "$deleteFromPrimitiveList/finalizers": ["example.com/x"],
        "$setElementOrder/finalizers": ["example.com/y"],
      },
    };
    assert.deepEqual(smp(live, patch, podMeta), {
      metadata: { name: "p", finalizers: ["example.com/y", "server.io/z"] },
    });
  });

  test("kubectl edit: replicas, a label, an env var removed", () => {
    const live = deployment({
      containers: [
        {
          name: "web",
          env: [
            { name: "A", value: "1" },
            { name: "B", value: "2" },
          ],
        },
      ],
    });
    const patch = {
      metadata: { labels: { tier: "front" } },
      spec: {
        replicas: 3,
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "web" }],
            containers: [
              {
                name: "web",
                "$setElementOrder/env": [{ name: "A" }],
                env: [{ $patch: "delete", name: "B" }],
              },
            ],
          },
        },
      },
    };
    const out = smp(live, patch, deploymentMeta) as ReturnType<typeof deployment> & {
      metadata: { labels: unknown };
    };
    assert.deepEqual(out.metadata.labels, { tier: "front" });
    assert.equal(out.spec.replicas, 3);
    assert.deepEqual(out.spec.template.spec, {
      containers: [{ name: "web", env: [{ name: "A", value: "1" }] }],
    });
  });

  test("kubectl rollout restart: an annotation on the pod template", () => {
    const live = deployment({ containers: [{ name: "web" }] });
    const at = "2025-06-01T10:00:00Z";
    const patch = {
      spec: {
        template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": at } } },
      },
    };
    const out = smp(live, patch, deploymentMeta) as ReturnType<typeof deployment>;
    assert.deepEqual(out.spec.template.metadata, {
      labels: { app: "web" },
      annotations: { "kubectl.kubernetes.io/restartedAt": at },
    });
    assert.deepEqual(out.spec.template.spec, { containers: [{ name: "web" }] });
  });

  test("kubectl set image: one container by name", () => {
    const live = deployment({
      containers: [
        { name: "web", image: "nginx:1.26" },
        { name: "log", image: "fluent" },
      ],
    });
    const patch = {
      spec: { template: { spec: { containers: [{ image: "nginx:1.27", name: "web" }] } } },
    };
    const out = smp(live, patch, deploymentMeta) as ReturnType<typeof deployment>;
    assert.deepEqual(out.spec.template.spec, {
      containers: [
        { name: "web", image: "nginx:1.27" },
        { name: "log", image: "fluent" },
      ],
    });
  });

  test("helm 3 upgrade: a port removed, args replaced, an env var added", () => {
    const live = deployment({
      containers: [
        {
          name: "app",
          args: ["--old"],
          ports: [{ containerPort: 8080 }, { containerPort: 9090 }],
          env: [{ name: "X", value: "1" }],
        },
      ],
    });
    const patch = {
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "app" }],
            containers: [
              {
                name: "app",
                args: ["--new"],
                "$setElementOrder/ports": [{ containerPort: 8080 }],
                ports: [{ $patch: "delete", containerPort: 9090 }],
                "$setElementOrder/env": [{ name: "X" }, { name: "Y" }],
                env: [{ name: "Y", value: "2" }],
              },
            ],
          },
        },
      },
    };
    const out = smp(live, patch, deploymentMeta) as ReturnType<typeof deployment>;
    assert.deepEqual(out.spec.template.spec, {
      containers: [
        {
          name: "app",
          args: ["--new"],
          ports: [{ containerPort: 8080 }],
          env: [
            { name: "X", value: "1" },
            { name: "Y", value: "2" },
          ],
        },
      ],
    });
  });

  test("kubectl cordon and taint on a Node (no meta: taints are replaced)", () => {
    const node = {
      metadata: { name: "n1" },
      spec: { podCIDR: "10.244.1.0/24", taints: [{ key: "a", effect: "NoSchedule" }] },
    };
    const out = smp(
      node,
      { spec: { unschedulable: true, taints: [{ key: "b", effect: "NoExecute" }] } },
      undefined,
    );
    assert.deepEqual(out, {
      metadata: { name: "n1" },
      spec: {
        podCIDR: "10.244.1.0/24",
        taints: [{ key: "b", effect: "NoExecute" }],
        unschedulable: true,
      },
    });
  });

  test("a resourceVersion precondition is carried into the result for the caller to check", () => {
    const live = deployment({ containers: [] });
    const out = smp(
      live,
      { metadata: { resourceVersion: "6" }, spec: { replicas: 2 } },
      deploymentMeta,
    );
    assert.equal((out.metadata as { resourceVersion: string }).resourceVersion, "6");
  });
});
