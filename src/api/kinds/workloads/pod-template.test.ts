import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PodTemplate } from "../../generated/types.ts";
import type { Obj } from "./common.ts";
import { podTemplateResource as def } from "./pod-template.ts";
import { createLike, updateLike, validateCreate, validateUpdate } from "./testing.ts";

const template = (): Obj<PodTemplate> => ({
  apiVersion: "v1",
  kind: "PodTemplate",
  metadata: { name: "web", namespace: "default" },
  template: {
    metadata: { labels: { app: "web", tier: "front" } },
    spec: {
      containers: [
        { name: "app", image: "nginx:1.25" },
        { name: "sidecar", image: "busybox" },
      ],
    },
  },
});

describe("PodTemplate", () => {
  it("defaults the template as a pod spec and starts at generation 1", () => {
    const pt = createLike(def, template());
    const spec = pt.template!.spec!;
    assert.equal(spec.restartPolicy, "Always");
    assert.equal(spec.dnsPolicy, "ClusterFirst");
    assert.equal(spec.terminationGracePeriodSeconds, 30);
    assert.equal(spec.containers[0]!.imagePullPolicy, "IfNotPresent");
    assert.equal(spec.containers[1]!.imagePullPolicy, "Always");
    assert.equal(pt.metadata!.generation, 1);
    assert.equal(def.subresources, undefined);
    assert.equal(def.shortNames, undefined);
  });

  it("accepts a valid template", () => {
    assert.deepEqual(validateCreate(def, createLike(def, template())), []);
  });

  it("validates the template at `template`", () => {
    const pt = template();
    pt.template!.metadata!.labels = { "bad key!": "x" };
    pt.template!.spec!.containers[0]!.image = "";
    pt.template!.spec!.ephemeralContainers = [{ name: "debug", image: "busybox" }];
    const errs = validateCreate(def, createLike(def, pt));
    assert.match(errs[0]!, /^template\.labels: Invalid value: "bad key!": name part must consist/);
    assert.ok(errs.includes("template.spec.containers[0].image: Required value"), errs.join("\n"));
    assert.ok(
      errs.includes(
        "template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template",
      ),
    );
  });

  it("requires containers when the template is missing", () => {
    const pt = template();
    delete pt.template;
    const created = createLike(def, pt);
    assert.equal(created.template!.spec!.restartPolicy, "Always");
    assert.deepEqual(validateCreate(def, created), ["template.spec.containers: Required value"]);
  });

  it("validates updates like creates", () => {
    const old = createLike(def, template());
    const next = structuredClone(old);
    next.template!.spec!.containers[0]!.image = "nginx:1.26";
    assert.deepEqual(validateUpdate(def, updateLike(def, next, old), old), []);
    next.template!.spec!.restartPolicy = "Sometimes" as "Always";
    assert.deepEqual(validateUpdate(def, updateLike(def, next, old), old), [
      'template.spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
  });

  it("prints containers, images and pod labels", () => {
    const pt = createLike(def, template());
    assert.deepEqual(
      def.strategy.printer!.columns.map((c) => [c.name, c.priority]),
      [
        ["Name", 0],
        ["Containers", 0],
        ["Images", 0],
        ["Pod Labels", 0],
      ],
    );
    assert.deepEqual(def.strategy.printer!.row(pt, Date.now()), [
      "web",
      "app,sidecar",
      "nginx:1.25,busybox",
      "app=web,tier=front",
    ]);
    delete pt.template!.metadata;
    assert.equal(def.strategy.printer!.row(pt, Date.now())[3], "<none>");
  });
});
