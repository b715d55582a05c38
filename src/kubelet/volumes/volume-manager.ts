/**
 * Sets up and tears down a pod's volumes on the node (upstream volume manager and the in-tree
 * plugins), under `<root>/pods/<uid>/volumes/kubernetes.io~<plugin>/<name>`:
 *
 * - emptyDir: a directory, or a tmpfs with `medium: Memory`;
 * - configMap, secret, downwardAPI, projected: files written atomically, re-projected on every
 *   sync so object updates reach running containers (secret and projected on tmpfs);
 * - hostPath: the host path after upstream's type check (DirectoryOrCreate, FileOrCreate, ...);
 * - persistentVolumeClaim: the bound volume's hostPath or local path.
 *
 * Teardown unmounts whatever was mounted below the pod directory and removes it.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { HostPathVolumeSource, Volume } from "../../api/generated/types.ts";
import type { Clock } from "../../machinery/clock.ts";
import { parseQuantity } from "../../machinery/quantity.ts";
import type { PodIPs } from "../kuberuntime/field-ref.ts";
import type { PodObjects } from "../pod-objects.ts";
import type { Pod } from "../pod-source.ts";
import { writeAtomic } from "./atomic-writer.ts";
import type { Mounter } from "./mounter.ts";
import {
  configMapPayload,
  defaultVolumeMode,
  downwardAPIPayload,
  type Payload,
  type ProjectionContext,
  projectedPayload,
  secretPayload,
  TokenCache,
  VolumeError,
} from "./projection.ts";

export interface MountedVolume {
  readonly hostPath: string;
  /** Volumes the kubelet writes (configMap, secret, ...) are read-only in containers. */
  readonly readOnly: boolean;
}

export interface VolumeManagerOptions {
  /** The kubelet's root directory (upstream /var/lib/kubelet). */
  readonly rootDir: string;
  readonly objects: PodObjects;
  readonly mounter: Mounter;
  readonly clock: Clock;
  readonly allocatable: Readonly<Record<string, string>>;
}

/** Upstream `hostPathTypeChecker`: what must already be at the path, or be created. */
export function checkHostPath(source: HostPathVolumeSource): void {
  const { path, type = "" } = source;
  const stat = () => (existsSync(path) ? statSync(path) : undefined);
  const fail = (what: string) => {
    throw new VolumeError(`hostPath type check failed: ${path} is not a ${what}`);
  };
  switch (type) {
    case "":
      return;
    case "DirectoryOrCreate":
      if (!existsSync(path)) mkdirSync(path, { recursive: true, mode: 0o755 });
      else if (!stat()?.isDirectory()) fail("directory");
      return;
    case "FileOrCreate":
      if (!existsSync(path)) writeFileSync(path, "", { mode: 0o644 });
      else if (!stat()?.isFile()) fail("file");
      return;
    case "Directory":
      if (!stat()?.isDirectory()) fail("directory");
      return;
    case "File":
      if (!stat()?.isFile()) fail("file");
      return;
    case "Socket":
      if (!stat()?.isSocket()) fail("socket");
      return;
    case "CharDevice":
      if (!stat()?.isCharacterDevice()) fail("character device");
      return;
    case "BlockDevice":
      if (!stat()?.isBlockDevice()) fail("block device");
      return;
  }
}

const pluginOf = (v: Volume): string | undefined => {
  if (v.emptyDir) return "empty-dir";
  if (v.configMap) return "configmap";
  if (v.secret) return "secret";
  if (v.downwardAPI) return "downward-api";
  if (v.projected) return "projected";
  return undefined;
};

export class VolumeManager {
  readonly #o: VolumeManagerOptions;
  readonly tokens: TokenCache;

  constructor(options: VolumeManagerOptions) {
    this.#o = options;
    this.tokens = new TokenCache(options.objects, options.clock);
  }

  podDir(uid: string): string {
    return join(this.#o.rootDir, "pods", uid);
  }

  /** Pod uids that still have a directory (to clean up after a restart). */
  podsOnDisk(): string[] {
    const dir = join(this.#o.rootDir, "pods");
    return existsSync(dir) ? readdirSync(dir) : [];
  }

  /** Makes every volume of the pod ready; name → where it is on the host. */
  async setUpPod(pod: Pod, ips: PodIPs): Promise<Map<string, MountedVolume>> {
    const out = new Map<string, MountedVolume>();
    const ctx: ProjectionContext = {
      pod,
      objects: this.#o.objects,
      ips,
      allocatable: this.#o.allocatable,
      tokens: this.tokens,
    };
    for (const v of pod.spec?.volumes ?? []) {
      try {
        out.set(v.name, await this.#setUp(pod, v, ctx));
      } catch (err) {
        const message = err instanceof VolumeError ? err.message : (err as Error).message;
        throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : ${message}`);
      }
    }
    return out;
  }

  async #setUp(pod: Pod, v: Volume, ctx: ProjectionContext): Promise<MountedVolume> {
    if (v.hostPath) {
      checkHostPath(v.hostPath);
      return { hostPath: v.hostPath.path, readOnly: false };
    }
    if (v.persistentVolumeClaim) return this.#claim(pod, v.persistentVolumeClaim);
    const plugin = pluginOf(v);
    if (!plugin) throw new VolumeError("volume type not supported by this node");
    const dir = join(
      this.podDir(pod.metadata?.uid ?? ""),
      "volumes",
      `kubernetes.io~${plugin}`,
      v.name,
    );
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    if (v.emptyDir) {
      if (v.emptyDir.medium === "Memory") {
        const size = v.emptyDir.sizeLimit ? parseQuantity(String(v.emptyDir.sizeLimit)).value() : 0;
        await this.#o.mounter.mountTmpfs(dir, size > 0 ? { sizeBytes: size } : {});
      }
      return { hostPath: dir, readOnly: false };
    }
    let payload: Payload;
    if (v.configMap) {
      payload = await configMapPayload(
        ctx,
        v.configMap,
        v.configMap.defaultMode ?? defaultVolumeMode,
      );
    } else if (v.secret) {
      await this.#o.mounter.mountTmpfs(dir);
      payload = await secretPayload(
        ctx,
        { ...v.secret, name: v.secret.secretName ?? "" },
        v.secret.defaultMode ?? defaultVolumeMode,
      );
    } else if (v.downwardAPI) {
      payload = downwardAPIPayload(
        ctx,
        v.downwardAPI.items,
        v.downwardAPI.defaultMode ?? defaultVolumeMode,
      );
    } else {
      await this.#o.mounter.mountTmpfs(dir);
      const projected = v.projected!;
      payload = await projectedPayload(
        ctx,
        projected.sources,
        projected.defaultMode ?? defaultVolumeMode,
      );
    }
    writeAtomic(dir, payload);
    return { hostPath: dir, readOnly: true };
  }

  async #claim(
    pod: Pod,
    source: { claimName: string; readOnly?: boolean },
  ): Promise<MountedVolume> {
    const ns = pod.metadata?.namespace ?? "default";
    const claim = await this.#o.objects.persistentVolumeClaim(ns, source.claimName);
    if (!claim) throw new VolumeError(`persistentvolumeclaim "${source.claimName}" not found`);
    const pvName = claim.spec?.volumeName;
    if (!pvName || claim.status?.phase !== "Bound") {
      throw new VolumeError(`error processing PVC ${ns}/${source.claimName}: PVC is not bound`);
    }
    const pv = await this.#o.objects.persistentVolume(pvName);
    if (!pv) throw new VolumeError(`persistentvolume "${pvName}" not found`);
    const readOnly = Boolean(source.readOnly);
    if (pv.spec?.hostPath) {
      checkHostPath({ ...pv.spec.hostPath, type: pv.spec.hostPath.type || "DirectoryOrCreate" });
      return { hostPath: pv.spec.hostPath.path, readOnly };
    }
    if (pv.spec?.local) {
      checkHostPath({ path: pv.spec.local.path, type: "Directory" });
      return { hostPath: pv.spec.local.path, readOnly };
    }
    throw new VolumeError(`persistentvolume "${pvName}" has a volume type this node cannot mount`);
  }

  /** Unmounts and removes everything the pod had on the node. */
  async tearDownPod(uid: string): Promise<void> {
    const dir = this.podDir(uid);
    for (const point of await this.#o.mounter.mountPointsUnder(dir)) {
      await this.#o.mounter.unmount(point);
    }
    const left = await this.#o.mounter.mountPointsUnder(dir);
    if (left.length > 0) throw new Error(`still mounted, not removing ${dir}: ${left.join(", ")}`);
    await rm(dir, { recursive: true, force: true });
    this.tokens.forget(uid);
  }
}
