/**
 * The pause image: built from catatonit as `/pause -P` running as 65535, imported once, skipped
 * while containerd holds the same digest, re-imported when it differs, and a clear error when
 * catatonit is missing.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { ARCHIVE_DIGEST_LABEL, FakeImageStore } from "./image-store.ts";
import { buildPauseImage, ensurePauseImage, PAUSE_IMAGE, PauseImageError } from "./pause-image.ts";

describe("pause image", () => {
  let dir: string;
  let catatonitPath: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "bosun-pause-"));
    catatonitPath = join(dir, "catatonit");
    writeFileSync(catatonitPath, "\x7fELF fake static binary");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("runs catatonit in pause mode as the nobody user", async () => {
    const image = await buildPauseImage({ catatonitPath });
    assert.deepEqual(image.names, [PAUSE_IMAGE]);
    assert.equal(PAUSE_IMAGE, "registry.k8s.io/pause:3.10.1");
    const manifest = JSON.parse(image.blobs.get(image.manifest.digest)!.toString());
    const config = JSON.parse(image.blobs.get(manifest.config.digest)!.toString());
    assert.deepEqual(config.config.Entrypoint, ["/pause", "-P"]);
    assert.equal(config.config.User, "65535:65535");
    const layer = gunzipSync(image.blobs.get(manifest.layers[0].digest)!);
    assert.ok(layer.includes("fake static binary"));
  });

  it("imports once and skips while the same digest is present", async () => {
    const store = new FakeImageStore();
    const built = await buildPauseImage({ catatonitPath });
    store.onImport = () => [{ name: PAUSE_IMAGE, digest: built.manifest.digest, labels: {} }];
    assert.equal(await ensurePauseImage({ socket: "/nowhere", catatonitPath, store }), PAUSE_IMAGE);
    assert.equal(await ensurePauseImage({ socket: "/nowhere", catatonitPath, store }), PAUSE_IMAGE);
    assert.equal(store.imported.length, 1);
    store.images.set(PAUSE_IMAGE, {
      name: PAUSE_IMAGE,
      digest: `sha256:${"0".repeat(64)}`,
      labels: {},
    });
    await ensurePauseImage({ socket: "/nowhere", catatonitPath, store });
    assert.equal(store.imported.length, 2, "a different digest is replaced");
    const fromAirgap = { [ARCHIVE_DIGEST_LABEL]: `sha256:${"1".repeat(64)}` };
    store.images.set(PAUSE_IMAGE, {
      name: PAUSE_IMAGE,
      digest: `sha256:${"2".repeat(64)}`,
      labels: fromAirgap,
    });
    await ensurePauseImage({ socket: "/nowhere", catatonitPath, store });
    assert.equal(store.imported.length, 2, "one from an airgap archive is kept");
  });

  it("names a missing catatonit and wraps import failures", async () => {
    const store = new FakeImageStore();
    await assert.rejects(
      ensurePauseImage({ socket: "/nowhere", catatonitPath: join(dir, "absent"), store }),
      (err: Error) =>
        err instanceof PauseImageError &&
        /catatonit not found.*apt-get install catatonit/.test(err.message),
    );
    store.onImport = () => {
      throw new Error("connection refused");
    };
    await assert.rejects(
      ensurePauseImage({ socket: "/nowhere", catatonitPath, store }),
      /importing registry.k8s.io\/pause:3.10.1: connection refused/,
    );
  });
});
