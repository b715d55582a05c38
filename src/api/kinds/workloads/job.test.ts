import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Job } from "../../generated/types.ts";
import type { Obj } from "./common.ts";
import { jobResource as def } from "./job.ts";
import { createLike, updateLike, validateCreate, validateUpdate } from "./testing.ts";

const job = (): Obj<Job> => ({
  metadata: { name: "pi", namespace: "default" },
  spec: {
    template: {
      spec: { restartPolicy: "Never", containers: [{ name: "pi", image: "perl:5" }] },
    },
  },
});

describe("Job", () => {
  it("applies upstream defaults", () => {
    const j = createLike(def, job());
    const spec = j.spec!;
    assert.equal(spec.parallelism, 1);
    assert.equal(spec.completions, 1);
    assert.equal(spec.backoffLimit, 6);
    assert.equal(spec.completionMode, "NonIndexed");
    assert.equal(spec.suspend, false);
    assert.equal(spec.podReplacementPolicy, "TerminatingOrFailed");
    assert.equal(spec.manualSelector, false);
    assert.deepEqual(j.status, {});
  });

  it("leaves completions unset when only parallelism is given", () => {
    const j = job();
    j.spec!.parallelism = 3;
    const created = createLike(def, j);
    assert.equal(created.spec!.completions, undefined);
    assert.equal(created.spec!.parallelism, 3);
  });

  it("generates the selector and template labels from the uid", () => {
    const j = createLike(def, job());
    const uid = j.metadata!.uid!;
    assert.match(uid, /^[0-9a-f-]{36}$/);
    assert.deepEqual(j.spec!.selector, {
      matchLabels: { "batch.kubernetes.io/controller-uid": uid },
    });
    const expected = {
      "batch.kubernetes.io/controller-uid": uid,
      "batch.kubernetes.io/job-name": "pi",
      "controller-uid": uid,
      "job-name": "pi",
    };
    assert.deepEqual(j.spec!.template.metadata!.labels, expected);
    assert.deepEqual(j.metadata!.labels, expected);
  });

  it("accepts a valid job", () => {
    assert.deepEqual(validateCreate(def, createLike(def, job())), []);
  });

  it("requires restartPolicy OnFailure or Never", () => {
    const j = job();
    j.spec!.template.spec!.restartPolicy = "Always";
    assert.deepEqual(validateCreate(def, createLike(def, j)), [
      'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    ]);
  });

  it("rejects negative counts and a selector that was not generated", () => {
    const j = createLike(def, job());
    j.spec!.backoffLimit = -1;
    j.spec!.selector = { matchLabels: { "batch.kubernetes.io/controller-uid": "other" } };
    const errs = validateCreate(def, j);
    assert.ok(
      errs.some(
        (e) =>
          e.startsWith("spec.selector: Invalid value:") &&
          e.endsWith("`selector` not auto-generated"),
      ),
      errs.join("\n"),
    );
    assert.ok(
      errs.includes("spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0"),
    );
  });

  it("keeps the template and selector immutable", () => {
    const old = createLike(def, job());
    const next = structuredClone(old);
    next.spec!.template.spec!.containers[0]!.image = "perl:6";
    const errs = validateUpdate(def, updateLike(def, next, old), old);
    assert.equal(errs.length, 1);
    assert.match(errs[0]!, /^spec\.template: Invalid value: .*: field is immutable$/);
    const ok = structuredClone(old);
    ok.spec!.activeDeadlineSeconds = 100;
    assert.deepEqual(validateUpdate(def, updateLike(def, ok, old), old), []);
  });

  it("lets a suspended, unstarted job change its node selector", () => {
    const j = job();
    j.spec!.suspend = true;
    const old = createLike(def, j);
    const next = structuredClone(old);
    next.spec!.template.spec!.nodeSelector = { zone: "a" };
    assert.deepEqual(validateUpdate(def, updateLike(def, next, old), old), []);
  });

  it("prints status, completions and duration", () => {
    const j = createLike(def, job());
    j.status = {
      succeeded: 1,
      startTime: "2024-01-01T00:00:00Z",
      completionTime: "2024-01-01T00:00:09Z",
      conditions: [{ type: "Complete", status: "True" }],
    };
    const row = def.strategy.printer!.row(j, Date.parse("2024-01-01T00:01:00Z"));
    assert.deepEqual(row.slice(0, 7), ["pi", "Complete", "1/1", "9s", "60s", "pi", "perl:5"]);
    assert.equal(row[7], `batch.kubernetes.io/controller-uid=${j.metadata!.uid}`);
    j.status = {
      startTime: "2024-01-01T00:00:00Z",
      conditions: [{ type: "Suspended", status: "True" }],
    };
    assert.deepEqual(def.strategy.printer!.row(j, Date.parse("2024-01-01T00:01:00Z")).slice(1, 4), [
      "Suspended",
      "0/1",
      "60s",
    ]);
  });
});
