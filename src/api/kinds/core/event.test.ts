import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eventResource } from "./event.ts";
import type { CoreEvent } from "./event-validation.ts";
import { type EventsEvent, eventFromCore, eventsV1Resource, eventToCore } from "./events-v1.ts";
import { printRow, simulateCreate, simulateUpdate, t0 } from "./testing.ts";

const legacy = (extra: Partial<CoreEvent> = {}): CoreEvent => ({
  metadata: { name: "web.1", namespace: "default" },
  involvedObject: {
    kind: "Pod",
    name: "web",
    namespace: "default",
    fieldPath: "spec.containers{app}",
  },
  reason: "Pulled",
  message: "Pulled image \n",
  type: "Normal",
  source: { component: "kubelet", host: "worker-1" },
  firstTimestamp: "2026-01-01T00:00:00Z",
  lastTimestamp: "2026-01-01T00:05:00Z",
  count: 3,
  ...extra,
});

const modern = (extra: Partial<EventsEvent> = {}): EventsEvent => ({
  apiVersion: "events.k8s.io/v1",
  kind: "Event",
  metadata: { name: "web.2", namespace: "default" },
  eventTime: "2026-01-01T00:00:00.000000Z",
  regarding: { kind: "Pod", name: "web", namespace: "default", uid: "u1" },
  related: { kind: "Node", name: "worker-1" },
  note: "Scheduled",
  reason: "Scheduled",
  action: "Binding",
  type: "Normal",
  reportingController: "default-scheduler",
  reportingInstance: "default-scheduler-cp",
  series: { count: 2, lastObservedTime: "2026-01-01T00:10:00.000000Z" },
  ...extra,
});

describe("core/v1 Event", () => {
  it("accepts an old-style event and allows create on update", () => {
    assert.deepEqual(simulateCreate(eventResource, legacy()).errors, []);
    assert.equal(eventResource.strategy.allowCreateOnUpdate, true);
    assert.equal(eventResource.strategy.nameValidation, "path");
  });

  it("requires the event and object namespaces to agree", () => {
    const { errors } = simulateCreate(
      eventResource,
      legacy({ involvedObject: { kind: "Pod", name: "web", namespace: "other" } }),
    );
    assert.deepEqual(errors, [
      'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    ]);
  });

  it("checks new-style events even through core/v1", () => {
    const { errors } = simulateCreate(eventResource, legacy({ eventTime: "2026-01-01T00:00:00Z" }));
    assert.deepEqual(errors.slice(0, 1), ["reportingController: Required value"]);
    assert.ok(errors.includes("reportingInstance: Required value"));
    assert.ok(errors.includes("action: Required value"));
  });

  it("prints the wide event row", () => {
    assert.deepEqual(printRow(eventResource, legacy(), t0 + 600_000), {
      "Last Seen": "5m",
      Type: "Normal",
      Reason: "Pulled",
      Object: "pod/web",
      Subobject: "spec.containers{app}",
      Source: "kubelet, worker-1",
      Message: "Pulled image",
      "First Seen": "10m",
      Count: 3,
      Name: "web.1",
    });
  });

  it("selects by involvedObject fields, reason, source and type", () => {
    const fields = eventResource.strategy.selectableFields?.(legacy());
    assert.equal(fields?.["involvedObject.name"], "web");
    assert.equal(fields?.["involvedObject.fieldPath"], "spec.containers{app}");
    assert.equal(fields?.source, "kubelet");
    assert.equal(fields?.reportingComponent, "");
    const keys = Object.keys(
      eventResource.strategy.selectableFields?.({ metadata: {} } as CoreEvent) ?? {},
    );
    assert.equal(keys.length, 11);
  });
});

describe("events.k8s.io/v1 Event", () => {
  it("shares core storage and converts field by field", () => {
    assert.deepEqual(eventsV1Resource.storage?.group, "");
    assert.deepEqual(eventsV1Resource.storage?.resource, "events");
    const core = eventToCore(modern({ deprecatedCount: 4, deprecatedSource: { component: "x" } }));
    assert.equal(core.apiVersion, "v1");
    assert.deepEqual(core.involvedObject, {
      kind: "Pod",
      name: "web",
      namespace: "default",
      uid: "u1",
    });
    assert.equal(core.message, "Scheduled");
    assert.equal(core.reportingComponent, "default-scheduler");
    assert.equal(core.count, 4);
    assert.deepEqual(core.source, { component: "x" });
    assert.deepEqual(core.series, { count: 2, lastObservedTime: "2026-01-01T00:10:00.000000Z" });
  });

  it("round-trips events.k8s.io → core → events.k8s.io", () => {
    const ev = modern({
      deprecatedFirstTimestamp: "2026-01-01T00:00:00Z",
      deprecatedLastTimestamp: "2026-01-01T00:01:00Z",
      deprecatedCount: 2,
      deprecatedSource: { component: "c", host: "h" },
    });
    assert.deepEqual(eventFromCore(eventToCore(ev)), ev);
  });

  it("round-trips core → events.k8s.io → core", () => {
    const core = { apiVersion: "v1", kind: "Event", ...legacy() };
    const back = eventToCore(eventFromCore(core));
    assert.deepEqual(back, core);
    assert.equal(eventFromCore(core).eventTime, null);
    assert.equal(eventFromCore(core).note, "Pulled image \n");
  });

  it("applies the strict create rules with core field names", () => {
    assert.deepEqual(simulateCreate(eventsV1Resource, modern()).errors, []);
    const { errors } = simulateCreate(
      eventsV1Resource,
      modern({ type: "Fatal", deprecatedCount: 1, series: { count: 1, lastObservedTime: "" } }),
    );
    assert.deepEqual(errors, [
      'series.count: Invalid value: "": should be at least 2',
      "series.lastObservedTime: Required value",
      'type: Invalid value: "": has invalid value: Fatal',
      'count: Invalid value: "": needs to be unset',
    ]);
    const noTime = simulateCreate(eventsV1Resource, modern({ eventTime: null }));
    assert.ok(noTime.errors.includes("eventTime: Required value"));
  });

  it("only lets the series change on update", () => {
    const old = modern();
    const bumped = modern({
      series: { count: 3, lastObservedTime: "2026-01-01T00:20:00.000000Z" },
    });
    assert.deepEqual(simulateUpdate(eventsV1Resource, bumped, old).errors, []);
    const { errors } = simulateUpdate(eventsV1Resource, modern({ note: "changed" }), old);
    assert.deepEqual(errors, ['message: Invalid value: "changed": field is immutable']);
  });

  it("selects by regarding.* and prints like core events", () => {
    const fields = eventsV1Resource.strategy.selectableFields?.(modern());
    assert.equal(fields?.["regarding.uid"], "u1");
    assert.equal(fields?.reportingController, "default-scheduler");
    assert.equal(fields?.source, "default-scheduler");
    const row = printRow(eventsV1Resource, modern(), t0 + 3_600_000);
    assert.equal(row["Last Seen"], "50m");
    assert.equal(row["First Seen"], "60m");
    assert.equal(row.Count, 2);
    assert.equal(row.Source, "default-scheduler, default-scheduler-cp");
  });
});
