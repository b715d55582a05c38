/**
 * The node side of Bosun's local-path storage (see `src/api/storage/local-path.ts`): every agent
 * watches the local-path PersistentVolumes labelled for its node, creates each volume's
 * directory under its storage dir as soon as the volume exists (mode 0777, as k3s does, so
 * non-root containers can write), and when a volume is deleted removes the directory and then
 * the volume's `local-path.bosun.dev/cleanup` finalizer, which lets the object go. At start it
 * publishes its storage dir in its Node's `local-path.bosun.dev/storage-dir` annotation, where
 * the provisioner reads it.
 *
 * Why a watcher in the agent rather than the kubelet's mount path: a directory must be removed
 * when its volume is deleted, long after the last pod that mounted it is gone (StatefulSet
 * scale-down keeps claims), and only the node can touch its disk. The kubelet still creates a
 * missing directory when it mounts the volume (hostPath DirectoryOrCreate), so a pod never
 * waits for this watcher. Paths outside the storage dir are never created or removed.
 *
 * The filesystem is a small seam (`LocalPathFs`): `hostLocalPathFs` on real nodes,
 * `simulatedLocalPathFs` (does nothing) on simulated ones, which still release the finalizer.
 * One instance may serve several simulated nodes that share one identity.
 */
import { chmod, mkdir, rm } from "node:fs/promises";
import { resolve, sep } from "node:path";
import type { Node, PersistentVolume as PVType } from "../api/generated/types.ts";
import type { KubeObject } from "../api/object.ts";
import {
  localPathCleanupFinalizer,
  localPathNodeLabel,
  localPathStorageDirAnnotation,
} from "../api/storage/local-path.ts";
import { runWorkers } from "../client/controller.ts";
import { Informer } from "../client/informer.ts";
import { resourcePath, resources } from "../client/resources.ts";
import type { RestClient } from "../client/rest-client.ts";
import { WorkQueue } from "../client/work-queue.ts";
import { untilAborted } from "../machinery/abort.ts";
import { type Logger, silentLogger } from "../machinery/log.ts";
import { isStatusError } from "../machinery/status.ts";

type PersistentVolume = PVType & KubeObject;

export interface LocalPathFs {
  /** Creates the directory and its parents if missing, writable by everyone. */
  ensureDir(path: string): Promise<void>;
  /** Removes the directory and everything in it; a missing one is fine. */
  removeDir(path: string): Promise<void>;
}

export const hostLocalPathFs: LocalPathFs = {
  async ensureDir(path) {
    await mkdir(path, { recursive: true, mode: 0o777 });
    await chmod(path, 0o777);
  },
  async removeDir(path) {
    await rm(path, { recursive: true, force: true });
  },
};

/** Simulated nodes have no disk. */
export const simulatedLocalPathFs: LocalPathFs = {
  async ensureDir() {},
  async removeDir() {},
};

export interface LocalPathStorageOptions {
  readonly client: RestClient;
  /** The node this agent runs, or the simulated nodes of one process (sharing `client`). */
  readonly nodeNames: readonly string[];
  /** `<data dir>/storage`. */
  readonly storageDir: string;
  readonly fs: LocalPathFs;
  readonly log?: Logger;
  /** Publish `storageDir` on the Node objects (default true). */
  readonly publish?: boolean;
  /** Retry delay while the Node is not registered yet (default 1 s). */
  readonly retryMs?: number;
}

/** Is `path` strictly inside `dir`? */
export function isInside(dir: string, path: string): boolean {
  const root = resolve(dir) + sep;
  return resolve(path).startsWith(root) && resolve(path) !== resolve(dir);
}

export class LocalPathStorage {
  readonly #o: LocalPathStorageOptions;
  readonly #log: Logger;
  readonly #nodes: ReadonlySet<string>;
  readonly #volumes: Informer<PersistentVolume>;
  readonly #queue = new WorkQueue<string>({ maxDelayMs: 60_000 });
  readonly #created = new Set<string>();
  readonly #warned = new Set<string>();

  constructor(options: LocalPathStorageOptions) {
    this.#o = options;
    this.#log = (options.log ?? silentLogger).with({ component: "local-path" });
    this.#nodes = new Set(options.nodeNames);
    const [only] = options.nodeNames;
    this.#volumes = new Informer<PersistentVolume>({
      client: options.client,
      resource: resources.persistentvolumes,
      labelSelector:
        options.nodeNames.length === 1 ? `${localPathNodeLabel}=${only}` : localPathNodeLabel,
      log: this.#log,
    });
    const changed = (pv: PersistentVolume) => this.#queue.add(pv.metadata?.name ?? "");
    this.#volumes.addHandlers({
      onAdd: changed,
      onUpdate: (_, pv) => changed(pv),
      onDelete: (pv) => this.#created.delete(pv.metadata?.name ?? ""),
    });
  }

  /** Creates or cleans up one volume's directory. */
  async syncVolume(name: string): Promise<void> {
    const pv = this.#volumes.getByKey(name);
    if (!pv || !this.#nodes.has(pv.metadata?.labels?.[localPathNodeLabel] ?? "")) return;
    const path = pv.spec?.hostPath?.path ?? pv.spec?.local?.path ?? "";
    const inside = path !== "" && isInside(this.#o.storageDir, path);
    if (!inside && !this.#warned.has(name)) {
      this.#warned.add(name);
      this.#log.warn("local-path volume outside the storage dir; not touching it", {
        volume: name,
        path,
        storageDir: this.#o.storageDir,
      });
    }
    if (pv.metadata?.deletionTimestamp) {
      const finalizers = pv.metadata.finalizers ?? [];
      if (!finalizers.includes(localPathCleanupFinalizer)) return;
      if (inside) await this.#o.fs.removeDir(path);
      await this.#o.client.patch(resourcePath(resources.persistentvolumes, "", name), "merge", {
        metadata: {
          finalizers: finalizers.filter((f) => f !== localPathCleanupFinalizer),
          resourceVersion: pv.metadata.resourceVersion,
        },
      });
      this.#created.delete(name);
      this.#log.info("deleted local-path volume", { volume: name, path });
      return;
    }
    if (!inside || this.#created.has(name)) return;
    await this.#o.fs.ensureDir(path);
    this.#created.add(name);
    this.#log.info("created local-path volume", { volume: name, path });
  }

  /** Publishes the storage dir on a Node, waiting for the kubelet to register it. */
  async #publish(nodeName: string, signal: AbortSignal): Promise<void> {
    const path = resourcePath(resources.nodes, "", nodeName);
    while (!signal.aborted) {
      try {
        const node = await this.#o.client.get<Node>(path);
        const current = node.metadata?.annotations?.[localPathStorageDirAnnotation];
        if (current !== this.#o.storageDir) {
          await this.#o.client.patch(path, "merge", {
            metadata: { annotations: { [localPathStorageDirAnnotation]: this.#o.storageDir } },
          });
        }
        return;
      } catch (err) {
        if (!isStatusError(err, "NotFound")) {
          this.#log.warn("cannot publish the local-path storage dir; retrying", { err });
        }
        await new Promise((r) => setTimeout(r, this.#o.retryMs ?? 1000));
      }
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    const publishing =
      this.#o.publish === false ? [] : this.#o.nodeNames.map((n) => this.#publish(n, signal));
    const informer = this.#volumes.run(signal);
    const aborted = untilAborted(signal);
    await Promise.race([this.#volumes.synced(), aborted]);
    await Promise.all([
      runWorkers({
        queue: this.#queue,
        workers: 2,
        sync: (name) => this.syncVolume(name),
        log: this.#log,
        signal,
      }),
      informer,
      ...publishing,
    ]);
  }
}
