/**
 * The floor under pod start-up: containerd alone, driven through CRI with no kubelet and no API
 * server — RunPodSandbox (with the CNI bridge) → CreateContainer → StartContainer — one at a time
 * and 30 at once, on a private containerd configured as the agent configures its own. The
 * pod-startup benchmark prints it beside the kubelet's figures.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cniConfigFileName, podNetworkConflist } from "../src/kubelet/containerd/cni-config.ts";
import { containerdConfig } from "../src/kubelet/containerd/config.ts";
import { findCniBinDir, hasCapSysResource } from "../src/kubelet/containerd/host.ts";
import { ContainerdSupervisor } from "../src/kubelet/containerd/supervisor.ts";
import { CriClient } from "../src/kubelet/cri/grpc-client.ts";
import type { PodSandboxConfig } from "../src/kubelet/cri/types.ts";
import { importImageTarballs } from "../src/kubelet/images/import-tarballs.ts";
import { ensurePauseImage, PAUSE_IMAGE } from "../src/kubelet/images/pause-image.ts";
import { SysfsCgroupCleaner } from "../src/kubelet/kuberuntime/pod-cgroups.ts";
import { silentLogger } from "../src/machinery/log.ts";
import { buildTestImages } from "../test/images/build.ts";
import { now } from "./stats.ts";

export interface FloorResult {
  readonly sequential: number[];
  readonly parallel: number[];
}

export async function measureCriFloor(options: {
  sequential: number;
  parallel: number;
}): Promise<FloorResult> {
  const dir = mkdtempSync(join(tmpdir(), "bosun-bench-cri-"));
  const run = mkdtempSync("/run/bosun-bench-cri-");
  const socket = join(run, "containerd.sock");
  const netd = join(dir, "net.d");
  mkdirSync(netd);
  writeFileSync(
    join(netd, cniConfigFileName),
    podNetworkConflist({
      podCIDR: "10.251.0.0/24",
      bridge: "bosunbench0",
      ipamDataDir: join(dir, "ipam"),
    }),
  );
  writeFileSync(
    join(dir, "config.toml"),
    containerdConfig({
      root: join(dir, "root"),
      state: join(run, "state"),
      socket,
      optDir: join(dir, "opt"),
      runcRoot: join(run, "runc"),
      cniBinDir: findCniBinDir() ?? "/usr/lib/cni",
      cniConfDir: netd,
      certsDir: join(dir, "certs.d"),
      sandboxImage: PAUSE_IMAGE,
      restrictOomScoreAdj: !hasCapSysResource(),
    }),
  );
  const cri = new CriClient({ socket, timeoutMs: 120_000 });
  const supervisor = new ContainerdSupervisor({
    configPath: join(dir, "config.toml"),
    pidFile: join(run, "containerd.pid"),
    logFile: join(dir, "containerd.log"),
    log: silentLogger,
    ready: async () => Boolean(await cri.version()),
  });
  try {
    await supervisor.start();
    await ensurePauseImage({ socket });
    const images = join(dir, "images");
    mkdirSync(images);
    for (const image of await buildTestImages({ only: ["busybox"] })) {
      copyFileSync(image.archive, join(images, "busybox.tar"));
    }
    await importImageTarballs(images, { socket });
    const ids: string[] = [];
    const startPod = async (name: string): Promise<number> => {
      const t0 = now();
      const config: PodSandboxConfig = {
        metadata: { name, uid: name, namespace: "bench", attempt: 0 },
        hostname: name,
        log_directory: join(dir, "logs", name),
        linux: { cgroup_parent: `/bosun-bench-cri/pod${name}` },
      };
      mkdirSync(config.log_directory!, { recursive: true });
      const id = await cri.runPodSandbox(config);
      ids.push(id);
      const cid = await cri.createContainer(
        id,
        {
          metadata: { name: "app", attempt: 0 },
          image: { image: "docker.io/library/busybox:1.36" },
          command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"],
          log_path: "app/0.log",
        },
        config,
      );
      await cri.startContainer(cid);
      return now() - t0;
    };
    const sequential: number[] = [];
    for (let i = 0; i < options.sequential; i++) sequential.push(await startPod(`seq${i}`));
    const parallel = await Promise.all(
      Array.from({ length: options.parallel }, (_, i) => startPod(`par${i}`)),
    );
    for (const id of ids) {
      await cri.stopPodSandbox(id);
      await cri.removePodSandbox(id);
    }
    return { sequential, parallel };
  } finally {
    cri.close();
    await supervisor.stop();
    new SysfsCgroupCleaner().remove("/bosun-bench-cri");
    execFileSync("ip", ["link", "delete", "bosunbench0"], { stdio: "ignore" });
    rmSync(run, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}
