import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ControllerRevision, StatefulSet } from "../../api/generated/types.ts";
import { canonicalJson } from "./canonical-json.ts";
import {
  applyRevision,
  controllerRevisionName,
  equalRevision,
  hashControllerRevision,
  newControllerRevision,
  nextRevision,
  revisionsOverLimit,
  sortControllerRevisions,
  templatePatch,
} from "./controller-revision.ts";
import { computeTemplateHash, fnv32, fnv32a, safeEncodeString } from "./hash.ts";

const set = (image: string): StatefulSet => ({
  metadata: { name: "web", namespace: "default", uid: "u1" },
  spec: {
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "c", image }] },
    },
  },
});

const rev = (name: string, revision: number, data: unknown = {}): ControllerRevision => ({
  metadata: { name },
  revision,
  data,
});

describe("hashes", () => {
  it("computes FNV-1 and FNV-1a like Go's hash/fnv", () => {
    assert.equal(fnv32(Buffer.from("")), 0x811c9dc5);
    assert.equal(fnv32(Buffer.from("a")), 0x050c5d7e);
    assert.equal(fnv32a(Buffer.from("a")), 0xe40c292c);
    assert.equal(fnv32a(Buffer.from("foobar")), 0xbf9cf968);
  });

  it("safe-encodes digits onto consonants and digits", () => {
    assert.equal(safeEncodeString("0123456789"), "456789bcdf");
    assert.match(computeTemplateHash({ a: 1 }), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });

  it("changes the template hash with the collision count", () => {
    const t = { spec: { containers: [] } };
    assert.equal(computeTemplateHash(t), computeTemplateHash({ spec: { containers: [] } }));
    assert.notEqual(computeTemplateHash(t, 0), computeTemplateHash(t, 1));
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every level and escapes HTML characters as Go does", () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: "<&>" } }),
      '{"a":{"c":"\\u003c\\u0026\\u003e","d":[{"y":2,"z":1}]},"b":1}',
    );
  });
});

describe("ControllerRevision helpers", () => {
  it("stores the template as a replace patch and restores it", () => {
    const patch = templatePatch(set("nginx:1"));
    assert.equal(
      JSON.stringify(patch),
      '{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx:1","name":"c"}]}}}}',
    );
    const r = rev("web-x", 1, patch);
    const restored = applyRevision(set("nginx:2"), r);
    assert.equal(restored.spec?.template.spec?.containers[0]?.image, "nginx:1");
    assert.ok(!Object.hasOwn(restored.spec?.template ?? {}, "$patch"));
  });

  it("names revisions <owner>-<hash> with the hash label, owned by the parent", () => {
    const cr = newControllerRevision({
      parent: set("nginx:1"),
      parentKind: { apiVersion: "apps/v1", kind: "StatefulSet" },
      templateLabels: { app: "web" },
      data: templatePatch(set("nginx:1")),
      revision: 3,
      collisionCount: 0,
    });
    const hash = hashControllerRevision(cr, 0);
    assert.equal(cr.metadata?.name, `web-${hash}`);
    assert.deepEqual(cr.metadata?.labels, { app: "web", "controller-revision-hash": hash });
    assert.equal(cr.metadata?.ownerReferences?.[0]?.uid, "u1");
    assert.equal(cr.revision, 3);
    assert.notEqual(hashControllerRevision(cr, 1), hash);
    assert.equal(controllerRevisionName("x".repeat(300), "h").length, 225);
  });

  it("compares data regardless of key order", () => {
    assert.ok(equalRevision(rev("a", 1, { x: 1, y: 2 }), rev("b", 2, { y: 2, x: 1 })));
    assert.ok(!equalRevision(rev("a", 1, { x: 1 }), rev("b", 2, { x: 2 })));
  });

  it("numbers, sorts and trims history", () => {
    const revs = [rev("c", 3), rev("a", 1), rev("b", 2), rev("d", 4)];
    assert.equal(nextRevision(revs), 5);
    assert.equal(nextRevision([]), 1);
    assert.deepEqual(
      sortControllerRevisions([...revs]).map((r) => r.metadata?.name),
      ["a", "b", "c", "d"],
    );
    const doomed = revisionsOverLimit({
      revisions: revs,
      isLive: (r) => r.metadata?.name === "a",
      limit: 1,
    });
    assert.deepEqual(
      doomed.map((r) => r.metadata?.name),
      ["b", "c"],
    );
  });
});
