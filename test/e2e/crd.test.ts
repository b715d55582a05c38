/**
 * CustomResourceDefinitions end to end with the real kubectl: established status, discovery and
 * OpenAPI (explain), defaulting, pruning, validation, printer columns, status and scale
 * subresources, a second served version, and cleanup when the CRD goes.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { TestServer } from "./lib/server.ts";

const crdFile = fileURLToPath(new URL("./fixtures/widget-crd.yaml", import.meta.url));
const widget = (spec: Record<string, unknown>, name = "w1") =>
  JSON.stringify({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name }, spec });

describe("custom resources", () => {
  let s: TestServer;
  before(async () => {
    s = await TestServer.start();
  });
  after(async () => {
    await s.dispose();
  });

  it("establishes a CRD and serves it in discovery and OpenAPI", async () => {
    await s.k("apply", "-f", crdFile);
    await s.k("wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=20s");
    const crd = await s.json("get", "crd", "widgets.example.com");
    assert.deepEqual(crd.metadata.finalizers, ["customresourcecleanup.apiextensions.k8s.io"]);
    assert.equal(crd.status.acceptedNames.kind, "Widget");
    assert.match(
      await s.k("api-resources", "--api-group=example.com"),
      /^widgets\s+wd\s+example.com\/v1\s+true\s+Widget$/m,
    );
    const explain = await s.k("explain", "widgets.spec");
    assert.match(explain, /color\s+<string> -required-/);
  });

  it("defaults, prunes and validates custom resources", async () => {
    const created = await s.kubectl(["create", "-f", "-", "--validate=false"], {
      input: widget({ color: "red", bogus: 1 }),
    });
    assert.equal(created.code, 0, created.stderr);
    const w = await s.json("get", "widget", "w1");
    assert.equal(w.spec.size, 3);
    assert.equal(w.spec.bogus, undefined);
    const strict = await s.kubectl(["apply", "-f", "-"], {
      input: widget({ color: "red", bogus: 1 }, "w2"),
    });
    assert.notEqual(strict.code, 0);
    assert.match(strict.stderr, /unknown field "spec.bogus"/);
    const invalid = await s.kubectl(["create", "-f", "-"], {
      input: widget({ color: "purple", size: 0 }, "w3"),
    });
    assert.notEqual(invalid.code, 0);
    assert.match(
      invalid.stderr,
      /spec.color: Unsupported value: "purple": supported values: "red", "green", "blue"/,
    );
    assert.match(
      invalid.stderr,
      /spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1/,
    );
  });

  it("prints the additional columns, wide ones with -o wide", async () => {
    const table = await s.k("get", "widgets");
    assert.match(table, /^NAME\s+COLOR\s+AGE$/m);
    assert.match(table, /^w1\s+red\s+\S+$/m);
    assert.match(await s.k("get", "wd", "-o", "wide"), /^NAME\s+COLOR\s+SIZE\s+AGE$/m);
  });

  it("separates status and supports scale, patches and a second version", async () => {
    await s.k(
      "patch",
      "widget",
      "w1",
      "--subresource=status",
      "--type=merge",
      "-p",
      '{"status":{"phase":"Ready","replicas":2}}',
    );
    await s.k(
      "patch",
      "widget",
      "w1",
      "--type=merge",
      "-p",
      '{"spec":{"color":"blue"},"status":{"phase":"Ignored"}}',
    );
    let w = await s.json("get", "widget", "w1");
    assert.equal(w.status.phase, "Ready");
    assert.equal(w.spec.color, "blue");
    assert.equal(w.metadata.generation, 2);
    await s.k("scale", "widget", "w1", "--replicas=4");
    w = await s.json("get", "widget", "w1");
    assert.equal(w.spec.replicas, 4);
    const beta = await s.json("get", "widgets.v1beta1.example.com", "w1");
    assert.equal(beta.apiVersion, "example.com/v1beta1");
    assert.equal(beta.spec.color, "blue");
    const smp = await s.kubectl([
      "patch",
      "widget",
      "w1",
      "--type=strategic",
      "-p",
      '{"spec":{"size":5}}',
    ]);
    assert.notEqual(smp.code, 0);
    assert.match(smp.stderr, /UnsupportedMediaType|unknown format/);
    const described = await s.k("describe", "widget", "w1");
    assert.match(described, /^Name:\s+w1$/m);
    const dir = mkdtempSync(join(tmpdir(), "bosun-editor-"));
    const editor = join(dir, "edit.sh");
    writeFileSync(editor, `#!/bin/sh\nsed -i 's/color: blue/color: green/' "$1"\n`);
    chmodSync(editor, 0o755);
    const edited = await s.kubectl(["edit", "widget", "w1"], { env: { KUBE_EDITOR: editor } });
    rmSync(dir, { recursive: true, force: true });
    assert.equal(edited.code, 0, edited.stderr);
    assert.equal((await s.json("get", "widget", "w1")).spec.color, "green");
  });

  it("deletes the custom resources with their CRD", async () => {
    await s.k("delete", "crd", "widgets.example.com", "--timeout=30s");
    const gone = await s.kubectl(["get", "crd", "widgets.example.com"]);
    assert.notEqual(gone.code, 0);
    const resources = await s.k("api-resources");
    assert.doesNotMatch(resources, /widgets/);
    await s.k("apply", "-f", crdFile);
    await s.k("wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=20s");
    assert.deepEqual((await s.json("get", "widgets")).items, []);
  });
});
