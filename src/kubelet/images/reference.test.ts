/** Image references normalised as `docker pull` and containerd read them. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  InvalidReferenceError,
  normalizeImageReference,
  parseImageReference,
} from "./reference.ts";

describe("image references", () => {
  it("normalises as Docker does", () => {
    const cases: [string, string][] = [
      ["nginx", "docker.io/library/nginx:latest"],
      ["nginx:1.27", "docker.io/library/nginx:1.27"],
      ["library/nginx", "docker.io/library/nginx:latest"],
      ["bitnami/redis:7", "docker.io/bitnami/redis:7"],
      ["index.docker.io/library/busybox:1.36", "docker.io/library/busybox:1.36"],
      ["registry.k8s.io/pause:3.10.1", "registry.k8s.io/pause:3.10.1"],
      ["127.0.0.1:5000/app", "127.0.0.1:5000/app:latest"],
      ["localhost/app:v1", "localhost/app:v1"],
      [`busybox@sha256:${"a".repeat(64)}`, `docker.io/library/busybox@sha256:${"a".repeat(64)}`],
      [
        `busybox:1@sha256:${"a".repeat(64)}`,
        `docker.io/library/busybox:1@sha256:${"a".repeat(64)}`,
      ],
    ];
    for (const [input, want] of cases) assert.equal(normalizeImageReference(input), want, input);
  });

  it("splits domain, path, tag and digest", () => {
    assert.deepEqual(parseImageReference("quay.io/org/tool:2"), {
      domain: "quay.io",
      path: "org/tool",
      tag: "2",
    });
    assert.deepEqual(parseImageReference("host:5000/a/b"), { domain: "host:5000", path: "a/b" });
  });

  it("rejects what Docker rejects", () => {
    for (const bad of [
      "",
      "Nginx",
      "nginx:",
      "nginx:-x",
      "a//b",
      "nginx@sha256:short",
      "UPPER/case",
    ]) {
      assert.throws(() => parseImageReference(bad), InvalidReferenceError, bad);
    }
  });
});
