/**
 * The tar writer and reader: round trips (long names through ustar prefix and PAX, symlinks,
 * modes), agreement with GNU tar, and corrupt or truncated archives reported as TarFormatError.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { readTar, type TarEntry, TarFormatError, writeTar } from "./tar.ts";

const longDir = `${"d".repeat(90)}/${"e".repeat(90)}`;
const entries: TarEntry[] = [
  { type: "dir", path: "bin" },
  { type: "file", path: "bin/tool", data: Buffer.from("#!/bin/sh\necho hi\n"), mode: 0o755 },
  { type: "symlink", path: "bin/sh", target: "tool" },
  { type: "file", path: `${longDir}/file.txt`, data: Buffer.from("prefix") },
  { type: "file", path: `${"x".repeat(300)}.txt`, data: Buffer.from("pax") },
  { type: "symlink", path: "far", target: `/${"t".repeat(150)}` },
  { type: "file", path: "empty", data: Buffer.alloc(0) },
];

async function readAll(tar: Buffer, keep = () => true) {
  const out = [];
  for await (const e of readTar(Readable.from([tar]), keep)) out.push(e);
  return out;
}

describe("tar", () => {
  it("round-trips entries, including long names and link targets", async () => {
    const tar = writeTar(entries);
    assert.equal(tar.length % 512, 0);
    const read = await readAll(tar);
    assert.deepEqual(
      read.map((e) => [e.path, e.type, e.linkname]),
      [
        ["bin/", "dir", ""],
        ["bin/tool", "file", ""],
        ["bin/sh", "symlink", "tool"],
        [`${longDir}/file.txt`, "file", ""],
        [`${"x".repeat(300)}.txt`, "file", ""],
        ["far", "symlink", `/${"t".repeat(150)}`],
        ["empty", "file", ""],
      ],
    );
    assert.equal(read[1]!.data?.toString(), "#!/bin/sh\necho hi\n");
    assert.equal(read[4]!.data?.toString(), "pax");
  });

  it("is reproducible", () => {
    assert.deepEqual(writeTar(entries), writeTar(entries));
  });

  it("reads in small chunks and keeps only the files asked for", async () => {
    const tar = writeTar(entries);
    const chunks = [];
    for (let i = 0; i < tar.length; i += 97) chunks.push(tar.subarray(i, i + 97));
    const read = [];
    for await (const e of readTar(Readable.from(chunks), (p) => p === "bin/tool")) read.push(e);
    assert.equal(read.length, entries.length);
    assert.equal(read.filter((e) => e.data).length, 1);
  });

  it("agrees with GNU tar", () => {
    const dir = mkdtempSync(join(tmpdir(), "bosun-tar-"));
    try {
      writeFileSync(join(dir, "a.tar"), writeTar(entries));
      const list = spawnSync("tar", ["-tvf", join(dir, "a.tar")], { encoding: "utf8" });
      assert.equal(list.status, 0, list.stderr);
      assert.match(list.stdout, /-rwxr-xr-x root\/root\s+18 1970-01-01 00:00 bin\/tool/);
      assert.match(list.stdout, /bin\/sh -> tool/);
      assert.ok(list.stdout.includes(`${"x".repeat(300)}.txt`));
      assert.ok(list.stdout.includes(`${longDir}/file.txt`));
      const extract = spawnSync("tar", ["-xf", "a.tar", "-O", `${"x".repeat(300)}.txt`], {
        cwd: dir,
        encoding: "utf8",
      });
      assert.equal(extract.stdout, "pax");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects a corrupt header, a truncated archive and one without an end", async () => {
    const tar = writeTar(entries);
    const corrupt = Buffer.from(tar);
    corrupt[520] = (corrupt[520] ?? 0) ^ 0xff;
    await assert.rejects(readAll(corrupt), TarFormatError);
    await assert.rejects(readAll(tar.subarray(0, 700)), /truncated/);
    await assert.rejects(readAll(tar.subarray(0, tar.length - 1024)), /truncated/);
    await assert.rejects(readAll(Buffer.from("garbage")), TarFormatError);
  });
});
