import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../../api/object.ts";
import { StatusError } from "../../../machinery/status.ts";
import { podSecurityAdmission } from "./pod-security.ts";
import { StaticReader } from "./reader.ts";
import { attrs, podsDef, resourceDef } from "./testing.ts";

const ns = (labels: Record<string, string>): KubeObject => ({ metadata: { name: "ns", labels } });
const enforce = (level: string) => ns({ "pod-security.kubernetes.io/enforce": level });
const plugin = (namespace: KubeObject) =>
  podSecurityAdmission({ reader: new StaticReader().add("", "namespaces", namespace) });
const pod = (spec: Record<string, unknown>, name = "x"): KubeObject => ({
  metadata: { name, namespace: "ns" },
  spec,
});

async function violates(p: Promise<void> | undefined, message: string) {
  await assert.rejects(p ?? Promise.resolve(), (err: unknown) => {
    assert.ok(err instanceof StatusError);
    assert.equal(err.reason, "Forbidden");
    assert.equal(err.message, message);
    return true;
  });
}

const compliant = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
  containers: [
    {
      name: "c",
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    },
  ],
};

describe("PodSecurity admission", () => {
  it("lists every restricted violation in upstream's order and words", async () => {
    const p = pod({
      hostNetwork: true,
      hostPID: true,
      containers: [
        { name: "c", securityContext: { privileged: true, runAsUser: 0 }, volumeMounts: [] },
      ],
      volumes: [{ name: "host", hostPath: { path: "/" } }],
    });
    await violates(
      plugin(enforce("restricted")).validate?.(attrs({ resource: podsDef, object: p })),
      'pods "x" is forbidden: violates PodSecurity "restricted:latest": host namespaces (hostNetwork=true, hostPID=true), privileged (container "c" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), restricted volume types (volume "host" uses restricted volume type "hostPath"), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), runAsUser=0 (container "c" must not set runAsUser=0), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
  });

  it("admits a compliant pod at restricted and anything at privileged", async () => {
    await plugin(enforce("restricted")).validate?.(
      attrs({ resource: podsDef, object: pod(compliant) }),
    );
    await plugin(enforce("privileged")).validate?.(
      attrs({ resource: podsDef, object: pod({ hostPID: true, containers: [] }) }),
    );
    await plugin(ns({})).validate?.(
      attrs({ resource: podsDef, object: pod({ hostPID: true, containers: [] }) }),
    );
  });

  it("checks the baseline rules", async () => {
    const p = pod({
      securityContext: {
        sysctls: [{ name: "kernel.msgmax", value: "1" }],
        seLinuxOptions: { type: "spc_t" },
        appArmorProfile: { type: "Unconfined" },
      },
      initContainers: [
        {
          name: "i",
          ports: [{ containerPort: 80, hostPort: 8080 }],
          securityContext: { procMount: "Unmasked" },
        },
      ],
      containers: [
        {
          name: "a",
          securityContext: {
            capabilities: { add: ["NET_ADMIN", "CHOWN", "SYS_TIME"] },
            seccompProfile: { type: "Unconfined" },
          },
        },
        { name: "b", ports: [{ containerPort: 443, hostPort: 443 }] },
      ],
      volumes: [
        { name: "h", hostPath: { path: "/" } },
        { name: "e", emptyDir: {} },
      ],
    });
    await violates(
      plugin(enforce("baseline")).validate?.(attrs({ resource: podsDef, object: p })),
      'pods "x" is forbidden: violates PodSecurity "baseline:latest": forbidden AppArmor profile (pod must not set AppArmor profile type to "Unconfined"), non-default capabilities (container "a" must not include "NET_ADMIN", "SYS_TIME" in securityContext.capabilities.add), hostPath volumes (volume "h"), hostPort (containers "i", "b" use hostPorts 443, 8080), procMount (container "i" must not set securityContext.procMount to "Unmasked"), seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t"), seccompProfile (container "a" must not set securityContext.seccompProfile.type to "Unconfined"), forbidden sysctls (kernel.msgmax)',
    );
  });

  it("lets restricted replace the baseline capability, hostPath and seccomp checks", async () => {
    const p = pod({
      ...compliant,
      containers: [
        {
          name: "c",
          securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE", "SYS_ADMIN"] },
          },
        },
      ],
      volumes: [{ name: "n", nfs: { server: "s", path: "/" } }],
    });
    await violates(
      plugin(enforce("restricted")).validate?.(attrs({ resource: podsDef, object: p })),
      'pods "x" is forbidden: violates PodSecurity "restricted:latest": unrestricted capabilities (container "c" must not include "SYS_ADMIN" in securityContext.capabilities.add), restricted volume types (volume "n" uses restricted volume type "nfs")',
    );
  });

  it("warns at the warn level without refusing, also for workload templates", async () => {
    const labels = {
      "pod-security.kubernetes.io/warn": "baseline",
      "pod-security.kubernetes.io/warn-version": "v1.33",
    };
    const a = attrs({ resource: podsDef, object: pod({ hostIPC: true, containers: [] }) });
    await plugin(ns(labels)).validate?.(a);
    assert.deepEqual(a.warnings, [
      'would violate PodSecurity "baseline:v1.33": host namespaces (hostIPC=true)',
    ]);
    const deploy = {
      metadata: { name: "d" },
      spec: { template: { spec: { hostPID: true, containers: [] } } },
    };
    const d = attrs({ resource: resourceDef("apps", "deployments", "Deployment"), object: deploy });
    await plugin(ns({ ...labels, "pod-security.kubernetes.io/enforce": "baseline" })).validate?.(d);
    assert.deepEqual(d.warnings, [
      'would violate PodSecurity "baseline:v1.33": host namespaces (hostPID=true)',
    ]);
  });

  it("re-checks pod updates only when images or containers change", async () => {
    const old = pod({ hostPID: true, containers: [{ name: "c", image: "a" }] });
    const relabel = { ...old, metadata: { ...old.metadata, labels: { x: "y" } } };
    const p = plugin(enforce("baseline"));
    await p.validate?.(
      attrs({ resource: podsDef, operation: "UPDATE", object: relabel, oldObject: old }),
    );
    const newImage = pod({ hostPID: true, containers: [{ name: "c", image: "b" }] });
    await assert.rejects(
      p.validate?.(
        attrs({ resource: podsDef, operation: "UPDATE", object: newImage, oldObject: old }),
      ) ?? Promise.resolve(),
    );
  });

  it("treats an invalid level as restricted and honours exemptions", async () => {
    const bad = pod({ containers: [{ name: "c" }] });
    await assert.rejects(
      plugin(enforce("strict")).validate?.(attrs({ resource: podsDef, object: bad })) ??
        Promise.resolve(),
      /restricted:latest/,
    );
    const exempted = podSecurityAdmission({
      reader: new StaticReader().add("", "namespaces", enforce("restricted")),
      exemptions: { namespaces: ["ns"] },
    });
    await exempted.validate?.(attrs({ resource: podsDef, object: bad }));
  });
});
