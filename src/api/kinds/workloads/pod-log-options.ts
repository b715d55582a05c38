/**
 * The query of `pods/log` (upstream `PodLogOptions`): decoding from URL parameters as apimachinery's
 * parameter codec does, upstream's validation (`ValidatePodLogOptions`), and the query the API
 * server forwards to the kubelet's `/containerLogs/{ns}/{pod}/{container}` (which decodes and
 * validates it again, as upstream's kubelet does).
 */
import * as field from "../../../machinery/field-errors.ts";
import { newPath } from "../../../machinery/field-path.ts";
import { isNegativeErrorMsg } from "../../../machinery/object-meta.ts";
import type { FieldErrors } from "./common.ts";

export type LogStreamName = "All" | "Stdout" | "Stderr";

export interface PodLogOptions {
  readonly container?: string;
  readonly follow: boolean;
  readonly previous: boolean;
  readonly timestamps: boolean;
  readonly sinceSeconds?: number;
  /** RFC 3339, as given. */
  readonly sinceTime?: string;
  readonly tailLines?: number;
  readonly limitBytes?: number;
  readonly stream?: string;
  readonly insecureSkipTLSVerifyBackend: boolean;
}

/** A parameter that does not decode (upstream answers 400 with the conversion error). */
export class QueryParameterError extends Error {}

/** apimachinery's `Convert_Slice_string_To_bool`: absent is false, "0"/"false" are false, else true. */
export function queryBool(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  if (v === null) return false;
  return !(v === "0" || v.toLowerCase() === "false");
}

/** An int64 parameter; empty or absent is unset. */
export function queryInt(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === "") return undefined;
  if (!/^[+-]?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw new QueryParameterError(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  }
  return Number(v);
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function parsePodLogOptions(query: URLSearchParams): PodLogOptions {
  const sinceTime = query.get("sinceTime") || undefined;
  if (
    sinceTime !== undefined &&
    (!rfc3339.test(sinceTime) || Number.isNaN(Date.parse(sinceTime)))
  ) {
    throw new QueryParameterError(
      `parsing time ${JSON.stringify(sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(sinceTime)} as "2006"`,
    );
  }
  const opt = <K extends string, V>(k: K, v: V | undefined) =>
    (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
  return {
    ...opt("container", query.get("container") || undefined),
    follow: queryBool(query, "follow"),
    previous: queryBool(query, "previous"),
    timestamps: queryBool(query, "timestamps"),
    ...opt("sinceSeconds", queryInt(query, "sinceSeconds")),
    ...opt("sinceTime", sinceTime),
    ...opt("tailLines", queryInt(query, "tailLines")),
    ...opt("limitBytes", queryInt(query, "limitBytes")),
    ...opt("stream", query.get("stream") || undefined),
    insecureSkipTLSVerifyBackend: queryBool(query, "insecureSkipTLSVerifyBackend"),
  };
}

const logStreams: readonly LogStreamName[] = ["All", "Stderr", "Stdout"];

export function validatePodLogOptions(o: PodLogOptions): FieldErrors {
  const errs: FieldErrors = [];
  if (o.tailLines !== undefined && o.tailLines < 0) {
    errs.push(field.invalid(newPath("tailLines"), o.tailLines, isNegativeErrorMsg));
  }
  if (o.limitBytes !== undefined && o.limitBytes < 1) {
    errs.push(field.invalid(newPath("limitBytes"), o.limitBytes, "must be greater than 0"));
  }
  if (o.sinceSeconds !== undefined && o.sinceTime !== undefined) {
    errs.push(
      field.forbidden(newPath(""), "at most one of `sinceTime` or `sinceSeconds` may be specified"),
    );
  } else if (o.sinceSeconds !== undefined && o.sinceSeconds < 1) {
    errs.push(field.invalid(newPath("sinceSeconds"), o.sinceSeconds, "must be greater than 0"));
  }
  if (o.stream !== undefined) {
    if (!logStreams.includes(o.stream as LogStreamName)) {
      errs.push(field.notSupported(newPath("stream"), o.stream, logStreams));
    }
    if (o.stream !== "All" && o.tailLines !== undefined) {
      errs.push(
        field.forbidden(
          newPath(""),
          "`tailLines` and specific `stream` are mutually exclusive for now",
        ),
      );
    }
  }
  return errs;
}

/** The query the API server sends to the kubelet (upstream `LogLocation`): container in the path. */
export function kubeletLogQuery(o: PodLogOptions): URLSearchParams {
  const q = new URLSearchParams();
  if (o.follow) q.set("follow", "true");
  if (o.previous) q.set("previous", "true");
  if (o.timestamps) q.set("timestamps", "true");
  if (o.sinceSeconds !== undefined) q.set("sinceSeconds", String(o.sinceSeconds));
  if (o.sinceTime !== undefined) {
    q.set("sinceTime", new Date(o.sinceTime).toISOString().replace(/\.\d+Z$/, "Z"));
  }
  if (o.tailLines !== undefined) q.set("tailLines", String(o.tailLines));
  if (o.limitBytes !== undefined) q.set("limitBytes", String(o.limitBytes));
  if (o.stream !== undefined) q.set("stream", o.stream);
  return q;
}
