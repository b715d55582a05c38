import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fieldErrorMessage } from "../../../machinery/field-errors.ts";
import type { Pod } from "../../generated/types.ts";
import type { Obj } from "./common.ts";
import { podResource } from "./pod.ts";
import { createLike, updateLike, validateCreate, validateUpdate } from "./testing.ts";

type PodObj = Obj<Pod>;

const pod = (spec: Partial<NonNullable<Pod["spec"]>> = {}): PodObj => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "default" },
  spec: { containers: [{ name: "app", image: "nginx" }], ...spec },
});

describe("Pod defaults", () => {
  it("fills spec and container defaults", () => {
    const p = createLike(podResource, pod());
    const spec = p.spec!;
    assert.equal(spec.restartPolicy, "Always");
    assert.equal(spec.dnsPolicy, "ClusterFirst");
    assert.equal(spec.terminationGracePeriodSeconds, 30);
    assert.equal(spec.schedulerName, "default-scheduler");
    assert.deepEqual(spec.securityContext, {});
    assert.equal(spec.enableServiceLinks, true);
    const c = spec.containers[0]!;
    assert.equal(c.imagePullPolicy, "Always");
    assert.equal(c.terminationMessagePath, "/dev/termination-log");
    assert.equal(c.terminationMessagePolicy, "File");
    assert.deepEqual(p.status, { phase: "Pending", qosClass: "BestEffort" });
  });

  it("chooses the pull policy from the tag", () => {
    const images: [string, string][] = [
      ["nginx:1.25", "IfNotPresent"],
      ["nginx:latest", "Always"],
      ["localhost:5000/app", "Always"],
      ["localhost:5000/app:v1", "IfNotPresent"],
      ["nginx@sha256:abc", "IfNotPresent"],
    ];
    for (const [image, policy] of images) {
      const p = createLike(podResource, pod({ containers: [{ name: "a", image }] }));
      assert.equal(p.spec!.containers[0]!.imagePullPolicy, policy, image);
    }
  });

  it("defaults ports, probes, volumes and copies limits into requests", () => {
    const p = createLike(
      podResource,
      pod({
        containers: [
          {
            name: "a",
            image: "a:1",
            ports: [{ containerPort: 80 }],
            readinessProbe: { httpGet: { port: 80 } },
            resources: { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "500m" } },
          },
        ],
        volumes: [
          { name: "cm", configMap: { name: "x" } },
          { name: "s", secret: { secretName: "y" } },
          { name: "e" },
        ],
      }),
    );
    const c = p.spec!.containers[0]!;
    assert.equal(c.ports![0]!.protocol, "TCP");
    assert.deepEqual(c.readinessProbe, {
      httpGet: { port: 80, path: "/", scheme: "HTTP" },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.deepEqual(c.resources!.requests, { cpu: "500m", memory: "1Gi" });
    assert.equal(p.spec!.volumes![0]!.configMap!.defaultMode, 420);
    assert.equal(p.spec!.volumes![1]!.secret!.defaultMode, 420);
    assert.deepEqual(p.spec!.volumes![2]!.emptyDir, {});
    assert.equal(p.status!.qosClass, "Burstable");
  });

  it("computes Guaranteed when limits equal requests for cpu and memory", () => {
    const p = createLike(
      podResource,
      pod({
        containers: [
          { name: "a", image: "a:1", resources: { limits: { cpu: "1", memory: "1Gi" } } },
        ],
      }),
    );
    assert.equal(p.status!.qosClass, "Guaranteed");
  });
});

describe("Pod validation", () => {
  it("accepts a defaulted pod", () => {
    assert.deepEqual(validateCreate(podResource, createLike(podResource, pod())), []);
  });

  it("requires containers", () => {
    const p = createLike(podResource, pod({ containers: [] }));
    assert.deepEqual(validateCreate(podResource, p), ["spec.containers: Required value"]);
  });

  it("checks container names and images", () => {
    const p = createLike(
      podResource,
      pod({
        containers: [
          { name: "a", image: "x" },
          { name: "a", image: "" },
          { name: "Bad_Name", image: "x" },
        ],
        initContainers: [{ name: "a", image: "x" }],
      }),
    );
    const errs = validateCreate(podResource, p);
    assert.ok(errs.includes('spec.containers[1].name: Duplicate value: "a"'), errs.join("\n"));
    assert.ok(errs.includes("spec.containers[1].image: Required value"));
    assert.ok(
      errs.some((e) =>
        e.startsWith(
          'spec.containers[2].name: Invalid value: "Bad_Name": a lowercase RFC 1123 label',
        ),
      ),
    );
    assert.ok(errs.includes('spec.initContainers[0].name: Duplicate value: "a"'));
  });

  it("checks ports", () => {
    const p = createLike(
      podResource,
      pod({
        containers: [
          { name: "a", image: "x", ports: [{ containerPort: 70000, protocol: "ICMP" as "TCP" }] },
        ],
      }),
    );
    assert.deepEqual(validateCreate(podResource, p), [
      "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
      'spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    ]);
  });

  it("checks volumes and mounts", () => {
    const p = createLike(
      podResource,
      pod({
        containers: [{ name: "a", image: "x", volumeMounts: [{ name: "missing", mountPath: "" }] }],
        volumes: [
          { name: "v", emptyDir: {}, hostPath: { path: "/x" } },
          { name: "w", emptyDir: {} },
          { name: "w", emptyDir: {} },
        ],
      }),
    );
    assert.deepEqual(validateCreate(podResource, p), [
      "spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type",
      'spec.volumes[2].name: Duplicate value: "w"',
      'spec.containers[0].volumeMounts[0].name: Not found: "missing"',
      "spec.containers[0].volumeMounts[0].mountPath: Required value",
    ]);
  });

  it("reports a volume without a source when validated undefaulted", async () => {
    const { validatePodSpec } = await import("./pod-validation.ts");
    const { newPath } = await import("../../../machinery/field-path.ts");
    const errs = validatePodSpec({ containers: [], volumes: [{ name: "v" }] }, newPath("spec")).map(
      (e) => `${e.field}: ${e.detail}`,
    );
    assert.ok(errs.includes("spec.volumes[0]: must specify a volume type"));
  });

  it("checks requests against limits", () => {
    const p = createLike(
      podResource,
      pod({
        containers: [
          { name: "a", image: "x", resources: { limits: { cpu: "500m" }, requests: { cpu: "1" } } },
        ],
      }),
    );
    assert.deepEqual(validateCreate(podResource, p), [
      'spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit of 500m',
    ]);
  });

  it("checks the restart and DNS policies", () => {
    const p = createLike(
      podResource,
      pod({ restartPolicy: "Sometimes" as "Always", dnsPolicy: "Other" as "None" }),
    );
    assert.deepEqual(validateCreate(podResource, p), [
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.dnsPolicy: Unsupported value: "Other": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ]);
  });
});

describe("Pod update", () => {
  const old = createLike(podResource, pod({ nodeName: "n1" }));

  it("allows an image change", () => {
    const next = structuredClone(old);
    next.spec!.containers[0]!.image = "nginx:2";
    assert.deepEqual(validateUpdate(podResource, updateLike(podResource, next, old), old), []);
  });

  it("forbids other spec changes with upstream's message", () => {
    const next = structuredClone(old);
    next.spec!.containers[0]!.ports = [{ containerPort: 80 }];
    const errs = validateUpdate(podResource, updateLike(podResource, next, old), old);
    assert.equal(errs.length, 1);
    assert.equal(
      errs[0],
      "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
    );
  });

  it("allows added tolerations but not removed ones", () => {
    const next = structuredClone(old);
    next.spec!.tolerations = [{ key: "k", operator: "Exists" }];
    assert.deepEqual(validateUpdate(podResource, next, old), []);
    assert.deepEqual(validateUpdate(podResource, old, next), [
      "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds",
    ]);
  });

  it("allows lowering activeDeadlineSeconds only", () => {
    const a = structuredClone(old);
    a.spec!.activeDeadlineSeconds = 100;
    const b = structuredClone(old);
    b.spec!.activeDeadlineSeconds = 50;
    assert.deepEqual(validateUpdate(podResource, b, a), []);
    assert.deepEqual(validateUpdate(podResource, a, b), [
      "spec.activeDeadlineSeconds: Invalid value: 100: must be less than or equal to previous value",
    ]);
  });

  it("forbids adding or removing containers", () => {
    const next = structuredClone(old);
    next.spec!.containers.push({ name: "b", image: "b" });
    const errs = validateUpdate(podResource, updateLike(podResource, next, old), old);
    assert.deepEqual(errs, [
      "spec.containers: Forbidden: pod updates may not add or remove containers",
    ]);
  });
});

describe("Pod ephemeral containers (pods/ephemeralcontainers)", () => {
  const old = createLike(podResource, pod({ nodeName: "n1" }));
  const check = (next: PodObj, prev: PodObj = old) =>
    (podResource.strategy.validateEphemeralContainersUpdate?.(next, prev) ?? []).map((e) =>
      fieldErrorMessage(e),
    );
  // As the registry hands them over: defaulted.
  const withDebugger = (extra: Record<string, unknown> = {}): PodObj => ({
    ...old,
    spec: {
      ...old.spec!,
      ephemeralContainers: [
        {
          name: "debugger",
          image: "busybox",
          targetContainerName: "app",
          resources: {},
          imagePullPolicy: "Always",
          terminationMessagePolicy: "File",
          ...extra,
        },
      ],
    },
  });

  it("accepts a debugger aimed at a container; empty resources are no resources", () => {
    assert.deepEqual(check(withDebugger()), []);
  });

  it("forbids ports, probes and resources, unknown targets and taken names", () => {
    assert.deepEqual(check(withDebugger({ ports: [{ containerPort: 80, protocol: "TCP" }] })), [
      "spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container",
    ]);
    assert.deepEqual(check(withDebugger({ resources: { limits: { cpu: "1" } } })), [
      "spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container",
    ]);
    assert.deepEqual(check(withDebugger({ targetContainerName: "nope" })), [
      'spec.ephemeralContainers[0].targetContainerName: Not found: "nope"',
    ]);
    assert.deepEqual(check(withDebugger({ name: "app" })), [
      'spec.ephemeralContainers[0].name: Duplicate value: "app"',
    ]);
  });

  it("keeps existing ones as they are, and refuses static pods", () => {
    const added = withDebugger();
    assert.match(
      check(old, added)[0] ?? "",
      /existing ephemeral containers "debugger" may not be removed/,
    );
    assert.match(
      check(withDebugger({ image: "alpine" }), added)[0] ?? "",
      /existing ephemeral containers "debugger" may not be changed/,
    );
    const mirror = {
      ...old,
      metadata: { ...old.metadata, annotations: { "kubernetes.io/config.mirror": "x" } },
    };
    assert.deepEqual(check(withDebugger(), mirror), [
      "spec.ephemeralContainers: Forbidden: static pods do not support ephemeral containers",
    ]);
  });
});

describe("Pod fields and deletion", () => {
  it("always returns every selectable field", () => {
    assert.deepEqual(podResource.strategy.selectableFields!(pod()), {
      "spec.nodeName": "",
      "spec.restartPolicy": "",
      "spec.schedulerName": "",
      "spec.serviceAccountName": "",
      "spec.hostNetwork": "false",
      "status.phase": "",
      "status.podIP": "",
      "status.nominatedNodeName": "",
    });
  });

  it("computes the grace period", () => {
    const grace = podResource.strategy.gracePeriodSeconds!;
    const p = createLike(podResource, pod());
    assert.equal(grace(p, undefined), 0);
    p.spec!.nodeName = "n1";
    assert.equal(grace(p, undefined), 30);
    assert.equal(grace(p, 5), 5);
    p.status!.phase = "Succeeded";
    assert.equal(grace(p, 5), 0);
  });
});
