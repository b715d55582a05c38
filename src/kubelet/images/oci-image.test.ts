/**
 * OCI images built in memory: reproducible digests, a manifest/config/index shaped as the image
 * spec says, names in both annotations, the layer holding the files, and layout directories.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import {
  ANNOTATION_IMAGE_NAME,
  ANNOTATION_REF_NAME,
  buildOciImage,
  goArch,
  MEDIA_TYPE_LAYER_GZIP,
  MEDIA_TYPE_MANIFEST,
  ociArchive,
  sha256,
  writeOciLayout,
} from "./oci-image.ts";
import { readTar } from "./tar.ts";

const build = () =>
  buildOciImage({
    files: [
      { type: "dir", path: "bin" },
      { type: "file", path: "bin/hello", data: Buffer.from("hello"), mode: 0o755 },
    ],
    config: {
      entrypoint: ["/bin/hello"],
      cmd: ["x"],
      exposedPorts: ["80/tcp"],
      stopSignal: "SIGQUIT",
      user: "1:1",
    },
    names: ["hello:1", "hello", "registry.k8s.io/hello:2"],
    architecture: "amd64",
  });

type Json = Record<string, unknown> & {
  layers: { digest: string; mediaType: string }[];
  config: Record<string, unknown> & { digest: string };
};

describe("OCI images", () => {
  it("is reproducible", () => {
    assert.equal(build().manifest.digest, build().manifest.digest);
    assert.deepEqual(ociArchive([build()]), ociArchive([build()]));
  });

  it("has a manifest, a config and one gzip layer with the files", async () => {
    const image = build();
    assert.deepEqual(image.names, [
      "docker.io/library/hello:1",
      "docker.io/library/hello:latest",
      "registry.k8s.io/hello:2",
    ]);
    const manifest = JSON.parse(image.blobs.get(image.manifest.digest)!.toString()) as Json;
    assert.equal(manifest.mediaType, MEDIA_TYPE_MANIFEST);
    assert.equal(manifest.schemaVersion, 2);
    assert.equal(manifest.layers[0]!.mediaType, MEDIA_TYPE_LAYER_GZIP);
    const config = JSON.parse(image.blobs.get(manifest.config.digest)!.toString());
    assert.equal(config.architecture, "amd64");
    assert.equal(config.os, "linux");
    assert.deepEqual(config.config.Entrypoint, ["/bin/hello"]);
    assert.deepEqual(config.config.Cmd, ["x"]);
    assert.deepEqual(config.config.ExposedPorts, { "80/tcp": {} });
    assert.equal(config.config.StopSignal, "SIGQUIT");
    assert.equal(config.config.User, "1:1");
    const layer = gunzipSync(image.blobs.get(manifest.layers[0]!.digest)!);
    assert.deepEqual(config.rootfs.diff_ids, [sha256(layer)]);
    const paths = [];
    for await (const e of readTar(Readable.from([layer]))) paths.push(e.path);
    assert.deepEqual(paths, ["bin/", "bin/hello"]);
    for (const [digest, data] of image.blobs) assert.equal(sha256(data), digest);
  });

  it("archives as an OCI layout naming each image in both annotations", async () => {
    const files = new Map<string, Buffer>();
    for await (const e of readTar(Readable.from([ociArchive([build()])]), () => true)) {
      if (e.data) files.set(e.path, e.data);
    }
    assert.deepEqual(JSON.parse(files.get("oci-layout")!.toString()), {
      imageLayoutVersion: "1.0.0",
    });
    const index = JSON.parse(files.get("index.json")!.toString());
    assert.deepEqual(
      index.manifests.map((m: { annotations: Record<string, string> }) => [
        m.annotations[ANNOTATION_IMAGE_NAME],
        m.annotations[ANNOTATION_REF_NAME],
      ]),
      [
        ["docker.io/library/hello:1", "1"],
        ["docker.io/library/hello:latest", "latest"],
        ["registry.k8s.io/hello:2", "2"],
      ],
    );
    assert.equal([...files.keys()].filter((p) => p.startsWith("blobs/sha256/")).length, 3);
  });

  it("writes a layout directory, keeping blobs already there", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bosun-oci-"));
    try {
      const image = build();
      await writeOciLayout(dir, [image]);
      await writeOciLayout(dir, [image]);
      const blob = readFileSync(join(dir, "blobs", "sha256", image.manifest.digest.slice(7)));
      assert.equal(sha256(blob), image.manifest.digest);
      assert.equal(JSON.parse(readFileSync(join(dir, "index.json"), "utf8")).manifests.length, 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("maps Node's architecture names to Go's", () => {
    assert.equal(goArch("x64"), "amd64");
    assert.equal(goArch("arm64"), "arm64");
    assert.equal(goArch("s390x"), "s390x");
  });
});
