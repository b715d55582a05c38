/**
 * A single-node cluster with real containers: `bosun server` running its own node (containerd,
 * CNI bridge, kubelet) with images from the local test registry, driven by kubectl 1.34.
 * Deployments run and serve, deleted pods come back with new IPs, crashing containers back off,
 * config maps and secrets reach containers as env and files (files follow updates), and deleting
 * everything leaves no sandboxes, containers, mounts, pod directories or cgroups behind.
 *
 * Needs root and the packages of scripts/install-deps (containerd, runc, CNI plugins, ...).
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { nodeDirs } from "../../src/cli/containerd-node.ts";
import { CriClient } from "../../src/kubelet/cri/grpc-client.ts";
import { freePort } from "../../src/storage/testing/etcd-harness.ts";
import { mountsUnder, tearDownNode } from "./lib/node-cleanup.ts";
import { TestRegistry } from "./lib/registry.ts";
import { TestServer } from "./lib/server.ts";
import { httpGet, until } from "./lib/wait.ts";

const nodeName = "e2e-node";
const canRun = process.getuid?.() === 0 && existsSync("/usr/bin/containerd");

const inCIDR = (ip: string, cidr: string) => {
  const [net, bits] = cidr.split("/");
  const n = (a: string) => a.split(".").reduce((v, o) => (v << 8) + Number(o), 0) >>> 0;
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (n(ip) & mask) === (n(net!) & mask);
};

describe("a node on containerd", { skip: canRun ? false : "needs root and containerd" }, () => {
  let registry: TestRegistry;
  let s: TestServer;
  let cri: CriClient;
  let dirs: ReturnType<typeof nodeDirs>;
  let podCIDR: string;

  before(async () => {
    registry = await TestRegistry.start({ images: ["nginx", "busybox", "registry.k8s.io/pause"] });
    s = await TestServer.start({
      agent: true,
      args: [...registry.agentArgs(), "--node-name", nodeName, "--kubelet-port", "0"],
    });
    dirs = nodeDirs(s.dataDir);
    cri = new CriClient({ socket: dirs.socket });
  });

  after(() =>
    tearDownNode(s, ["close CRI", () => cri?.close()], ["stop registry", () => registry?.stop()]),
  );

  it("registers a Ready node that reports the host and containerd", async () => {
    const node = await until("the node to be Ready", async () => {
      const n = await s.json("get", "node", nodeName);
      return (
        n.status.conditions.find((c: { type: string; status: string }) => c.type === "Ready")
          ?.status === "True" && n
      );
    });
    podCIDR = node.spec.podCIDR;
    assert.match(podCIDR, /^10\.244\.\d+\.0\/24$/);
    assert.match(node.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\/\d/);
    assert.equal(node.status.nodeInfo.kernelVersion, (await import("node:os")).release());
    assert.equal(node.status.capacity.pods, "110");
    assert.ok(Number(node.status.capacity.cpu) >= 1);
    assert.match(node.status.allocatable.memory, /^\d+Ki$/);
    const runtime = await cri.version();
    assert.equal(runtime.runtime_api_version, "v1");
    // The server's own node is a control-plane node, as k3s shows it.
    await until("the control-plane role", async () =>
      /\scontrol-plane,master\s/.test(await s.k("get", "node", nodeName)),
    );
  });

  it("runs a deployment whose pods get IPs in the node's pod CIDR and serve", async () => {
    await s.k("create", "deployment", "nginx-depl", "--image=nginx", "--replicas=2");
    const pods = await until("2 running pods", async () => {
      const list = (await s.json("get", "pods", "-l", "app=nginx-depl")).items;
      const running = list.filter(
        (p: { status: { phase: string; podIP?: string } }) =>
          p.status.phase === "Running" && p.status.podIP,
      );
      return running.length === 2 && running;
    });
    for (const p of pods) {
      assert.ok(inCIDR(p.status.podIP, podCIDR), `${p.status.podIP} in ${podCIDR}`);
      assert.equal(p.status.hostIP.length > 0, true);
      assert.equal(p.status.containerStatuses[0].ready, true);
      assert.match(p.status.containerStatuses[0].containerID, /^containerd:\/\//);
    }
    const page = await until("nginx to answer", () => httpGet(`http://${pods[0].status.podIP}/`));
    assert.match(page, /Welcome to nginx!/);
    const events = await s.k(
      "get",
      "events",
      "--field-selector",
      `involvedObject.name=${pods[0].metadata.name}`,
    );
    assert.match(events, /Pulled/);
    assert.match(events, /Started/);
  });

  it("replaces a deleted pod with a new one with a new IP", async () => {
    const before = (await s.json("get", "pods", "-l", "app=nginx-depl")).items;
    const victim = before[0];
    await s.k("delete", "pod", victim.metadata.name, "--wait=true");
    const replacement = await until("a replacement pod", async () => {
      const list = (await s.json("get", "pods", "-l", "app=nginx-depl")).items;
      return list.find(
        (p: { metadata: { name: string }; status: { phase: string; podIP?: string } }) =>
          !before.some(
            (b: { metadata: { name: string } }) => b.metadata.name === p.metadata.name,
          ) &&
          p.status.phase === "Running" &&
          p.status.podIP,
      );
    });
    assert.notEqual(replacement.status.podIP, victim.status.podIP);
    assert.ok(inCIDR(replacement.status.podIP, podCIDR));
  });

  it("restarts a container that exits, with back-off (CrashLoopBackOff)", async () => {
    await s.k(
      "run",
      "crasher",
      "--image=busybox:1.36",
      "--restart=Always",
      "--",
      "sh",
      "-c",
      "echo bye; exit 3",
    );
    const status = await until("CrashLoopBackOff", async () => {
      const cs = (await s.json("get", "pod", "crasher")).status.containerStatuses?.[0];
      return cs?.state?.waiting?.reason === "CrashLoopBackOff" && cs;
    });
    assert.ok(status.restartCount >= 1);
    assert.match(
      status.state.waiting.message,
      /^back-off \d+s restarting failed container=crasher pod=crasher_default\(/,
    );
    assert.equal(status.lastState.terminated.exitCode, 3);
    assert.equal(status.lastState.terminated.reason, "Error");
    const table = await s.k("get", "pod", "crasher");
    assert.match(table, /CrashLoopBackOff/);
    await s.k("delete", "pod", "crasher", "--grace-period=1");
  });

  it("gives containers config maps and secrets as env and files, and files follow updates", async () => {
    await s.k("create", "configmap", "settings", "--from-literal=color=blue");
    await s.k("create", "secret", "generic", "creds", "--from-literal=password=s3cret");
    const manifest = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "configured" },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: "app",
            image: "busybox:1.36",
            command: [
              "sh",
              "-c",
              "echo color=$COLOR password=$PASSWORD prefixed=$S_color; sleep 3600",
            ],
            env: [
              { name: "COLOR", valueFrom: { configMapKeyRef: { name: "settings", key: "color" } } },
              { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "creds", key: "password" } } },
            ],
            envFrom: [{ prefix: "S_", configMapRef: { name: "settings" } }],
            volumeMounts: [
              { name: "settings", mountPath: "/etc/settings" },
              { name: "creds", mountPath: "/etc/creds" },
            ],
          },
        ],
        volumes: [
          { name: "settings", configMap: { name: "settings" } },
          { name: "creds", secret: { secretName: "creds" } },
        ],
      },
    };
    await s.kubectl(["apply", "-f", "-"], { input: JSON.stringify(manifest) });
    const pod = await until("the pod to run", async () => {
      const p = await s.json("get", "pod", "configured");
      return p.status.phase === "Running" && p;
    });
    const uid = pod.metadata.uid;
    const logFile = `${dirs.podLogs}/default_configured_${uid}/app/0.log`;
    const line = await until(
      "the log line",
      async () => existsSync(logFile) && readFileSync(logFile, "utf8"),
    );
    assert.match(line, / stdout F color=blue password=s3cret prefixed=blue\n/);
    const volume = `${dirs.kubelet}/pods/${uid}/volumes/kubernetes.io~configmap/settings`;
    assert.equal(readFileSync(`${volume}/color`, "utf8"), "blue");
    const secretDir = `${dirs.kubelet}/pods/${uid}/volumes/kubernetes.io~secret/creds`;
    assert.equal(readFileSync(`${secretDir}/password`, "utf8"), "s3cret");
    assert.ok(mountsUnder(s.dataDir).includes(secretDir), "secret volumes are on tmpfs");
    const cid = pod.status.containerStatuses[0].containerID.replace("containerd://", "");
    const exec = await cri.execSync(cid, ["cat", "/etc/settings/color", "/etc/creds/password"], 10);
    assert.equal(exec.stdout.toString(), "blues3cret");
    await s.k("patch", "configmap", "settings", "-p", '{"data":{"color":"green"}}');
    await until(
      "the file to follow the update",
      async () =>
        (await cri.execSync(cid, ["cat", "/etc/settings/color"], 10)).stdout.toString() === "green",
      30_000,
    );
  });

  it("restarts a container whose liveness probe fails; readiness drives Ready and endpoints", async () => {
    const probed = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "probed", labels: { app: "probed" } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: "app",
            image: "busybox:1.36",
            command: ["sh", "-c", "trap 'exit 0' TERM; touch /tmp/alive; sleep 3600 & wait"],
            ports: [{ containerPort: 8080 }],
            readinessProbe: {
              exec: { command: ["test", "-f", "/tmp/ready"] },
              periodSeconds: 1,
              failureThreshold: 1,
            },
            livenessProbe: {
              exec: { command: ["test", "-f", "/tmp/alive"] },
              periodSeconds: 1,
              failureThreshold: 2,
            },
          },
        ],
      },
    };
    await s.kubectl(["apply", "-f", "-"], { input: JSON.stringify(probed) });
    await s.k("create", "service", "clusterip", "probed", "--tcp=8080:8080");
    const pod = await until("the probed pod to run", async () => {
      const p = await s.json("get", "pod", "probed");
      return p.status.phase === "Running" && p;
    });
    assert.equal(pod.status.containerStatuses[0].ready, false, "not ready before the probe passes");
    const cid = () =>
      s
        .json("get", "pod", "probed")
        .then((p) => p.status.containerStatuses[0].containerID.replace("containerd://", ""));
    await cri.execSync(await cid(), ["touch", "/tmp/ready"], 10);
    await until("Ready=True", async () => {
      const p = await s.json("get", "pod", "probed");
      return (
        p.status.conditions.find((c: { type: string }) => c.type === "Ready")?.status === "True"
      );
    });
    const addresses = await until("the pod in the service's endpoints", async () => {
      const slices = (
        await s.json("get", "endpointslices", "-l", "kubernetes.io/service-name=probed")
      ).items;
      const ready = slices.flatMap(
        (sl: { endpoints?: { addresses: string[]; conditions: { ready: boolean } }[] }) =>
          (sl.endpoints ?? []).filter((e) => e.conditions.ready).flatMap((e) => e.addresses),
      );
      return ready.length > 0 && ready;
    });
    assert.deepEqual(addresses, [pod.status.podIP]);
    await cri.execSync(await cid(), ["rm", "/tmp/alive"], 10);
    const restarted = await until("a liveness restart", async () => {
      const cs = (await s.json("get", "pod", "probed")).status.containerStatuses[0];
      return cs.restartCount >= 1 && cs;
    });
    assert.ok(restarted.lastState.terminated, "the killed container is the last state");
    const events = await s.k("get", "events", "--field-selector", "involvedObject.name=probed");
    assert.match(events, /Liveness probe failed/);
    assert.match(events, /failed liveness probe, will be restarted/);
    await s.k("delete", "service", "probed");
  });

  it("runs init containers in order, host-network pods, hostPorts, and reports OOMKilled", async () => {
    const hostPort = await freePort();
    const pods = [
      {
        metadata: { name: "host-port" },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: "nginx", image: "nginx", ports: [{ containerPort: 80, hostPort }] }],
        },
      },
      {
        metadata: { name: "init-order" },
        spec: {
          restartPolicy: "Never",
          volumes: [{ name: "work", emptyDir: {} }],
          initContainers: ["one", "two"].map((word) => ({
            name: `init-${word}`,
            image: "busybox:1.36",
            command: ["sh", "-c", `echo ${word} >> /work/order`],
            volumeMounts: [{ name: "work", mountPath: "/work" }],
          })),
          containers: [
            {
              name: "app",
              image: "busybox:1.36",
              command: ["cat", "/work/order"],
              volumeMounts: [{ name: "work", mountPath: "/work" }],
            },
          ],
        },
      },
      {
        metadata: { name: "host-net" },
        spec: {
          hostNetwork: true,
          terminationGracePeriodSeconds: 1,
          containers: [{ name: "app", image: "busybox:1.36", command: ["sleep", "3600"] }],
        },
      },
      {
        metadata: { name: "oom" },
        spec: {
          restartPolicy: "Never",
          containers: [
            {
              name: "app",
              image: "busybox:1.36",
              command: ["tail", "/dev/zero"],
              resources: { limits: { memory: "16Mi" } },
            },
          ],
        },
      },
    ];
    for (const p of pods) {
      await s.kubectl(["apply", "-f", "-"], {
        input: JSON.stringify({ apiVersion: "v1", kind: "Pod", ...p }),
      });
    }
    const done = await until("init-order to succeed", async () => {
      const p = await s.json("get", "pod", "init-order");
      return p.status.phase === "Succeeded" && p;
    });
    assert.deepEqual(
      done.status.initContainerStatuses.map(
        (c: { state: { terminated: { reason: string } } }) => c.state.terminated.reason,
      ),
      ["Completed", "Completed"],
    );
    const log = readFileSync(
      `${dirs.podLogs}/default_init-order_${done.metadata.uid}/app/0.log`,
      "utf8",
    );
    assert.match(log, / stdout F one\n.* stdout F two\n/);
    const hostNet = await until("host-net to run", async () => {
      const p = await s.json("get", "pod", "host-net");
      return p.status.phase === "Running" && p;
    });
    assert.equal(hostNet.status.podIP, hostNet.status.hostIP);
    await until(
      "host-port to run",
      async () => (await s.json("get", "pod", "host-port")).status.phase === "Running",
    );
    const page = await until("nginx on the host port", () =>
      httpGet(`http://${hostNet.status.hostIP}:${hostPort}/`).catch(() => undefined),
    );
    assert.match(page, /Welcome to nginx!/);
    const oom = await until(
      "the OOM kill",
      async () => {
        const cs = (await s.json("get", "pod", "oom")).status.containerStatuses?.[0];
        return cs?.state?.terminated && cs;
      },
      60_000,
    );
    assert.equal(oom.state.terminated.reason, "OOMKilled");
    assert.equal(oom.state.terminated.exitCode, 137);
    assert.equal((await s.json("get", "pod", "oom")).status.phase, "Failed");
  });

  it("runs the preStop hook and stops within the grace period when a pod is deleted", async () => {
    const hostDir = `${s.dataDir}/prestop`;
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "graceful" },
      spec: {
        terminationGracePeriodSeconds: 5,
        volumes: [{ name: "out", hostPath: { path: hostDir, type: "DirectoryOrCreate" } }],
        containers: [
          {
            name: "app",
            image: "busybox:1.36",
            command: ["sh", "-c", "trap 'echo term >> /out/log; exit 0' TERM; sleep 3600 & wait"],
            lifecycle: { preStop: { exec: { command: ["sh", "-c", "echo prestop >> /out/log"] } } },
            volumeMounts: [{ name: "out", mountPath: "/out" }],
          },
        ],
      },
    };
    await s.kubectl(["apply", "-f", "-"], { input: JSON.stringify(pod) });
    await until(
      "graceful to run",
      async () => (await s.json("get", "pod", "graceful")).status.phase === "Running",
    );
    const started = Date.now();
    await s.k("delete", "pod", "graceful", "--wait=true");
    assert.ok(
      Date.now() - started < 5000,
      "the container exits on SIGTERM, well inside the grace period",
    );
    assert.equal(readFileSync(`${hostDir}/log`, "utf8"), "prestop\nterm\n");
  });

  it("leaves no sandboxes, containers, mounts, pod directories or cgroups after deleting everything", async () => {
    const uids: string[] = (await s.json("get", "pods")).items.map(
      (p: { metadata: { uid: string } }) => p.metadata.uid,
    );
    await s.k("delete", "deployment", "--all");
    await s.k("delete", "pods", "--all", "--grace-period=1", "--wait=true");
    await until("no pods", async () => (await s.json("get", "pods")).items.length === 0);
    await until("no sandboxes or containers", async () => {
      const [sandboxes, containers] = await Promise.all([
        cri.listPodSandbox(),
        cri.listContainers(),
      ]);
      return sandboxes.length === 0 && containers.length === 0;
    });
    await until(
      "pod directories and logs to go",
      async () =>
        readdirSync(`${dirs.kubelet}/pods`).length === 0 && readdirSync(dirs.podLogs).length === 0,
    );
    assert.deepEqual(
      mountsUnder(s.dataDir).filter((m) => m.includes("/kubelet/pods/")),
      [],
    );
    for (const uid of uids) {
      for (const h of readdirSync("/sys/fs/cgroup")) {
        for (const qos of ["", "burstable/", "besteffort/"]) {
          assert.equal(existsSync(`/sys/fs/cgroup/${h}/kubepods/${qos}pod${uid}`), false);
        }
      }
    }
    const netns = `${dirs.run}/state/io.containerd.grpc.v1.cri/netns`;
    assert.deepEqual(existsSync(netns) ? readdirSync(netns) : [], []);
  });

  it("stops its containerd with the server", async () => {
    const pid = Number(readFileSync(`${dirs.run}/containerd.pid`, "utf8"));
    assert.equal(await s.stop(), 0);
    assert.throws(() => process.kill(pid, 0), "containerd has exited");
    assert.deepEqual(mountsUnder(s.dataDir), []);
    assert.equal(existsSync(`${dirs.run}/containerd.pid`), false);
  });
});
