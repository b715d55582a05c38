import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeKubernetesProtobuf } from "./decode.ts";
import { encodeKubernetesObject, type ProtoObject } from "./testing.ts";

/** Decodes a Go-marshalled body and compares the JSON text, so key order counts too. */
function assertDecodes(apiVersion: string, kind: string, proto: ProtoObject, json: object): void {
  const decoded = decodeKubernetesProtobuf(encodeKubernetesObject(apiVersion, kind, proto));
  assert.equal(decoded.apiVersion, apiVersion);
  assert.equal(decoded.kind, kind);
  assert.equal(JSON.stringify(decoded.object), JSON.stringify(json));
}

const zeroTime = {};
const meta = (name: string, extra: ProtoObject = {}): ProtoObject => ({
  name,
  creationTimestamp: zeroTime,
  ...extra,
});

describe("decodeKubernetesProtobuf: objects kubectl create sends", () => {
  it("decodes a Deployment as `kubectl create deployment -o json` prints it", () => {
    const labels = { app: "web" };
    const template = {
      metadata: meta("", { labels }),
      spec: { containers: [{ name: "nginx", image: "nginx:1.27", resources: {} }] },
    };
    assertDecodes(
      "apps/v1",
      "Deployment",
      {
        metadata: meta("web", { labels }),
        spec: { replicas: 3, selector: { matchLabels: labels }, template, strategy: {} },
        status: {},
      },
      {
        kind: "Deployment",
        apiVersion: "apps/v1",
        metadata: { name: "web", labels },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: "nginx", image: "nginx:1.27", resources: {} }] },
          },
          strategy: {},
        },
        status: {},
      },
    );
  });

  it("keeps zero in pointer fields (replicas: 0) and drops it elsewhere (minReadySeconds)", () => {
    const decoded = decodeKubernetesProtobuf(
      encodeKubernetesObject("apps/v1", "Deployment", {
        metadata: meta("idle"),
        spec: { replicas: 0, minReadySeconds: 0, paused: false, template: {}, strategy: {} },
        status: {},
      }),
    );
    assert.deepEqual(decoded.object.spec, { replicas: 0, template: {}, strategy: {} });
  });

  it("decodes a Secret: bytes map values as base64, immutable: false kept", () => {
    assertDecodes(
      "v1",
      "Secret",
      {
        metadata: meta("creds", { namespace: "default" }),
        data: { "tls.key": Uint8Array.of(0, 1, 2, 0xff), empty: new Uint8Array() },
        type: "Opaque",
        immutable: false,
      },
      {
        kind: "Secret",
        apiVersion: "v1",
        metadata: { name: "creds", namespace: "default" },
        immutable: false,
        data: { empty: "", "tls.key": "AAEC/w==" },
        type: "Opaque",
      },
    );
  });

  it("decodes a ConfigMap with map keys sorted as Go's encoder sorts them", () => {
    assertDecodes(
      "v1",
      "ConfigMap",
      {
        metadata: meta("settings", { annotations: { z: "1", a: "2" } }),
        data: { "b.conf": "two", "a.conf": "one", A: "upper" },
        binaryData: { "logo.png": Uint8Array.of(0x89, 0x50) },
      },
      {
        kind: "ConfigMap",
        apiVersion: "v1",
        metadata: { name: "settings", annotations: { a: "2", z: "1" } },
        data: { A: "upper", "a.conf": "one", "b.conf": "two" },
        binaryData: { "logo.png": "iVA=" },
      },
    );
  });

  it("decodes a Namespace with its empty spec and status", () => {
    assertDecodes(
      "v1",
      "Namespace",
      { metadata: meta("team-a"), spec: {}, status: {} },
      { kind: "Namespace", apiVersion: "v1", metadata: { name: "team-a" }, spec: {}, status: {} },
    );
  });

  it("decodes a Service: targetPort as a number or a name", () => {
    const port = (name: string, p: number, targetPort: ProtoObject) => ({
      name,
      protocol: "TCP",
      port: p,
      targetPort,
    });
    assertDecodes(
      "v1",
      "Service",
      {
        metadata: meta("web", { labels: { app: "web" } }),
        spec: {
          ports: [
            port("80-8080", 80, { type: 0, intVal: 8080, strVal: "" }),
            port("https", 443, { type: 1, intVal: 0, strVal: "https" }),
          ],
          selector: { app: "web" },
          type: "ClusterIP",
        },
        status: { loadBalancer: {} },
      },
      {
        kind: "Service",
        apiVersion: "v1",
        metadata: { name: "web", labels: { app: "web" } },
        spec: {
          ports: [
            { name: "80-8080", protocol: "TCP", port: 80, targetPort: 8080 },
            { name: "https", protocol: "TCP", port: 443, targetPort: "https" },
          ],
          selector: { app: "web" },
          type: "ClusterIP",
        },
        status: { loadBalancer: {} },
      },
    );
  });

  it("decodes a CronJob: pointer zeros (suspend, history limits) survive", () => {
    assertDecodes(
      "batch/v1",
      "CronJob",
      {
        metadata: meta("nightly"),
        spec: {
          schedule: "0 3 * * *",
          suspend: false,
          jobTemplate: {
            metadata: meta("nightly"),
            spec: {
              template: {
                metadata: meta(""),
                spec: {
                  containers: [{ name: "job", image: "busybox", command: ["date"], resources: {} }],
                  restartPolicy: "OnFailure",
                },
              },
            },
          },
          successfulJobsHistoryLimit: 0,
        },
        status: {},
      },
      {
        kind: "CronJob",
        apiVersion: "batch/v1",
        metadata: { name: "nightly" },
        spec: {
          schedule: "0 3 * * *",
          suspend: false,
          jobTemplate: {
            metadata: { name: "nightly" },
            spec: {
              template: {
                metadata: {},
                spec: {
                  containers: [{ name: "job", image: "busybox", command: ["date"], resources: {} }],
                  restartPolicy: "OnFailure",
                },
              },
            },
          },
          successfulJobsHistoryLimit: 0,
        },
        status: {},
      },
    );
  });

  it("decodes a Pod: quantities, deletion timestamp, inlined volume source and probe handler", () => {
    const decoded = decodeKubernetesProtobuf(
      encodeKubernetesObject("v1", "Pod", {
        metadata: meta("app-0", {
          namespace: "prod",
          deletionTimestamp: { seconds: 1704164645, nanos: 0 },
          deletionGracePeriodSeconds: 0,
        }),
        spec: {
          volumes: [
            { name: "cfg", volumeSource: { configMap: { localObjectReference: { name: "cfg" } } } },
          ],
          containers: [
            {
              name: "app",
              image: "app:1",
              resources: {
                requests: { cpu: { string: "100m" }, memory: { string: "128Mi" } },
                limits: { memory: { string: "1Gi" } },
              },
              env: [
                {
                  name: "TOKEN",
                  valueFrom: {
                    secretKeyRef: {
                      localObjectReference: { name: "s" },
                      key: "t",
                      optional: false,
                    },
                  },
                },
              ],
              readinessProbe: {
                handler: { httpGet: { path: "/ready", port: { type: 1, strVal: "http" } } },
                periodSeconds: 5,
              },
            },
          ],
          terminationGracePeriodSeconds: 0,
          automountServiceAccountToken: false,
        },
        status: {},
      }),
    );
    assert.deepEqual(decoded.object.metadata, {
      name: "app-0",
      namespace: "prod",
      deletionTimestamp: "2024-01-02T03:04:05Z",
      deletionGracePeriodSeconds: 0,
    });
    assert.deepEqual(decoded.object.spec, {
      volumes: [{ name: "cfg", configMap: { name: "cfg" } }],
      containers: [
        {
          name: "app",
          image: "app:1",
          env: [
            {
              name: "TOKEN",
              valueFrom: { secretKeyRef: { name: "s", key: "t", optional: false } },
            },
          ],
          resources: { limits: { memory: "1Gi" }, requests: { cpu: "100m", memory: "128Mi" } },
          readinessProbe: { httpGet: { path: "/ready", port: "http" }, periodSeconds: 5 },
        },
      ],
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
    });
  });

  it("decodes an rbac Role, keeping the empty core group in apiGroups", () => {
    assertDecodes(
      "rbac.authorization.k8s.io/v1",
      "Role",
      {
        metadata: meta("reader", { namespace: "dev" }),
        rules: [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }],
      },
      {
        kind: "Role",
        apiVersion: "rbac.authorization.k8s.io/v1",
        metadata: { name: "reader", namespace: "dev" },
        rules: [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }],
      },
    );
  });
});
