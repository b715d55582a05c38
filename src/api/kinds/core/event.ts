/**
 * core/v1 Event (upstream `pkg/registry/core/event/strategy.go`, `printEvent`). Events are
 * created and updated by PUT as well as POST; names only need to be URL path segments.
 * The printer and field selectors are shared with events.k8s.io/v1 (see `events-v1.ts`).
 */
import { column, humanDuration, type Printer } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import { type CoreEvent, legacyValidateEvent } from "./event-validation.ts";

/** translateTimestampSince / translateMicroTimestampSince: `<unknown>` for a zero time. */
function since(timestamp: string | null | undefined, now: number): string {
  if (!timestamp) return "<unknown>";
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? "<unknown>" : humanDuration(now - ms);
}

/** `formatEventSource`: component (or reporting controller), then host (or instance). */
function eventSource(event: CoreEvent): string {
  const component = event.source?.component || event.reportingComponent || "";
  const instance = event.source?.host || event.reportingInstance || "";
  return instance === "" ? component : `${component}, ${instance}`;
}

function eventRow(event: CoreEvent, now: number) {
  const firstSeen = since(event.firstTimestamp || event.eventTime, now);
  let lastSeen = event.lastTimestamp ? since(event.lastTimestamp, now) : firstSeen;
  let count = event.count ?? 0;
  if (event.series) {
    lastSeen = since(event.series.lastObservedTime, now);
    count = event.series.count ?? 0;
  } else if (count === 0) count = 1;
  const involved = event.involvedObject ?? {};
  const kind = (involved.kind ?? "").toLowerCase();
  const target = involved.name ? `${kind}/${involved.name}` : kind;
  return [
    lastSeen,
    event.type ?? "",
    event.reason ?? "",
    target,
    involved.fieldPath ?? "",
    eventSource(event),
    (event.message ?? "").trim(),
    firstSeen,
    count,
    event.metadata?.name ?? "",
  ];
}

/** `printEvent` with its wide columns (the server always sends them; kubectl hides priority 1). */
export const eventPrinter: Printer<CoreEvent> = {
  columns: [
    column("Last Seen", {
      description: "The time at which the most recent occurrence of this event was recorded.",
    }),
    column("Type", { description: "Type of this event (Normal, Warning)." }),
    column("Reason", {
      description:
        "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    }),
    column("Object", { description: "The object that this event is about." }),
    column("Subobject", {
      priority: 1,
      description: "The field of the object the event is about.",
    }),
    column("Source", { priority: 1, description: "The component reporting this event." }),
    column("Message", {
      description: "A human-readable description of the status of this operation.",
    }),
    column("First Seen", {
      priority: 1,
      description: "The time at which the event was first recorded.",
    }),
    column("Count", { priority: 1, description: "The number of times this event has occurred." }),
    column("Name", {
      priority: 1,
      format: "name",
      description: "Name must be unique within a namespace.",
    }),
  ],
  row: eventRow,
};

/** The field-selector fields of a core event (`ToSelectableFields`). */
export function eventSelectableFields(event: CoreEvent): Record<string, string> {
  const involved = event.involvedObject ?? {};
  return {
    "involvedObject.kind": involved.kind ?? "",
    "involvedObject.namespace": involved.namespace ?? "",
    "involvedObject.name": involved.name ?? "",
    "involvedObject.uid": involved.uid ?? "",
    "involvedObject.apiVersion": involved.apiVersion ?? "",
    "involvedObject.resourceVersion": involved.resourceVersion ?? "",
    "involvedObject.fieldPath": involved.fieldPath ?? "",
    reason: event.reason ?? "",
    reportingComponent: event.reportingComponent ?? "",
    source: event.source?.component || event.reportingComponent || "",
    type: event.type ?? "",
  };
}

export const eventStrategy: Strategy<CoreEvent> = {
  nameValidation: "path",
  allowCreateOnUpdate: true,
  validate: legacyValidateEvent,
  validateUpdate: legacyValidateEvent,
  selectableFields: eventSelectableFields,
  printer: eventPrinter,
};

export const eventResource: ResourceDefinition<CoreEvent> = {
  group: "",
  version: "v1",
  kind: "Event",
  plural: "events",
  singular: "event",
  shortNames: ["ev"],
  namespaced: true,
  strategy: eventStrategy,
};
