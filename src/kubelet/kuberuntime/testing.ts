/**
 * Test fixtures for the CRI-driven runtime: a ContainerdRuntime over the fake CRI, a fake clock,
 * map-backed API objects, a fake mounter and a temporary kubelet root, plus a pod builder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConfigMap, RuntimeClass, Secret, Service } from "../../api/generated/types.ts";
import { FakeClock } from "../../machinery/clock.ts";
import { FakeCri } from "../cri/fake-cri.ts";
import type { IssuedToken, PodObjects, ServiceAccountTokenRequest } from "../pod-objects.ts";
import type { Pod } from "../pod-source.ts";
import { FakeMounter } from "../volumes/mounter.ts";
import { VolumeManager } from "../volumes/volume-manager.ts";
import { ContainerdRuntime } from "./containerd-runtime.ts";

export class FakePodObjects implements PodObjects {
  readonly configMaps = new Map<string, ConfigMap>();
  readonly secrets = new Map<string, Secret>();
  /** By name (cluster-scoped). */
  readonly runtimeClasses = new Map<string, RuntimeClass>();
  readonly serviceList: Service[] = [];
  readonly tokenRequests: ServiceAccountTokenRequest[] = [];
  now = () => Date.now();

  async configMap(ns: string, name: string) {
    return this.configMaps.get(`${ns}/${name}`);
  }
  async secret(ns: string, name: string) {
    return this.secrets.get(`${ns}/${name}`);
  }
  async services(ns: string) {
    return this.serviceList.filter((s) => (s.metadata?.namespace ?? "default") === ns);
  }
  async persistentVolumeClaim() {
    return undefined;
  }
  async persistentVolume() {
    return undefined;
  }
  async runtimeClass(name: string) {
    return this.runtimeClasses.get(name);
  }
  async serviceAccountToken(request: ServiceAccountTokenRequest): Promise<IssuedToken> {
    this.tokenRequests.push(request);
    return {
      token: `token-${this.tokenRequests.length}`,
      expiresAt: this.now() + request.expirationSeconds * 1000,
    };
  }
}

export interface RuntimeFixture {
  readonly cri: FakeCri;
  readonly clock: FakeClock;
  readonly objects: FakePodObjects;
  readonly mounter: FakeMounter;
  readonly runtime: ContainerdRuntime;
  readonly root: string;
  readonly changes: string[];
  readonly removedCgroups: string[];
  readonly events: string[];
  cleanup(): void;
}

export function runtimeFixture(): RuntimeFixture {
  const clock = new FakeClock();
  const cri = new FakeCri({ now: () => clock.now(), images: ["busybox:1.36"] });
  const objects = new FakePodObjects();
  objects.now = () => clock.now();
  const mounter = new FakeMounter();
  const root = mkdtempSync(join(tmpdir(), "bosun-kuberuntime-"));
  const changes: string[] = [];
  const removedCgroups: string[] = [];
  const events: string[] = [];
  const allocatable = { cpu: "2", memory: "4Gi", pods: "110" };
  const runtime = new ContainerdRuntime({
    runtime: cri,
    images: cri,
    objects,
    volumes: new VolumeManager({
      rootDir: join(root, "kubelet"),
      objects,
      mounter,
      clock,
      allocatable,
    }),
    cgroups: { remove: (p) => removedCgroups.push(p) },
    version: "fake://1.0.0",
    node: { name: "n1", internalIP: "192.168.1.10", allocatable, memoryCapacityBytes: 4 << 30 },
    podLogsDir: join(root, "pods-logs"),
    dns: {
      clusterDNS: ["10.96.0.10"],
      clusterDomain: "cluster.local",
      hostResolvConf: { nameservers: ["1.1.1.1"], searches: [], options: [] },
    },
    clock,
    recorder: { event: (_o, type, reason, message) => events.push(`${type} ${reason} ${message}`) },
    onChange: (key) => changes.push(key),
  });
  return {
    cri,
    clock,
    objects,
    mounter,
    runtime,
    root,
    changes,
    removedCgroups,
    events,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

let seq = 0;

export function testPod(spec: Partial<NonNullable<Pod["spec"]>> = {}, name = "web"): Pod {
  seq++;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: `uid-${seq}` },
    spec: {
      nodeName: "n1",
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 5,
      containers: [{ name: "app", image: "busybox:1.36", imagePullPolicy: "IfNotPresent" }],
      ...spec,
    },
  };
}
