/** `ctr images ls` output parsed into names, manifest digests and labels; CRI's ID rows dropped. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCtrImageList } from "./image-store.ts";

const d1 = `sha256:${"a".repeat(64)}`;
const d2 = `sha256:${"b".repeat(64)}`;

describe("parseCtrImageList", () => {
  it("reads REF, DIGEST and LABELS around the two-word SIZE", () => {
    const out = [
      "REF                            TYPE                                       DIGEST SIZE      PLATFORMS   LABELS",
      `registry.k8s.io/pause:3.10.1   application/vnd.oci.image.manifest.v1+json ${d1} 315.2 KiB linux/amd64 io.bosun.image-archive=${d2},io.cri-containerd.image=managed`,
      `sha256:${"c".repeat(64)} application/vnd.oci.image.manifest.v1+json ${d1} 315.2 KiB linux/amd64 io.cri-containerd.image=managed`,
      `docker.io/library/busybox:1.36 application/vnd.oci.image.manifest.v1+json ${d2} 1.0 MiB linux/amd64 -`,
      "",
    ].join("\n");
    assert.deepEqual(parseCtrImageList(out), [
      {
        name: "registry.k8s.io/pause:3.10.1",
        digest: d1,
        labels: { "io.bosun.image-archive": d2, "io.cri-containerd.image": "managed" },
      },
      { name: "docker.io/library/busybox:1.36", digest: d2, labels: {} },
    ]);
  });

  it("returns nothing for an empty store", () => {
    assert.deepEqual(parseCtrImageList("REF TYPE DIGEST SIZE PLATFORMS LABELS \n"), []);
  });
});
