/**
 * The CRI client on the wire, against a grpc-js server speaking the same descriptor over a unix
 * socket: UTF-8 env values survive (KeyValue.value as string), nanosecond timestamps stay exact,
 * DNS options travel (field 3, restored by the generator), and gRPC failures become CriErrors.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { CriError } from "./errors.ts";
import { CriClient } from "./grpc-client.ts";
import { nanosToMillis } from "./types.ts";

type Handler = (call: { request: any }, cb: (err: any, res?: any) => void) => void;

describe("CriClient", () => {
  const dir = mkdtempSync(join(tmpdir(), "bosun-cri-"));
  const socket = join(dir, "cri.sock");
  const server = new grpc.Server();
  let client: CriClient;
  const seen: Record<string, any> = {};

  before(async () => {
    const json = JSON.parse(
      readFileSync(new URL("./generated/cri-v1.json", import.meta.url), "utf8"),
    );
    const def = protoLoader.fromJSON(json, { longs: String, enums: String, defaults: true });
    const v1 = (grpc.loadPackageDefinition(def) as any).runtime.v1;
    const runtime: Record<string, Handler> = {
      Version: (_c, cb) =>
        cb(null, {
          version: "0.1.0",
          runtime_name: "fake",
          runtime_version: "9",
          runtime_api_version: "v1",
        }),
      RunPodSandbox: (c, cb) => {
        seen.sandbox = c.request.config;
        cb(null, { pod_sandbox_id: "sb1" });
      },
      CreateContainer: (c, cb) => {
        seen.container = c.request.config;
        cb(null, { container_id: "c1" });
      },
      ContainerStatus: (c, cb) =>
        c.request.container_id === "gone"
          ? cb({ code: grpc.status.NOT_FOUND, details: 'container "gone" not found' })
          : cb(null, {
              status: {
                id: "c1",
                state: "CONTAINER_EXITED",
                started_at: "1795628426272602455",
                finished_at: "1795628427274336870",
                exit_code: 137,
                reason: "OOMKilled",
              },
            }),
    };
    server.addService(v1.RuntimeService.service, runtime);
    server.addService(v1.ImageService.service, {
      ImageStatus: ((_c, cb) => cb(null, { image: null })) as Handler,
    });
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    client = new CriClient({ socket, timeoutMs: 5000 });
  });
  after(() => {
    client.close();
    server.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("calls the runtime and keeps UTF-8 env values and DNS options intact", async () => {
    assert.equal((await client.version()).runtime_name, "fake");
    const sandbox = {
      metadata: { name: "p", uid: "u", namespace: "default", attempt: 0 },
      dns_config: {
        servers: ["10.96.0.10"],
        searches: ["default.svc.cluster.local"],
        options: ["ndots:5"],
      },
    };
    assert.equal(await client.runPodSandbox(sandbox), "sb1");
    assert.deepEqual(seen.sandbox.dns_config.options, ["ndots:5"]);
    await client.createContainer(
      "sb1",
      {
        metadata: { name: "c", attempt: 0 },
        image: { image: "busybox" },
        envs: [
          { key: "GREETING", value: "héllo wörld" },
          { key: "B64", value: "aGk=" },
        ],
      },
      sandbox,
    );
    assert.deepEqual(seen.container.envs, [
      { key: "GREETING", value: "héllo wörld" },
      { key: "B64", value: "aGk=" },
    ]);
  });

  it("keeps nanosecond timestamps exact and maps errors", async () => {
    const status = await client.containerStatus("c1");
    assert.equal(status.finished_at, "1795628427274336870");
    assert.equal(nanosToMillis(status.finished_at), 1795628427274);
    assert.equal(status.reason, "OOMKilled");
    await assert.rejects(client.containerStatus("gone"), (err: unknown) => {
      assert.ok(err instanceof CriError);
      assert.equal(err.code, "NotFound");
      assert.equal(err.message, 'ContainerStatus: container "gone" not found');
      return true;
    });
    assert.equal(await client.imageStatus("nope"), undefined);
    await assert.rejects(
      client.stopPodSandbox("x"),
      (err: unknown) => err instanceof CriError && err.code === "Unimplemented",
    );
  });
});
