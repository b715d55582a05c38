import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ManagedFieldsEntry } from "../managed-fields.ts";
import type { JsonObject } from "../patch/json-value.ts";
import { ApplyConflictError } from "./errors.ts";
import { FieldSet } from "./field-set.ts";
import { buildLastApplied, lastAppliedAnnotation } from "./last-applied.ts";
import { apply, deployment, entries, entryOf, owned, template, update } from "./testing/helpers.ts";

const csa = "kubectl-client-side-apply";

function config(replicas: number, image: string, labels: JsonObject = { app: "web" }): JsonObject {
  return deployment({ replicas, ...template([{ name: "main", image }]) }, { labels });
}

/** `kubectl apply` (client-side) creating the object: the body carries the annotation. */
function clientSideCreate(cfg: JsonObject): JsonObject {
  const body = structuredClone(cfg);
  const metadata = body.metadata as JsonObject;
  metadata.annotations = { [lastAppliedAnnotation]: buildLastApplied(cfg) };
  return update(undefined, body, csa);
}

const annotationOf = (o: JsonObject): unknown =>
  ((o.metadata as JsonObject).annotations as JsonObject)[lastAppliedAnnotation];

/** What kubectl's csaupgrade sends as a JSON patch: client-side fields moved to its Apply entry. */
function migrateToSSA(entriesIn: ManagedFieldsEntry[]): ManagedFieldsEntry[] {
  const moved = entriesIn
    .filter((e) => e.manager === csa && e.operation === "Update")
    .reduce((set, e) => set.union(FieldSet.fromFieldsV1(e.fieldsV1)), new FieldSet());
  return entriesIn
    .filter((e) => e.manager !== csa)
    .map((e) =>
      e.manager === "kubectl" && e.operation === "Apply"
        ? { ...e, fieldsV1: FieldSet.fromFieldsV1(e.fieldsV1).union(moved).toFieldsV1() }
        : e,
    );
}

describe("client-side apply → server-side apply", () => {
  it("applying the same values as client-side apply shares ownership without conflict", () => {
    const live = clientSideCreate(config(2, "v1"));
    const next = apply(live, config(2, "v1"), "kubectl");
    assert.ok(owned(next, "kubectl").includes(".spec.replicas"));
    assert.ok(owned(next, csa).includes(".spec.replicas"));
  });

  it("forgives conflicts the last-applied annotation explains, for the kubectl manager", () => {
    const live = clientSideCreate(config(2, "v1"));
    const next = apply(live, config(3, "v2"), "kubectl");
    assert.deepEqual(next.spec, { replicas: 3, ...template([{ name: "main", image: "v2" }]) });
    const image = '.spec.template.spec.containers[name="main"].image';
    assert.ok(owned(next, "kubectl").includes(".spec.replicas"));
    assert.ok(owned(next, "kubectl").includes(image));
    assert.ok(!owned(next, csa).includes(".spec.replicas"));
    assert.ok(!owned(next, csa).includes(image));
    // The annotation now holds the configuration just applied, still owned client-side.
    assert.equal(annotationOf(next), buildLastApplied(config(3, "v2")));
    assert.ok(owned(next, csa).includes(`.metadata.annotations.${lastAppliedAnnotation}`));
  });

  it("still reports conflicts with values the annotation does not explain", () => {
    let live = clientSideCreate(config(2, "v1"));
    live = update(live, { ...live, spec: { ...(live.spec as JsonObject), replicas: 5 } }, "hpa");
    assert.throws(
      () => apply(live, config(3, "v2"), "kubectl"),
      (err: ApplyConflictError) => {
        assert.equal(
          err.message,
          'Apply failed with 1 conflict: conflict with "hpa" using apps/v1: .spec.replicas',
        );
        return true;
      },
    );
  });

  it("gives other managers no such pass", () => {
    const live = clientSideCreate(config(2, "v1"));
    assert.throws(() => apply(live, config(3, "v1"), "helm"), ApplyConflictError);
  });

  it("runs kubectl's whole sequence: apply, save the annotation, migrate, prune", () => {
    let live = clientSideCreate(config(2, "v1", { app: "web", tier: "fe" }));
    // 1. PATCH ?fieldManager=kubectl&force=false (SSA).
    live = apply(live, config(2, "v2", { app: "web", tier: "fe" }), "kubectl");
    // 2. PATCH ?fieldManager=kubectl-last-applied: only the annotation, as read back.
    const justAnnotation = deployment(
      {},
      { annotations: { [lastAppliedAnnotation]: annotationOf(live) } },
    );
    delete justAnnotation.spec;
    live = apply(live, justAnnotation, "kubectl-last-applied");
    assert.deepEqual(owned(live, "kubectl-last-applied"), [
      `.metadata.annotations.${lastAppliedAnnotation}`,
    ]);
    // 3. JSON patch replacing metadata.managedFields (no fieldManager: the User-Agent's "kubectl").
    const migrated = structuredClone(live);
    (migrated.metadata as JsonObject).managedFields = migrateToSSA(entries(live));
    live = update(live, migrated, "kubectl");
    assert.equal(entryOf(live, csa), undefined);
    // kubectl-last-applied changed nothing, so its entry has no time and sorts first.
    assert.deepEqual(
      entries(live).map((e) => `${e.operation}/${e.manager}/${e.time ?? "-"}`),
      ["Apply/kubectl-last-applied/-", "Apply/kubectl/2025-06-01T10:00:00Z"],
    );
    // 4. The next server-side apply prunes what the file no longer holds.
    live = apply(live, config(2, "v2", { app: "web" }), "kubectl");
    assert.deepEqual((live.metadata as JsonObject).labels, { app: "web" });
    assert.equal(typeof annotationOf(live), "string", "the annotation survives");
  });

  it("writes the annotation as Go does: sorted keys, escaped HTML, trailing newline", () => {
    const cfg = deployment(
      { replicas: 1 },
      { annotations: { note: "<b>&", [lastAppliedAnnotation]: "x" } },
    );
    assert.equal(
      buildLastApplied(cfg),
      '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"note":"\\u003cb\\u003e\\u0026"},"name":"web","namespace":"default"},"spec":{"replicas":1}}\n',
    );
  });
});
