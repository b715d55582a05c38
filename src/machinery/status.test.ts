import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as field from "./field-errors.ts";
import { newPath } from "./field-path.ts";
import { newGenericServerResponse } from "./generic-response.ts";
import {
  errorToStatus,
  isStatusError,
  newAlreadyExists,
  newApplyConflict,
  newBadRequest,
  newConflict,
  newForbidden,
  newGenerateNameConflict,
  newGone,
  newInternalError,
  newInvalid,
  newMethodNotSupported,
  newNotAcceptable,
  newNotFound,
  newRequestEntityTooLargeError,
  newResourceExpired,
  newServerTimeout,
  newServiceUnavailable,
  newTimeoutError,
  newTooLargeResourceVersion,
  newTooManyRequests,
  newTooManyRequestsError,
  newTooOldResourceVersion,
  newUnauthorized,
  newUnsupportedMediaType,
  optimisticLockErrorMsg,
  reasonForError,
  StatusError,
  type StatusReason,
  statusErrorFromStatus,
  statusReasonCodes,
  statusSuccess,
} from "./status.ts";

const pods = { group: "", resource: "pods" };
const deployments = { group: "apps", resource: "deployments" };

describe("StatusError", () => {
  it("is an Error whose message is the Status message", () => {
    const err = newNotFound(pods, "web");
    assert.ok(err instanceof Error);
    assert.ok(err instanceof StatusError);
    assert.equal(err.name, "StatusError");
    assert.equal(err.message, 'pods "web" not found');
    assert.equal(err.reason, "NotFound");
    assert.equal(err.code, 404);
  });

  it("serialises as the API server writes it", () => {
    assert.equal(
      JSON.stringify(newNotFound(pods, "web").status),
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \\"web\\" not found","reason":"NotFound","details":{"name":"web","kind":"pods"},"code":404}',
    );
    assert.deepEqual(newBadRequest("bad").status, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "bad",
      reason: "BadRequest",
      code: 400,
    });
  });

  it("is recognised by isStatusError and reasonForError", () => {
    const err = newConflict(pods, "a", "x");
    assert.ok(isStatusError(err));
    assert.ok(isStatusError(err, "Conflict"));
    assert.ok(!isStatusError(err, "NotFound"));
    assert.ok(!isStatusError(new Error("x")));
    assert.equal(reasonForError(err), "Conflict");
    assert.equal(reasonForError(new Error("x")), "");
    assert.equal(reasonForError("nope"), "");
  });

  it("keeps a cause", () => {
    const cause = new Error("root");
    const err = new StatusError(newInternalError(cause).status, { cause });
    assert.equal(err.cause, cause);
  });

  it("rebuilds from a Status", () => {
    const status = newForbidden(pods, "a", "no").status;
    const err = statusErrorFromStatus(status);
    assert.equal(err.message, status.message);
    assert.equal(err.reason, "Forbidden");
  });
});

describe("reason codes", () => {
  it("maps every reason to its HTTP code", () => {
    const expected: [StatusReason, number][] = [
      ["", 500],
      ["Unauthorized", 401],
      ["Forbidden", 403],
      ["NotFound", 404],
      ["AlreadyExists", 409],
      ["Conflict", 409],
      ["Gone", 410],
      ["Invalid", 422],
      ["ServerTimeout", 500],
      ["StoreReadError", 500],
      ["Timeout", 504],
      ["TooManyRequests", 429],
      ["BadRequest", 400],
      ["MethodNotAllowed", 405],
      ["NotAcceptable", 406],
      ["RequestEntityTooLarge", 413],
      ["UnsupportedMediaType", 415],
      ["InternalError", 500],
      ["Expired", 410],
      ["ServiceUnavailable", 503],
    ];
    for (const [reason, code] of expected) assert.equal(statusReasonCodes[reason], code, reason);
    assert.equal(Object.keys(statusReasonCodes).length, expected.length);
  });
});

describe("constructors", () => {
  it("NotFound and AlreadyExists name the qualified resource", () => {
    const nf = newNotFound(deployments, "web");
    assert.equal(nf.message, 'deployments.apps "web" not found');
    assert.deepEqual(nf.status.details, { name: "web", group: "apps", kind: "deployments" });
    const ae = newAlreadyExists(pods, "web");
    assert.equal(ae.message, 'pods "web" already exists');
    assert.equal(ae.code, 409);
    assert.equal(ae.reason, "AlreadyExists");
  });

  it("GenerateNameConflict asks to retry", () => {
    const err = newGenerateNameConflict(pods, "web-abcde", 1);
    assert.equal(
      err.message,
      'pods "web-abcde" already exists, the server was not able to generate a unique name for the object',
    );
    assert.equal(err.status.details?.retryAfterSeconds, 1);
  });

  it("Conflict quotes the optimistic-lock message", () => {
    const err = newConflict(pods, "web", optimisticLockErrorMsg);
    assert.equal(
      err.message,
      'Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again',
    );
    assert.equal(err.code, 409);
    assert.equal(
      newConflict(pods, "web", new Error("boom")).message,
      'Operation cannot be fulfilled on pods "web": boom',
    );
  });

  it("ApplyConflict carries its causes", () => {
    const err = newApplyConflict(
      [{ reason: "FieldManagerConflict", message: "m", field: ".spec" }],
      "Apply failed",
    );
    assert.equal(err.code, 409);
    assert.deepEqual(err.status.details?.causes, [
      { reason: "FieldManagerConflict", message: "m", field: ".spec" },
    ]);
  });

  it("Forbidden has three forms", () => {
    assert.equal(
      newForbidden(pods, "web", 'User "bob" cannot get resource "pods"').message,
      'pods "web" is forbidden: User "bob" cannot get resource "pods"',
    );
    assert.equal(newForbidden(deployments, "", "no").message, "deployments.apps is forbidden: no");
    assert.equal(
      newForbidden({ group: "", resource: "" }, "", new Error("no")).message,
      "forbidden: no",
    );
    assert.equal(newForbidden(pods, "", "x").code, 403);
  });

  it("Unauthorized defaults its message", () => {
    assert.equal(newUnauthorized("").message, "not authorized");
    assert.equal(newUnauthorized("Unauthorized").message, "Unauthorized");
    assert.equal(newUnauthorized("").code, 401);
    assert.equal(newUnauthorized("").status.details, undefined);
  });

  it("Invalid aggregates field errors and lists them as causes", () => {
    const errs = [
      field.invalid(newPath("metadata", "name"), "Web", "bad name"),
      field.required(newPath("spec", "containers")),
    ];
    const err = newInvalid({ group: "", kind: "Pod" }, "Web", errs);
    assert.equal(
      err.message,
      'Pod "Web" is invalid: [metadata.name: Invalid value: "Web": bad name, spec.containers: Required value]',
    );
    assert.equal(err.code, 422);
    assert.deepEqual(err.status.details, {
      name: "Web",
      kind: "Pod",
      causes: [
        {
          reason: "FieldValueInvalid",
          message: 'Invalid value: "Web": bad name',
          field: "metadata.name",
        },
        { reason: "FieldValueRequired", message: "Required value", field: "spec.containers" },
      ],
    });
    const one = newInvalid({ group: "apps", kind: "Deployment" }, "d", [errs[1]!]);
    assert.equal(one.message, 'Deployment.apps "d" is invalid: spec.containers: Required value');
    assert.equal(newInvalid({ group: "", kind: "Pod" }, "p", []).message, 'Pod "p" is invalid');
  });

  it("Expired, Gone and the resource-version helpers", () => {
    const err = newTooOldResourceVersion(5, 10);
    assert.equal(err.message, "too old resource version: 5 (10)");
    assert.equal(err.reason, "Expired");
    assert.equal(err.code, 410);
    assert.equal(newResourceExpired("x").code, 410);
    assert.equal(newGone("x").reason, "Gone");
    assert.equal(newGone("x").code, 410);
    const large = newTooLargeResourceVersion(20, 10, 1);
    assert.equal(large.message, "Timeout: Too large resource version: 20, current: 10");
    assert.equal(large.code, 504);
    assert.deepEqual(large.status.details, {
      retryAfterSeconds: 1,
      causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
    });
  });

  it("timeouts, throttling and server trouble", () => {
    const st = newServerTimeout(pods, "list", 2);
    assert.equal(
      st.message,
      "The list operation against pods could not be completed at this time, please try again.",
    );
    assert.equal(st.code, 500);
    assert.deepEqual(st.status.details, { name: "list", kind: "pods", retryAfterSeconds: 2 });
    assert.equal(newTimeoutError("slow", 0).message, "Timeout: slow");
    assert.equal(newTimeoutError("slow", 0).code, 504);
    assert.deepEqual(newTimeoutError("slow", 0).status.details, {});
    assert.equal(newTooManyRequests("busy", 3).message, "busy");
    assert.equal(newTooManyRequests("busy", 3).status.details?.retryAfterSeconds, 3);
    assert.equal(newTooManyRequestsError("busy").message, "Too many requests: busy");
    assert.equal(newTooManyRequestsError("busy").code, 429);
    assert.equal(newServiceUnavailable("down").code, 503);
    const internal = newInternalError(new Error("disk on fire"));
    assert.equal(internal.message, "Internal error occurred: disk on fire");
    assert.deepEqual(internal.status.details, { causes: [{ message: "disk on fire" }] });
  });

  it("request-shape errors", () => {
    const m = newMethodNotSupported(pods, "deletecollection");
    assert.equal(m.message, 'deletecollection is not supported on resources of kind "pods"');
    assert.equal(m.code, 405);
    assert.deepEqual(m.status.details, { kind: "pods" });
    assert.equal(
      newRequestEntityTooLargeError("limit is 3145728").message,
      "Request entity too large: limit is 3145728",
    );
    assert.equal(newRequestEntityTooLargeError("x").code, 413);
    const u = newUnsupportedMediaType([
      "application/json-patch+json",
      "application/merge-patch+json",
    ]);
    assert.equal(
      u.message,
      "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json",
    );
    assert.equal(u.code, 415);
    const n = newNotAcceptable(["application/json", "application/yaml"]);
    assert.equal(
      n.message,
      "only the following media types are accepted: application/json, application/yaml",
    );
    assert.equal(n.code, 406);
  });
});

describe("statusSuccess and errorToStatus", () => {
  it("builds delete responses", () => {
    assert.deepEqual(statusSuccess(), {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
    });
    assert.deepEqual(statusSuccess({ name: "web", group: "", kind: "pods", uid: "u1" }), {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name: "web", kind: "pods", uid: "u1" },
    });
  });

  it("passes StatusErrors through and makes anything else a 500", () => {
    assert.deepEqual(errorToStatus(newNotFound(pods, "x")), newNotFound(pods, "x").status);
    assert.deepEqual(errorToStatus(new Error("oops")), {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "oops",
      code: 500,
    });
    assert.equal(errorToStatus("text").message, "text");
    const noCode = new StatusError({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
    });
    assert.equal(errorToStatus(noCode).code, 500);
    const ok = new StatusError(statusSuccess());
    assert.equal(errorToStatus(ok).code, 200);
  });
});

describe("newGenericServerResponse", () => {
  it("picks the reason and stock message from the code", () => {
    const nf = newGenericServerResponse({ code: 404, verb: "GET", resource: pods, name: "web" });
    assert.equal(nf.message, "the server could not find the requested resource (get pods web)");
    assert.equal(nf.reason, "NotFound");
    assert.equal(nf.code, 404);
    const conflict = newGenericServerResponse({ code: 409, verb: "POST", resource: deployments });
    assert.equal(conflict.reason, "AlreadyExists");
    assert.equal(conflict.message, "the server reported a conflict (post deployments.apps)");
    assert.equal(newGenericServerResponse({ code: 409, verb: "PUT" }).reason, "Conflict");
  });

  it("keeps the server's message where upstream does", () => {
    const f = newGenericServerResponse({ code: 403, verb: "GET", serverMessage: "go away" });
    assert.equal(f.message, "go away");
    assert.equal(f.reason, "Forbidden");
    assert.equal(
      newGenericServerResponse({ code: 406, verb: "GET" }).message,
      "the server was unable to respond with a content type that the client supports",
    );
    const boom = newGenericServerResponse({
      code: 502,
      verb: "GET",
      serverMessage: "bad gateway",
      isUnexpectedResponse: true,
    });
    assert.equal(
      boom.message,
      'an error on the server ("bad gateway") has prevented the request from succeeding',
    );
    assert.equal(boom.reason, "InternalError");
    assert.deepEqual(boom.status.details?.causes, [
      { reason: "UnexpectedServerResponse", message: "bad gateway" },
    ]);
    const odd = newGenericServerResponse({ code: 418, verb: "GET" });
    assert.equal(
      odd.message,
      "the server responded with the status code 418 but did not return more information",
    );
    assert.equal(odd.reason, "");
    assert.equal(odd.status.reason, undefined);
  });
});
