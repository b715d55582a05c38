/**
 * Airgap import against a fake image store: OCI and docker archives, plain, gzip and zstd; a
 * second start skips what is imported (by archive digest); a changed archive or a removed image
 * is imported again; corrupt archives are reported without stopping the others; long imports log
 * progress on the injected clock.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { gzipSync, zstdCompressSync } from "node:zlib";
import { FakeClock } from "../../machinery/clock.ts";
import { createLogger } from "../../machinery/log.ts";
import { FakeImageStore, type StoredImage } from "./image-store.ts";
import { ARCHIVE_DIGEST_LABEL, importImageTarballs } from "./import-tarballs.ts";
import { buildOciImage, ociArchive, sha256 } from "./oci-image.ts";
import { normalizeImageReference } from "./reference.ts";
import { readTar, writeTar } from "./tar.ts";

const oci = (names: string[], content = "x") =>
  ociArchive([
    buildOciImage({
      files: [{ type: "file", path: "f", data: Buffer.from(content) }],
      config: {},
      names,
    }),
  ]);

const dockerArchive = (tags: string[]) =>
  writeTar([
    {
      type: "file",
      path: "manifest.json",
      data: Buffer.from(JSON.stringify([{ Config: "c.json", RepoTags: tags, Layers: [] }])),
    },
    { type: "file", path: "c.json", data: Buffer.from("{}") },
  ]);

/** What containerd would report after importing: names and digests read from the archive. */
async function namesIn(archive: Buffer): Promise<StoredImage[]> {
  const out: StoredImage[] = [];
  for await (const e of readTar(Readable.from([archive]), (p) => p.endsWith(".json"))) {
    if (e.path === "index.json") {
      for (const m of JSON.parse(e.data!.toString()).manifests) {
        out.push({ name: m.annotations["io.containerd.image.name"], digest: m.digest, labels: {} });
      }
    } else if (e.path === "manifest.json") {
      for (const t of JSON.parse(e.data!.toString())[0].RepoTags) {
        out.push({ name: normalizeImageReference(t), digest: sha256(e.data!), labels: {} });
      }
    }
  }
  return out;
}

describe("importImageTarballs", () => {
  let dir: string;
  let lines: string[];
  const log = () => createLogger("images", { sink: { write: (l) => lines.push(l) } });
  const store = new FakeImageStore();
  store.onImport = namesIn;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "bosun-airgap-"));
    writeFileSync(join(dir, "a-busybox.tar"), oci(["busybox:1.36", "busybox:latest"]));
    writeFileSync(
      join(dir, "b-docker.tar.gz"),
      gzipSync(dockerArchive(["nginx:1.27", "example.com/app:1"])),
    );
    writeFileSync(join(dir, "c-redis.tar.zst"), zstdCompressSync(oci(["redis:7"])));
    writeFileSync(join(dir, "d-garbage.tar"), "this is not a tar file at all".repeat(40));
    writeFileSync(join(dir, "e-truncated.tar.gz"), gzipSync(oci(["x:1"])).subarray(0, 300));
    writeFileSync(
      join(dir, "f-not-an-image.tar"),
      writeTar([{ type: "file", path: "hello", data: Buffer.from("hi") }]),
    );
    writeFileSync(join(dir, "images.txt"), "docker.io/library/nginx:1.27\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("returns nothing for a missing directory", async () => {
    assert.deepEqual(await importImageTarballs(join(dir, "absent"), { socket: "", store }), []);
  });

  it("imports every archive and reports the bad ones without stopping", async () => {
    lines = [];
    const results = await importImageTarballs(dir, { socket: "", store, log: log() });
    assert.deepEqual(
      results.map((r) => [r.file.slice(dir.length + 1), r.status, r.names.join(",")]),
      [
        [
          "a-busybox.tar",
          "imported",
          "docker.io/library/busybox:1.36,docker.io/library/busybox:latest",
        ],
        ["b-docker.tar.gz", "imported", "docker.io/library/nginx:1.27,example.com/app:1"],
        ["c-redis.tar.zst", "imported", "docker.io/library/redis:7"],
        ["d-garbage.tar", "failed", ""],
        ["e-truncated.tar.gz", "failed", ""],
        ["f-not-an-image.tar", "failed", ""],
      ],
    );
    assert.match(results[3]!.error!, /checksum|corrupt/);
    assert.match(results[4]!.error!, /unexpected end of file|truncated/);
    assert.match(results[5]!.error!, /not an image archive/);
    assert.equal(store.imported.length, 3, "bad archives never reach containerd");
    const busybox = store.images.get("docker.io/library/busybox:1.36")!;
    assert.equal(busybox.labels[ARCHIVE_DIGEST_LABEL], results[0]!.digest);
    assert.ok(lines.some((l) => l.includes("level=error") && l.includes("d-garbage.tar")));
    assert.ok(
      lines.some((l) => l.includes('msg="importing image archive"') && l.includes("archive=1/6")),
    );
  });

  it("skips archives already imported, and re-imports changed or removed ones", async () => {
    lines = [];
    const second = await importImageTarballs(dir, { socket: "", store, log: log() });
    assert.deepEqual(
      second.slice(0, 3).map((r) => r.status),
      ["skipped", "skipped", "skipped"],
    );
    assert.equal(store.imported.length, 3);
    writeFileSync(join(dir, "a-busybox.tar"), oci(["busybox:1.36", "busybox:latest"], "changed"));
    store.images.delete("docker.io/library/redis:7");
    const third = await importImageTarballs(dir, { socket: "", store });
    assert.deepEqual(
      third.slice(0, 3).map((r) => r.status),
      ["imported", "skipped", "imported"],
    );
    assert.equal(store.imported.length, 5);
  });

  it("logs progress of a long import on the injected clock", async () => {
    const slow = mkdtempSync(join(tmpdir(), "bosun-airgap-slow-"));
    try {
      writeFileSync(join(slow, "big.tar"), oci(["big:1"]));
      const clock = new FakeClock();
      let release = () => {};
      const waiting = new FakeImageStore();
      waiting.onImport = async (archive) => {
        clock.advance(25_000);
        await new Promise<void>((r) => (release = r));
        return namesIn(archive);
      };
      lines = [];
      const done = importImageTarballs(slow, { socket: "", store: waiting, log: log(), clock });
      while (!lines.some((l) => l.includes("still importing")))
        await new Promise((r) => setImmediate(r));
      assert.equal(lines.filter((l) => l.includes("still importing")).length, 2);
      release();
      const [result] = await done;
      assert.equal(result!.status, "imported");
      assert.equal(result!.ms, 25_000);
    } finally {
      rmSync(slow, { recursive: true, force: true });
    }
  });
});
