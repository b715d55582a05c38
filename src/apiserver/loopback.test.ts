/**
 * The loopback socket (ADR 26): the in-process components reach their own API server over a unix
 * socket in plain HTTP with tokens that only that socket accepts.
 */
import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { RestClient } from "../client/rest-client.ts";
import { startTestApi, type TestApi } from "../client/testing/test-api.ts";
import { request } from "../machinery/node-http.ts";
import { isStatusError } from "../machinery/status.ts";

interface SelfSubjectReview {
  status: { userInfo: { username: string; groups: string[] } };
}

const review = { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" };
const reviewPath = "/apis/authentication.k8s.io/v1/selfsubjectreviews";

/** A plain request on the socket, with the headers given; the status code and body. */
function onSocket(
  socketPath: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        body += d;
      });
      res.on("end", () => resolve({ code: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the API server's loopback socket", () => {
  let api: TestApi;
  let socketPath: string;
  before(async () => {
    api = await startTestApi({ loopback: true });
    socketPath = api.loopback!.socketPath;
  });
  after(() => api?.stop());

  it("is a socket only its owner may open", () => {
    const st = statSync(socketPath);
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o077, 0, `mode ${(st.mode & 0o777).toString(8)}`);
  });

  it("serves a component with its token as its user, requests and watches, without TLS", async () => {
    const token = api.loopback!.tokens.issue("system:kube-scheduler");
    // Nothing listens on the server's port: only the socket can answer.
    const server = "https://127.0.0.1:1";
    const client = new RestClient({
      server,
      caPem: api.caCertPem,
      loopback: { server, socketPath, token },
    });
    try {
      const me = await client.create<SelfSubjectReview>(reviewPath, review);
      assert.equal(me.status.userInfo.username, "system:kube-scheduler");
      assert.deepEqual(me.status.userInfo.groups, ["system:authenticated"]);
      // The scheduler's role reads pods, and watches them over the socket too.
      const abort = new AbortController();
      const events = client.watch<{ metadata: { name: string } }>(
        "/api/v1/namespaces",
        { resourceVersion: "0" },
        abort.signal,
      );
      const first = await events.next();
      abort.abort();
      assert.equal(first.value?.type, "ADDED");
    } finally {
      client.close();
    }
  });

  it("refuses a request without a token, or with a token it did not issue", async () => {
    // As on the TLS port without credentials: anonymous, not allowed to list pods.
    const anonymous = await onSocket(socketPath, "/api/v1/pods");
    assert.equal(anonymous.code, 401, anonymous.body);
    const unknown = await onSocket(socketPath, "/api/v1/pods", {
      Authorization: "Bearer not-a-loopback-token",
    });
    assert.equal(unknown.code, 401, unknown.body);
  });

  it("does not accept a loopback token on the TLS port", async () => {
    const token = api.loopback!.tokens.issue("system:kube-controller-manager");
    const client = new RestClient({
      server: `https://127.0.0.1:${api.port}`,
      caPem: api.caCertPem,
      token,
    });
    try {
      await assert.rejects(client.get("/api/v1/pods"), (err) => isStatusError(err, "Unauthorized"));
    } finally {
      client.close();
    }
  });

  it("goes over HTTPS with the client certificate to any other server of the pool", async () => {
    const token = api.loopback!.tokens.issue("system:kube-scheduler");
    // The loopback names another server: this client's server is reached over TLS as admin.
    const server = `https://127.0.0.1:${api.port}`;
    const admin = api.client.config;
    const client = new RestClient({
      ...admin,
      loopback: { server: "https://127.0.0.1:1", socketPath, token },
    });
    try {
      const me = await client.create<SelfSubjectReview>(reviewPath, review);
      assert.notEqual(me.status.userInfo.username, "system:kube-scheduler");
      assert.equal(admin.server, server);
    } finally {
      client.close();
    }
  });

  it("is removed when the server stops", async () => {
    const other = await startTestApi({ loopback: true });
    const path = other.loopback!.socketPath;
    assert.ok(existsSync(path));
    await other.stop();
    assert.ok(!existsSync(path));
  });
});
