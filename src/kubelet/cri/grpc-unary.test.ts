/**
 * The unary gRPC transport against a real gRPC server (grpc-js) on a unix socket: deadlines,
 * a missing or restarted server, and the wire framing.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import {
  frameMessage,
  GrpcCallError,
  GrpcUnixChannel,
  grpcTimeout,
  unframeMessage,
} from "./grpc-unary.ts";

/** A raw-bytes method of the test service `test.Raw`. */
function rawMethod(name: string): grpc.MethodDefinition<Buffer, Buffer> {
  const same = (b: Buffer) => b;
  return {
    path: `/test.Raw/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: same,
    requestDeserialize: same,
    responseSerialize: same,
    responseDeserialize: same,
  };
}

/** `Echo` answers its request (or fails on "fail"), `Hang` never answers. */
const service: grpc.ServiceDefinition = { Echo: rawMethod("Echo"), Hang: rawMethod("Hang") };

async function serve(socket: string): Promise<grpc.Server> {
  const server = new grpc.Server();
  const echo: grpc.handleUnaryCall<Buffer, Buffer> = (call, cb) =>
    call.request.toString() === "fail"
      ? cb({ code: grpc.status.FAILED_PRECONDITION, details: "not now: 100% busy" })
      : cb(null, Buffer.concat([Buffer.from("echo "), call.request]));
  const hang: grpc.handleUnaryCall<Buffer, Buffer> = () => {};
  server.addService(service, { Echo: echo, Hang: hang });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (err) =>
      err ? reject(err) : resolve(),
    ),
  );
  return server;
}

function rejectsWith(status: string, detail?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof GrpcCallError, String(err));
    assert.equal(err.status, status);
    if (detail) assert.match(err.details, detail);
    return true;
  };
}

describe("GrpcUnixChannel", () => {
  const dir = mkdtempSync(join(tmpdir(), "bosun-grpc-"));
  const socket = join(dir, "s.sock");
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("calls, answers errors by name with the server's message, and enforces deadlines", async () => {
    const server = await serve(socket);
    const channel = new GrpcUnixChannel(socket);
    try {
      const res = await channel.call("/test.Raw/Echo", Buffer.from("hi"), 5000);
      assert.equal(res.toString(), "echo hi");
      assert.equal(
        (await channel.call("/test.Raw/Echo", Buffer.alloc(0), 5000)).toString(),
        "echo ",
      );
      await assert.rejects(
        channel.call("/test.Raw/Echo", Buffer.from("fail"), 5000),
        rejectsWith("FailedPrecondition", /^not now: 100% busy$/),
      );
      await assert.rejects(
        channel.call("/test.Raw/Nope", Buffer.from("x"), 5000),
        rejectsWith("Unimplemented"),
      );
      const t0 = Date.now();
      await assert.rejects(
        channel.call("/test.Raw/Hang", Buffer.from("x"), 200),
        rejectsWith("DeadlineExceeded"),
      );
      assert.ok(Date.now() - t0 < 2000);
      // The connection survives a cancelled call.
      assert.equal(
        (await channel.call("/test.Raw/Echo", Buffer.from("again"), 5000)).toString(),
        "echo again",
      );
    } finally {
      channel.close();
      server.forceShutdown();
    }
  });

  it("is Unavailable without a server and connects again once one listens", async () => {
    const channel = new GrpcUnixChannel(socket);
    try {
      await assert.rejects(
        channel.call("/test.Raw/Echo", Buffer.from("x"), 5000),
        rejectsWith("Unavailable"),
      );
      let server = await serve(socket);
      assert.equal(
        (await channel.call("/test.Raw/Echo", Buffer.from("1"), 5000)).toString(),
        "echo 1",
      );
      server.forceShutdown();
      await assert.rejects(
        channel.call("/test.Raw/Echo", Buffer.from("x"), 5000),
        rejectsWith("Unavailable"),
      );
      server = await serve(socket);
      assert.equal(
        (await channel.call("/test.Raw/Echo", Buffer.from("2"), 5000)).toString(),
        "echo 2",
      );
      server.forceShutdown();
    } finally {
      channel.close();
    }
    await assert.rejects(
      channel.call("/test.Raw/Echo", Buffer.from("x"), 5000),
      rejectsWith("Canceled"),
    );
  });

  it("refuses responses over the size limit", async () => {
    const server = await serve(socket);
    const channel = new GrpcUnixChannel(socket, { maxReceiveBytes: 100 });
    try {
      await assert.rejects(
        channel.call("/test.Raw/Echo", Buffer.alloc(200, 1), 5000),
        rejectsWith("ResourceExhausted"),
      );
    } finally {
      channel.close();
      server.forceShutdown();
    }
  });

  it("frames messages and timeouts as the gRPC wire format says", () => {
    assert.deepEqual([...frameMessage(Buffer.from("ab"))], [0, 0, 0, 0, 2, 97, 98]);
    assert.equal(unframeMessage(frameMessage(Buffer.from("ab"))).toString(), "ab");
    assert.throws(() => unframeMessage(Buffer.from([0, 0, 0, 0, 3, 1])), rejectsWith("Internal"));
    assert.throws(() => unframeMessage(Buffer.from([1, 0, 0, 0, 0])), rejectsWith("Internal"));
    assert.equal(grpcTimeout(120_000), "120000m");
    assert.equal(grpcTimeout(0.2), "1m");
    assert.equal(grpcTimeout(2e8), "200000S");
  });
});
