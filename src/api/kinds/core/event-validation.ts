/**
 * Event validation (upstream `pkg/apis/core/validation/events.go`). Both APIs validate the core
 * form of an event, so errors name core fields (`involvedObject`, `message`) even for
 * events.k8s.io requests, as upstream's do. Requests through core/v1 get only the legacy checks;
 * events.k8s.io/v1 requests get the strict ones as well.
 */
import * as field from "../../../machinery/field-errors.ts";
import { newPath } from "../../../machinery/field-path.ts";
import { byteLength } from "../../../machinery/go-format.ts";
import { isDNS1123Subdomain, isQualifiedName } from "../../../machinery/validation.ts";
import type { CoreV1Event } from "../../generated/types.ts";
import { type FieldErrors, type Obj, sameValue, validateImmutableField } from "./common.ts";

export type CoreEvent = Obj<CoreV1Event>;

const reportingInstanceLimit = 128;
const actionLimit = 128;
const reasonLimit = 128;
const noteLimit = 1024;

const atMost = (n: number) => `can have at most ${n} characters`;

/** The strict checks of a new-style event (one with eventTime). */
function validateNewStyle(event: CoreEvent): FieldErrors {
  const errs: FieldErrors = [];
  const namespace = event.metadata?.namespace ?? "";
  const involvedNamespace = event.involvedObject?.namespace ?? "";
  if (involvedNamespace === "" && namespace !== "default" && namespace !== "kube-system") {
    errs.push(invalidNamespace(involvedNamespace));
  }
  const controller = event.reportingComponent ?? "";
  if (controller === "") errs.push(field.required(newPath("reportingController")));
  for (const msg of isQualifiedName(controller)) {
    errs.push(field.invalid(newPath("reportingController"), controller, msg));
  }
  const limits: [string, string, number][] = [
    ["reportingInstance", event.reportingInstance ?? "", reportingInstanceLimit],
    ["action", event.action ?? "", actionLimit],
    ["reason", event.reason ?? "", reasonLimit],
  ];
  for (const [name, value, limit] of limits) {
    if (value === "") errs.push(field.required(newPath(name)));
    if (byteLength(value) > limit) errs.push(field.invalid(newPath(name), "", atMost(limit)));
  }
  if (byteLength(event.message ?? "") > noteLimit) {
    errs.push(field.invalid(newPath("message"), "", atMost(noteLimit)));
  }
  return errs;
}

const invalidNamespace = (value: string) =>
  field.invalid(newPath("involvedObject", "namespace"), value, "does not match event.namespace");

/** `legacyValidateEvent`: what every event, old or new style, must satisfy. */
export function legacyValidateEvent(event: CoreEvent): FieldErrors {
  const errs: FieldErrors = [];
  const namespace = event.metadata?.namespace ?? "";
  const involvedNamespace = event.involvedObject?.namespace ?? "";
  if (!event.eventTime) {
    if (
      involvedNamespace === ""
        ? namespace !== "" && namespace !== "default"
        : namespace !== involvedNamespace
    ) {
      errs.push(invalidNamespace(involvedNamespace));
    }
  } else errs.push(...validateNewStyle(event));
  for (const msg of isDNS1123Subdomain(namespace)) {
    errs.push(field.invalid(newPath("namespace"), namespace, msg));
  }
  return errs;
}

function validateSeries(event: CoreEvent): FieldErrors {
  const series = event.series;
  if (series === undefined || series === null) return [];
  const errs: FieldErrors = [];
  if ((series.count ?? 0) < 2)
    errs.push(field.invalid(newPath("series.count"), "", "should be at least 2"));
  if (!series.lastObservedTime) errs.push(field.required(newPath("series.lastObservedTime")));
  return errs;
}

/** `ValidateEventCreate` for an events.k8s.io/v1 request. */
export function validateEventCreateStrict(event: CoreEvent): FieldErrors {
  const errs = [...legacyValidateEvent(event), ...validateSeries(event)];
  if (!event.eventTime) errs.push(field.required(newPath("eventTime")));
  const type = event.type ?? "";
  if (type !== "Normal" && type !== "Warning") {
    errs.push(field.invalid(newPath("type"), "", `has invalid value: ${type}`));
  }
  const unset = "needs to be unset";
  if (event.firstTimestamp) errs.push(field.invalid(newPath("firstTimestamp"), "", unset));
  if (event.lastTimestamp) errs.push(field.invalid(newPath("lastTimestamp"), "", unset));
  if ((event.count ?? 0) !== 0) errs.push(field.invalid(newPath("count"), "", unset));
  if (event.source?.component || event.source?.host) {
    errs.push(field.invalid(newPath("source"), "", unset));
  }
  return errs;
}

const immutableEventFields = [
  "involvedObject",
  "reason",
  "message",
  "source",
  "firstTimestamp",
  "lastTimestamp",
  "count",
  "reason",
  "type",
  "eventTime",
  "action",
  "related",
  "reportingComponent",
  "reportingInstance",
] as const;

/** The path upstream reports each immutable field under (the Go field name, JSON-cased). */
const reportedAs: Partial<Record<(typeof immutableEventFields)[number], string>> = {
  reportingComponent: "reportingController",
};

/** `ValidateEventUpdate` for an events.k8s.io/v1 request: almost nothing may change. */
export function validateEventUpdateStrict(event: CoreEvent, old: CoreEvent): FieldErrors {
  const errs = legacyValidateEvent(event);
  if (!sameValue(event.series, old.series)) errs.push(...validateSeries(event));
  for (const name of immutableEventFields) {
    const path = newPath(reportedAs[name] ?? name);
    errs.push(...validateImmutableField(event[name], old[name], path));
  }
  return errs;
}
