/**
 * The few mounts the kubelet makes itself: tmpfs for emptyDir `medium: Memory`, secret and
 * projected volumes (so credentials never touch the disk, as upstream). `SystemMounter` runs
 * mount(8)/umount(8) through one long-lived shell (`shell.ts`) and reads /proc/self/mountinfo;
 * tests use `FakeMounter`.
 */
import { readFile } from "node:fs/promises";
import { Shell } from "./shell.ts";

export interface Mounter {
  mountTmpfs(dir: string, options?: { sizeBytes?: number }): Promise<void>;
  unmount(dir: string): Promise<void>;
  /** Mount points at or below `dir`, deepest first. */
  mountPointsUnder(dir: string): Promise<string[]>;
}

/** Mount points of this mount namespace, with mountinfo's octal escapes undone. */
export function parseMountInfo(text: string): string[] {
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) =>
      (line.split(" ")[4] ?? "").replace(/\\([0-7]{3})/g, (_, o: string) =>
        String.fromCharCode(Number.parseInt(o, 8)),
      ),
    );
}

const below = (points: string[], dir: string) =>
  points.filter((p) => p === dir || p.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);

export class SystemMounter implements Mounter {
  /** Mounts made by this process (or found at the first check), to skip re-reading mountinfo. */
  #known: Set<string> | undefined;
  /** A few shells, so that 30 pods starting at once do not queue behind one. */
  readonly #shells = Array.from({ length: 4 }, () => new Shell());
  #turn = 0;

  async #run(argv: string[]): Promise<void> {
    const shell = this.#shells[this.#turn++ % this.#shells.length]!;
    const r = await shell.run(argv);
    if (r.code !== 0) throw new Error(`${argv.join(" ")}: ${r.output.trim() || `exit ${r.code}`}`);
  }

  async #mounted(): Promise<Set<string>> {
    this.#known ??= new Set(parseMountInfo(await readFile("/proc/self/mountinfo", "utf8")));
    return this.#known;
  }

  async mountTmpfs(dir: string, options: { sizeBytes?: number } = {}): Promise<void> {
    const known = await this.#mounted();
    if (known.has(dir)) return;
    const opts = ["mode=0755", ...(options.sizeBytes ? [`size=${options.sizeBytes}`] : [])];
    await this.#run(["mount", "-t", "tmpfs", "-o", opts.join(","), "tmpfs", dir]);
    known.add(dir);
  }

  async unmount(dir: string): Promise<void> {
    try {
      await this.#run(["umount", dir]);
    } catch {
      await this.#run(["umount", "-l", dir]); // busy: detach now, freed when the last user goes
    }
    this.#known?.delete(dir);
  }

  async mountPointsUnder(dir: string): Promise<string[]> {
    return below(parseMountInfo(await readFile("/proc/self/mountinfo", "utf8")), dir);
  }
}

export class FakeMounter implements Mounter {
  readonly mounts = new Set<string>();

  async mountTmpfs(dir: string): Promise<void> {
    this.mounts.add(dir);
  }

  async unmount(dir: string): Promise<void> {
    this.mounts.delete(dir);
  }

  async mountPointsUnder(dir: string): Promise<string[]> {
    return below([...this.mounts], dir);
  }
}
