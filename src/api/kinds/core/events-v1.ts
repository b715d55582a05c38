/**
 * events.k8s.io/v1 Event: the same objects as core/v1 events, stored once (in core's storage)
 * and converted field by field (upstream `pkg/apis/events/v1/conversion.go`):
 *
 *   regarding ↔ involvedObject          note ↔ message            deprecatedSource ↔ source
 *   deprecatedFirstTimestamp ↔ firstTimestamp   deprecatedLastTimestamp ↔ lastTimestamp
 *   deprecatedCount ↔ count             reportingController ↔ reportingComponent
 *   reportingInstance, eventTime, series, related, action, reason, type: same names
 *
 * Validation runs on the core form with the strict events.k8s.io rules, so error paths use core
 * field names as upstream's do.
 */
import type { CoreV1Event, EventsV1Event } from "../../generated/types.ts";
import type { KubeObject } from "../../object.ts";
import type { ResourceDefinition, SharedStorage } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import { compact } from "./common.ts";
import { eventPrinter } from "./event.ts";
import {
  type CoreEvent,
  validateEventCreateStrict,
  validateEventUpdateStrict,
} from "./event-validation.ts";

/** An events.k8s.io/v1 Event; `eventTime` is null for events recorded without one (as Go's). */
export type EventsEvent = Omit<EventsV1Event, "eventTime"> & {
  eventTime: string | null;
} & KubeObject;

/** events.k8s.io/v1 → core/v1 (the storage form). */
export function eventToCore(ev: EventsEvent): CoreEvent {
  const core: CoreV1Event = {
    apiVersion: "v1",
    kind: "Event",
    metadata: ev.metadata ?? {},
    involvedObject: ev.regarding ?? {},
  };
  const rest = compact({
    message: ev.note,
    source: ev.deprecatedSource,
    firstTimestamp: ev.deprecatedFirstTimestamp,
    lastTimestamp: ev.deprecatedLastTimestamp,
    count: ev.deprecatedCount,
    reportingComponent: ev.reportingController,
    reportingInstance: ev.reportingInstance,
    eventTime: ev.eventTime ?? undefined,
    series: ev.series,
    related: ev.related,
    action: ev.action,
    reason: ev.reason,
    type: ev.type,
  });
  return structuredClone({ ...core, ...rest }) as CoreEvent;
}

/** core/v1 → events.k8s.io/v1. */
export function eventFromCore(core: KubeObject): EventsEvent {
  const e = core as CoreEvent;
  const ev = compact({
    apiVersion: "events.k8s.io/v1",
    kind: "Event",
    metadata: e.metadata ?? {},
    eventTime: e.eventTime ?? null,
    regarding: e.involvedObject,
    note: e.message,
    deprecatedSource: e.source,
    deprecatedFirstTimestamp: e.firstTimestamp,
    deprecatedLastTimestamp: e.lastTimestamp,
    deprecatedCount: e.count,
    reportingController: e.reportingComponent,
    reportingInstance: e.reportingInstance,
    series: e.series,
    related: e.related,
    action: e.action,
    reason: e.reason,
    type: e.type,
  });
  return structuredClone(ev) as EventsEvent;
}

export const eventsV1Storage: SharedStorage<EventsEvent> = {
  group: "",
  resource: "events",
  toStorage: eventToCore,
  fromStorage: eventFromCore,
};

/** `EventToSelectableFields` of the events.k8s.io API: regarding.* instead of involvedObject.*. */
export function eventsV1SelectableFields(ev: EventsEvent): Record<string, string> {
  const regarding = ev.regarding ?? {};
  return {
    "regarding.kind": regarding.kind ?? "",
    "regarding.namespace": regarding.namespace ?? "",
    "regarding.name": regarding.name ?? "",
    "regarding.uid": regarding.uid ?? "",
    "regarding.apiVersion": regarding.apiVersion ?? "",
    "regarding.resourceVersion": regarding.resourceVersion ?? "",
    "regarding.fieldPath": regarding.fieldPath ?? "",
    reason: ev.reason ?? "",
    reportingController: ev.reportingController ?? "",
    source: ev.deprecatedSource?.component || ev.reportingController || "",
    type: ev.type ?? "",
  };
}

export const eventsV1Strategy: Strategy<EventsEvent> = {
  allowCreateOnUpdate: true,
  validate: (ev) => validateEventCreateStrict(eventToCore(ev)),
  validateUpdate: (ev, old) => validateEventUpdateStrict(eventToCore(ev), eventToCore(old)),
  selectableFields: eventsV1SelectableFields,
  printer: {
    columns: eventPrinter.columns,
    row: (ev, now) => eventPrinter.row(eventToCore(ev), now),
  },
};

export const eventsV1Resource: ResourceDefinition<EventsEvent> = {
  group: "events.k8s.io",
  version: "v1",
  kind: "Event",
  plural: "events",
  singular: "event",
  shortNames: ["ev"],
  namespaced: true,
  storage: eventsV1Storage,
  strategy: eventsV1Strategy,
};
