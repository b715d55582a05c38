/**
 * Pod and container → CRI configs: namespaces and hostname for host-network pods, hostPort
 * mappings, security context, mounts with subPath and read-only projected volumes, /etc/hosts and
 * the termination log, $(VAR) in command and args, and the annotations a restarted kubelet reads.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { containerConfig } from "./container-config.ts";
import { podSandboxConfig } from "./sandbox-config.ts";
import { testPod } from "./testing.ts";

const dns = {
  clusterDNS: ["10.96.0.10"],
  clusterDomain: "cluster.local",
  hostResolvConf: { nameservers: ["1.1.1.1"], searches: ["lan"], options: [] },
};

describe("podSandboxConfig", () => {
  it("maps host ports, namespaces and the security context", () => {
    const pod = testPod({
      securityContext: {
        runAsUser: 1000,
        runAsGroup: 3000,
        fsGroup: 2000,
        sysctls: [{ name: "net.ipv4.ip_local_port_range", value: "1024 65000" }],
      },
      containers: [
        {
          name: "app",
          image: "x",
          ports: [
            { containerPort: 80, hostPort: 8080 },
            { containerPort: 53, protocol: "UDP" },
          ],
        },
      ],
    });
    const c = podSandboxConfig(pod, {
      attempt: 2,
      logDirectory: "/logs/p",
      dns,
      cgroupRoot: "/kubepods",
    });
    assert.equal(c.metadata.attempt, 2);
    assert.equal(c.hostname, "web");
    assert.deepEqual(c.port_mappings, [
      { protocol: "TCP", container_port: 80, host_port: 8080, host_ip: "" },
    ]);
    assert.deepEqual(c.linux?.security_context?.namespace_options, {
      network: "POD",
      pid: "CONTAINER",
      ipc: "POD",
    });
    assert.deepEqual(c.linux?.security_context?.run_as_user, { value: "1000" });
    assert.deepEqual(c.linux?.security_context?.supplemental_groups, ["2000"]);
    assert.deepEqual(c.linux?.sysctls, { "net.ipv4.ip_local_port_range": "1024 65000" });
    assert.deepEqual(c.dns_config?.searches, [
      "default.svc.cluster.local",
      "svc.cluster.local",
      "cluster.local",
      "lan",
    ]);
    assert.equal(c.labels?.["io.kubernetes.pod.uid"], pod.metadata?.uid);
  });

  it("gives a host-network pod the node's namespaces, resolvers and no hostname", () => {
    const c = podSandboxConfig(testPod({ hostNetwork: true, hostPID: true }), {
      attempt: 0,
      logDirectory: "/l",
      dns,
      cgroupRoot: "/kubepods",
    });
    assert.equal(c.hostname, undefined);
    assert.deepEqual(c.linux?.security_context?.namespace_options, {
      network: "NODE",
      pid: "NODE",
      ipc: "POD",
    });
    assert.deepEqual(c.dns_config?.servers, ["1.1.1.1"]);
  });
});

describe("containerConfig", () => {
  it("builds command, mounts, security context and annotations", () => {
    const pod = testPod({
      containers: [
        {
          name: "app",
          image: "busybox:1.36",
          command: ["sh", "-c"],
          args: ["echo $(GREETING) $$(GREETING)"],
          workingDir: "/work",
          securityContext: {
            privileged: false,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { add: ["NET_ADMIN"], drop: ["ALL"] },
            runAsNonRoot: true,
            runAsUser: 1001,
          },
          volumeMounts: [
            { name: "data", mountPath: "/data", subPath: "sub" },
            { name: "cfg", mountPath: "/etc/cfg" },
          ],
        },
      ],
    });
    const c = containerConfig(pod, pod.spec!.containers[0]!, {
      restartCount: 3,
      imageRef: "sha256:abc",
      envs: [{ key: "GREETING", value: "hi" }],
      volumes: new Map([
        ["data", { hostPath: "/v/data", readOnly: false }],
        ["cfg", { hostPath: "/v/cfg", readOnly: true }],
      ]),
      hostsFile: "/p/etc-hosts",
      terminationLogFile: "/p/containers/app/3",
      memoryCapacity: 1 << 30,
      isInit: false,
    });
    assert.deepEqual(c.args, ["echo hi $(GREETING)"]);
    assert.equal(c.metadata.attempt, 3);
    assert.equal(c.log_path, "app/3.log");
    assert.equal(c.image.image, "sha256:abc");
    assert.deepEqual(
      c.mounts?.map((m) => [m.container_path, m.host_path, Boolean(m.readonly)]),
      [
        ["/data", "/v/data/sub", false],
        ["/etc/cfg", "/v/cfg", true],
        ["/etc/hosts", "/p/etc-hosts", false],
        ["/dev/termination-log", "/p/containers/app/3", false],
      ],
    );
    const sc = c.linux?.security_context;
    assert.equal(sc?.readonly_rootfs, true);
    assert.equal(sc?.no_new_privs, true);
    assert.deepEqual(sc?.capabilities, {
      add_capabilities: ["NET_ADMIN"],
      drop_capabilities: ["ALL"],
    });
    assert.deepEqual(sc?.run_as_user, { value: "1001" });
    assert.ok(sc?.masked_paths?.includes("/proc/kcore"));
    assert.deepEqual(sc?.seccomp, { profile_type: "Unconfined" });
    assert.equal(c.annotations?.["io.kubernetes.container.restartCount"], "3");
    assert.equal(c.annotations?.["io.kubernetes.pod.terminationGracePeriod"], "5");
  });
});
