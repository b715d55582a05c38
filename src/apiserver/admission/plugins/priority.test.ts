import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../../../api/generated/types.ts";
import type { KubeObject } from "../../../api/object.ts";
import { isStatusError } from "../../../machinery/status.ts";
import { priorityAdmission } from "./priority.ts";
import { StaticReader } from "./reader.ts";
import { attrs, podsDef, resourceDef } from "./testing.ts";

const pcsDef = resourceDef("scheduling.k8s.io", "priorityclasses", "PriorityClass", false);
const pc = (name: string, value: number, extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name },
  value,
  ...extra,
});
const pod = (spec: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: "p" },
  spec: { containers: [{ name: "c", image: "i" }], ...spec },
});
const specOf = (a: { object?: KubeObject | undefined }) => (a.object as Pod).spec!;

function reader(...classes: KubeObject[]) {
  return new StaticReader().add("scheduling.k8s.io", "priorityclasses", ...classes);
}

describe("Priority admission", () => {
  it("gives a pod without a class priority 0 and PreemptLowerPriority", async () => {
    const a = attrs({ resource: podsDef, object: pod() });
    await priorityAdmission({ reader: reader() }).admit?.(a);
    assert.equal(specOf(a).priority, 0);
    assert.equal(specOf(a).preemptionPolicy, "PreemptLowerPriority");
    assert.equal(specOf(a).priorityClassName, undefined);
  });

  it("uses the lowest-valued global default class", async () => {
    const r = reader(
      pc("high", 100, { globalDefault: true }),
      pc("low", 10, { globalDefault: true, preemptionPolicy: "Never" }),
      pc("other", 1),
    );
    const a = attrs({ resource: podsDef, object: pod() });
    await priorityAdmission({ reader: r }).admit?.(a);
    assert.equal(specOf(a).priorityClassName, "low");
    assert.equal(specOf(a).priority, 10);
    assert.equal(specOf(a).preemptionPolicy, "Never");
  });

  it("resolves a named class", async () => {
    const r = reader(
      pc("system-node-critical", 2_000_001_000, { preemptionPolicy: "PreemptLowerPriority" }),
    );
    const a = attrs({
      resource: podsDef,
      object: pod({ priorityClassName: "system-node-critical" }),
    });
    await priorityAdmission({ reader: r }).admit?.(a);
    assert.equal(specOf(a).priority, 2_000_001_000);
  });

  it("refuses a missing class and a disagreeing priority or policy", async () => {
    const plugin = priorityAdmission({
      reader: reader(pc("mid", 5, { preemptionPolicy: "Never" })),
    });
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { priorityClassName: "nope" },
        /^pods "p" is forbidden: no PriorityClass with name nope was found$/,
      ],
      [
        { priorityClassName: "mid", priority: 7 },
        /the integer value of priority \(7\) must not be provided in pod spec; priority admission controller computed 5/,
      ],
      [
        { priorityClassName: "mid", preemptionPolicy: "PreemptLowerPriority" },
        /the string value of PreemptionPolicy \(PreemptLowerPriority\) must not be provided/,
      ],
    ];
    for (const [spec, message] of cases) {
      await assert.rejects(
        async () => plugin.admit?.(attrs({ resource: podsDef, object: pod(spec) })),
        (err: unknown) => isStatusError(err, "Forbidden") && message.test((err as Error).message),
      );
    }
  });

  it("leaves pod updates alone", async () => {
    const a = attrs({
      operation: "UPDATE",
      resource: podsDef,
      object: pod({ priorityClassName: "nope" }),
    });
    await priorityAdmission({ reader: reader() }).admit?.(a);
    assert.equal(specOf(a).priority, undefined);
  });

  it("allows one global default class only", async () => {
    const plugin = priorityAdmission({ reader: reader(pc("first", 1, { globalDefault: true })) });
    await assert.rejects(
      async () =>
        plugin.validate?.(
          attrs({
            resource: pcsDef,
            namespace: "",
            object: pc("second", 2, { globalDefault: true }),
          }),
        ),
      /PriorityClass first is already marked as default. Only one default can exist/,
    );
    await plugin.validate?.(
      attrs({
        operation: "UPDATE",
        resource: pcsDef,
        namespace: "",
        object: pc("first", 1, { globalDefault: true }),
      }),
    );
    await plugin.validate?.(attrs({ resource: pcsDef, namespace: "", object: pc("third", 3) }));
  });
});
