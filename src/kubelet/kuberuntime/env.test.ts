/**
 * Container environments as upstream builds them: $(VAR) expansion, service variables, envFrom
 * prefixes and invalid keys, key references with optional objects, downward API values.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Container } from "../../api/generated/types.ts";
import { ContainerConfigError, makeEnvironmentVariables, serviceEnv } from "./env.ts";
import { expand } from "./expansion.ts";
import { formatMap, resourceFieldValue } from "./field-ref.ts";
import { FakePodObjects, testPod } from "./testing.ts";

describe("expand", () => {
  const vars: Record<string, string> = { A: "a", B: "b" };
  const lookup = (n: string) => vars[n];
  for (const [input, want] of [
    ["$(A)-$(B)", "a-b"],
    ["$(C)", "$(C)"],
    ["$$(A)", "$(A)"],
    ["$A", "$A"],
    ["$(A", "$(A"],
    ["x$", "x$"],
    ["$($(A))", "$($(A))"],
    ["$$$(A)", "$a"],
  ] as const) {
    it(`${input} → ${want}`, () => assert.equal(expand(input, lookup), want));
  }
});

describe("serviceEnv", () => {
  it("writes the docker-links variables of a service", () => {
    const env = serviceEnv([
      {
        metadata: { name: "my-svc" },
        spec: { clusterIP: "10.96.0.20", ports: [{ name: "http", port: 80, protocol: "TCP" }] },
      },
      { metadata: { name: "headless" }, spec: { clusterIP: "None", ports: [{ port: 1 }] } },
    ]);
    assert.deepEqual(Object.fromEntries(env), {
      MY_SVC_SERVICE_HOST: "10.96.0.20",
      MY_SVC_SERVICE_PORT: "80",
      MY_SVC_SERVICE_PORT_HTTP: "80",
      MY_SVC_PORT: "tcp://10.96.0.20:80",
      MY_SVC_PORT_80_TCP: "tcp://10.96.0.20:80",
      MY_SVC_PORT_80_TCP_PROTO: "tcp",
      MY_SVC_PORT_80_TCP_PORT: "80",
      MY_SVC_PORT_80_TCP_ADDR: "10.96.0.20",
    });
  });
});

describe("makeEnvironmentVariables", () => {
  const objects = new FakePodObjects();
  objects.configMaps.set("default/cfg", { data: { color: "blue", "bad key": "x" } });
  objects.secrets.set("default/sec", { data: { pw: Buffer.from("s3cret").toString("base64") } });
  objects.serviceList.push({
    metadata: { name: "kubernetes", namespace: "default" },
    spec: { clusterIP: "10.96.0.1", ports: [{ name: "https", port: 443 }] },
  });
  const env = (container: Partial<Container>, spec = {}) => {
    const c = { name: "app", image: "busybox", ...container } as Container;
    return makeEnvironmentVariables({
      pod: testPod({ containers: [c], ...spec }),
      container: c,
      objects,
      ips: { podIP: "10.244.0.9", hostIP: "192.168.1.10" },
      allocatable: { cpu: "2", memory: "4Gi" },
    }).then((kv) => Object.fromEntries(kv.map((e) => [e.key, e.value])));
  };

  it("resolves every kind of source, expanding $(VAR) against earlier ones", async () => {
    const got = await env({
      envFrom: [{ prefix: "CFG_", configMapRef: { name: "cfg" } }],
      env: [
        { name: "COLOR", valueFrom: { configMapKeyRef: { name: "cfg", key: "color" } } },
        { name: "PW", valueFrom: { secretKeyRef: { name: "sec", key: "pw" } } },
        { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
        {
          name: "MEM",
          valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } },
        },
        { name: "BOTH", value: "$(COLOR)/$(POD)/$(NOPE)" },
        {
          name: "OPT",
          valueFrom: { configMapKeyRef: { name: "absent", key: "k", optional: true } },
        },
      ],
    });
    assert.equal(got.CFG_color, "blue");
    assert.equal(got["CFG_bad key"], undefined, "keys that are not C identifiers are skipped");
    assert.equal(got.COLOR, "blue");
    assert.equal(got.PW, "s3cret");
    assert.equal(got.POD, "web");
    assert.equal(got.IP, "10.244.0.9");
    assert.equal(got.MEM, "4096", "no limit: node allocatable");
    assert.equal(got.BOTH, "blue/web/$(NOPE)");
    assert.equal("OPT" in got, false);
    assert.equal(got.KUBERNETES_SERVICE_HOST, "10.96.0.1");
    assert.equal(got.KUBERNETES_SERVICE_PORT, "443");
  });

  it("fails with upstream's messages for missing objects and keys", async () => {
    await assert.rejects(
      env({ env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "cfg", key: "nope" } } }] }),
      new ContainerConfigError("couldn't find key nope in ConfigMap default/cfg"),
    );
    await assert.rejects(
      env({ env: [{ name: "X", valueFrom: { secretKeyRef: { name: "gone", key: "k" } } }] }),
      new ContainerConfigError('secret "gone" not found'),
    );
    await assert.rejects(
      env({ envFrom: [{ configMapRef: { name: "gone" } }] }),
      new ContainerConfigError('configmap "gone" not found'),
    );
  });
});

describe("downward API values", () => {
  it("formats label maps as upstream", () => {
    assert.equal(formatMap({ b: 'x"y', a: "1" }), 'a="1"\nb="x\\"y"');
  });
  it("rounds cpu up to the divisor", () => {
    const pod = testPod({
      containers: [
        {
          name: "app",
          image: "x",
          resources: { requests: { cpu: "250m" }, limits: { cpu: "1500m" } },
        },
      ],
    });
    const v = (resource: string, divisor?: string) =>
      resourceFieldValue(
        pod,
        { containerName: "app", resource, ...(divisor ? { divisor } : {}) },
        {},
      );
    assert.equal(v("limits.cpu"), "2");
    assert.equal(v("requests.cpu", "1m"), "250");
    assert.equal(v("requests.cpu"), "1");
  });
});
