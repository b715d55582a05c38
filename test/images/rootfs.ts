/**
 * A container root filesystem assembled from this host's Debian packages: files, directories and
 * symlinks keyed by path (parents added automatically), host binaries with the shared libraries
 * `ldd` says they need, busybox with one symlink per applet, and the minimal /etc a program
 * expects. `entries()` feeds `buildOciImage`.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, realpathSync, statSync } from "node:fs";
import type { TarEntry } from "../../src/kubelet/images/tar.ts";

export interface ImageUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home?: string;
}

const baseUsers: ImageUser[] = [
  { name: "root", uid: 0, gid: 0, home: "/root" },
  { name: "daemon", uid: 1, gid: 1 },
  { name: "www-data", uid: 33, gid: 33, home: "/var/www" },
  { name: "nobody", uid: 65534, gid: 65534, home: "/nonexistent" },
];

export class Rootfs {
  readonly #entries = new Map<string, TarEntry>();
  readonly #users: ImageUser[] = [...baseUsers];
  /** Host files read, for the build log. */
  readonly hostFiles: string[] = [];

  dir(path: string, mode = 0o755): this {
    const p = clean(path);
    if (p === "") return this;
    this.#parents(p);
    this.#entries.set(p, { type: "dir", path: p, mode });
    return this;
  }

  file(path: string, data: string | Uint8Array, mode = 0o644): this {
    const p = clean(path);
    this.#parents(p);
    this.#entries.set(p, {
      type: "file",
      path: p,
      data: typeof data === "string" ? Buffer.from(data) : data,
      mode,
    });
    return this;
  }

  symlink(path: string, target: string): this {
    const p = clean(path);
    this.#parents(p);
    this.#entries.set(p, { type: "symlink", path: p, target });
    return this;
  }

  /** Copies a host file (following symlinks) to `imagePath` (default: the same path). */
  hostFile(hostPath: string, imagePath = hostPath, mode?: number): this {
    const real = realpathSync(hostPath);
    this.hostFiles.push(real);
    return this.file(imagePath, readFileSync(real), mode ?? statSync(real).mode & 0o7777);
  }

  /** Copies a dynamically linked host binary and every library `ldd` resolves for it. */
  binary(hostPath: string, imagePath = hostPath): this {
    this.hostFile(hostPath, imagePath);
    for (const lib of sharedLibraries(hostPath))
      if (!this.#entries.has(clean(lib))) this.hostFile(lib);
    return this;
  }

  /** Static busybox at /bin/busybox with a symlink for each applet, where busybox installs it. */
  busybox(hostPath = "/bin/busybox"): this {
    this.hostFile(hostPath, "/bin/busybox", 0o755);
    const list = spawnSync(hostPath, ["--list-full"], { encoding: "utf8" });
    if (list.status !== 0) throw new Error(`${hostPath} --list-full failed: ${list.stderr}`);
    for (const applet of list.stdout.split("\n").filter(Boolean)) {
      if (!this.#entries.has(clean(applet))) this.symlink(applet, "/bin/busybox");
    }
    return this;
  }

  user(user: ImageUser): this {
    this.#users.push(user);
    return this;
  }

  /** /etc/passwd, group, nsswitch.conf, and world-writable tmp dirs. Call last. */
  #etc(): void {
    const passwd = this.#users.map(
      (u) => `${u.name}:x:${u.uid}:${u.gid}:${u.name}:${u.home ?? "/"}:/bin/sh`,
    );
    const group = this.#users.map((u) => `${u.name}:x:${u.gid}:`);
    this.file("/etc/passwd", `${passwd.join("\n")}\n`);
    this.file("/etc/group", `${group.join("\n")}\n`);
    this.file("/etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n");
    this.dir("/tmp", 0o1777);
    this.dir("/var/tmp", 0o1777);
    this.dir("/root", 0o700);
  }

  entries(): TarEntry[] {
    this.#etc();
    return [...this.#entries.values()].sort((a, b) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
    );
  }

  #parents(path: string): void {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (!this.#entries.has(dir)) this.#entries.set(dir, { type: "dir", path: dir, mode: 0o755 });
    }
  }
}

function clean(path: string): string {
  return path.replace(/^\/+/, "").replace(/\/+$/, "");
}

/** The absolute paths of the shared libraries (and loader) `ldd` lists for a binary. */
export function sharedLibraries(binary: string): string[] {
  const ldd = spawnSync("ldd", [binary], { encoding: "utf8" });
  if (ldd.status !== 0) {
    if (/not a dynamic executable/.test(`${ldd.stdout}${ldd.stderr}`)) return [];
    throw new Error(`ldd ${binary} failed: ${ldd.stderr}`);
  }
  const libs = new Set<string>();
  for (const line of ldd.stdout.split("\n")) {
    if (/not found/.test(line)) throw new Error(`ldd ${binary}: ${line.trim()}`);
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (m?.[1]) libs.add(m[1]);
  }
  return [...libs].sort();
}
