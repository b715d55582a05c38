/**
 * The loopback channel (ADR 29): the in-process components reach their own API server over a
 * MessagePort, with tokens that only a channel accepts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ApiChannel } from "../client/api-channel.ts";
import { RestClient } from "../client/rest-client.ts";
import { startTestApi, type TestApi } from "../client/testing/test-api.ts";
import { isStatusError } from "../machinery/status.ts";

interface SelfSubjectReview {
  status: { userInfo: { username: string; groups: string[] } };
}

const review = { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" };
const reviewPath = "/apis/authentication.k8s.io/v1/selfsubjectreviews";

/** A request on the channel with the headers given; the status code and body. */
async function onChannel(
  channel: ApiChannel,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ code: number; body: string }> {
  const answer = await channel.request("GET", path, { headers });
  const body = answer.body ?? "";
  return {
    code: answer.status,
    body: typeof body === "string" ? body : Buffer.from(body).toString(),
  };
}

/**
 * A client of `api` as the scheduler is one: its loopback server (nothing listens at this URL:
 * only the channel can answer) reached over a new channel with the scheduler's token.
 */
function schedulerClient(api: TestApi): { client: RestClient; close(): void } {
  const token = api.loopback!.tokens.issue("system:kube-scheduler");
  const server = "https://127.0.0.1:1";
  const channel = api.loopback!.channel();
  const client = new RestClient({
    server,
    caPem: api.caCertPem,
    loopback: { server, channel, token },
  });
  return {
    client,
    close() {
      client.close();
      channel.close();
    },
  };
}

describe("the API server's loopback channel", () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ loopback: true });
  });
  after(() => api?.stop());

  it("serves a component with its token as its user, requests and watches, without TLS", async () => {
    const { client, close } = schedulerClient(api);
    try {
      const me = await client.create<SelfSubjectReview>(reviewPath, review);
      assert.equal(me.status.userInfo.username, "system:kube-scheduler");
      assert.deepEqual(me.status.userInfo.groups, ["system:authenticated"]);
      // Errors come back as Status errors, as over HTTP.
      await assert.rejects(client.get("/api/v1/namespaces/nope/pods/nope"), (err) =>
        isStatusError(err, "NotFound"),
      );
      // The scheduler's role reads namespaces, and watches them over the channel too.
      const abort = new AbortController();
      const events = client.watch<{ metadata: { name: string } }>(
        "/api/v1/namespaces",
        { resourceVersion: "0" },
        abort.signal,
      );
      const first = await events.next();
      assert.equal(first.value?.type, "ADDED");
      // A namespace created now arrives on the open watch.
      await api.client.create("/api/v1/namespaces", { metadata: { name: "over-the-channel" } });
      for (;;) {
        const next = await events.next();
        if (next.value?.object.metadata.name === "over-the-channel") break;
        assert.ok(!next.done, "the watch ended before the new namespace arrived");
      }
      abort.abort();
      assert.equal((await events.next()).done, true);
    } finally {
      close();
    }
  });

  it("refuses a request without a token, or with a token it did not issue", async () => {
    const channel = api.loopback!.channel();
    try {
      // As on the TLS port without credentials: anonymous, not allowed to list pods.
      const anonymous = await onChannel(channel, "/api/v1/pods");
      assert.equal(anonymous.code, 401, anonymous.body);
      const unknown = await onChannel(channel, "/api/v1/pods", {
        authorization: "Bearer not-a-loopback-token",
      });
      assert.equal(unknown.code, 401, unknown.body);
    } finally {
      channel.close();
    }
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
    const channel = api.loopback!.channel();
    const client = new RestClient({
      ...admin,
      loopback: { server: "https://127.0.0.1:1", channel, token },
    });
    try {
      const me = await client.create<SelfSubjectReview>(reviewPath, review);
      assert.notEqual(me.status.userInfo.username, "system:kube-scheduler");
      assert.equal(admin.server, server);
    } finally {
      client.close();
      channel.close();
    }
  });

  it("is closed when the server stops: open watches end, requests fail as unsent", async () => {
    const other = await startTestApi({ loopback: true });
    const { client, close } = schedulerClient(other);
    try {
      const events = client.watch("/api/v1/namespaces", {}, new AbortController().signal);
      assert.equal((await events.next()).value?.type, "ADDED");
      await other.stop();
      // The server's shutdown ended the watch: the rest of the stream, then its end, no error.
      for await (const _ of events) {
        // what was sent before the end
      }
      await assert.rejects(client.get("/api/v1/namespaces"), (err: NodeJS.ErrnoException) => {
        assert.equal(err.code, "ECONNREFUSED");
        return true;
      });
    } finally {
      close();
    }
  });
});
