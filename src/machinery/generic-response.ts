/**
 * The client's view of a response that was not a Status (an HTML error page, a proxy's 502):
 * `NewGenericServerResponse` from apimachinery's `api/errors`, which picks a reason from the HTTP
 * code and a stock message that kubectl prints.
 */
import { goQuote } from "./go-format.ts";
import {
  failureStatus,
  type GroupResource,
  groupResourceString,
  type StatusDetails,
  StatusError,
  type StatusReason,
} from "./status.ts";

export interface GenericServerResponseOptions {
  readonly code: number;
  /** The HTTP method of the request, e.g. "GET". */
  readonly verb: string;
  readonly resource?: GroupResource;
  readonly name?: string;
  readonly serverMessage?: string;
  readonly retryAfterSeconds?: number;
  /** Adds an `UnexpectedServerResponse` cause carrying `serverMessage`. */
  readonly isUnexpectedResponse?: boolean;
}

const genericResponses: Record<number, [StatusReason, string]> = {
  400: ["BadRequest", "the server rejected our request for an unknown reason"],
  401: ["Unauthorized", "the server has asked for the client to provide credentials"],
  404: ["NotFound", "the server could not find the requested resource"],
  405: ["MethodNotAllowed", "the server does not allow this method on the requested resource"],
  409: ["Conflict", "the server reported a conflict"],
  422: ["Invalid", "the server rejected our request due to an error in our request"],
  429: [
    "TooManyRequests",
    "the server has received too many requests and has asked us to try again later",
  ],
  503: ["ServiceUnavailable", "the server is currently unable to handle the request"],
  504: [
    "Timeout",
    "the server was unable to return a response in the time allotted, but may still be processing the request",
  ],
};

/** A response that was not a Status, described as upstream's client does (`NewGenericServerResponse`). */
export function newGenericServerResponse(o: GenericServerResponseOptions): StatusError {
  const serverMessage = o.serverMessage ?? "";
  let reason: StatusReason = "";
  let message = `the server responded with the status code ${o.code} but did not return more information`;
  const known = genericResponses[o.code];
  if (known) [reason, message] = known;
  if (o.code === 409 && o.verb.toUpperCase() === "POST") reason = "AlreadyExists";
  if (o.code === 403) [reason, message] = ["Forbidden", serverMessage];
  if (o.code === 406) {
    reason = "NotAcceptable";
    message =
      serverMessage === "" || serverMessage === "unknown"
        ? "the server was unable to respond with a content type that the client supports"
        : serverMessage;
  }
  if (o.code === 415) [reason, message] = ["UnsupportedMediaType", serverMessage];
  if (!known && reason === "" && o.code >= 500) {
    reason = "InternalError";
    message = `an error on the server (${goQuote(serverMessage)}) has prevented the request from succeeding`;
  }
  const gr = o.resource ?? { group: "", resource: "" };
  const name = o.name ?? "";
  if (gr.group !== "" || gr.resource !== "") {
    const target = name === "" ? groupResourceString(gr) : `${groupResourceString(gr)} ${name}`;
    message = `${message} (${o.verb.toLowerCase()} ${target})`;
  }
  const details: StatusDetails = { name, group: gr.group, kind: gr.resource };
  if (o.retryAfterSeconds) details.retryAfterSeconds = o.retryAfterSeconds;
  if (o.isUnexpectedResponse) {
    details.causes = [{ reason: "UnexpectedServerResponse", message: serverMessage }];
  }
  return new StatusError(failureStatus(reason, message, details, o.code));
}
