import assert from "node:assert/strict";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Node, PersistentVolume } from "../api/generated/types.ts";
import { resourcePath, resources } from "../client/resources.ts";
import { RestClient } from "../client/rest-client.ts";
import { eventually, startTestApi, type TestApi } from "../client/testing/test-api.ts";
import { createLogger } from "../machinery/log.ts";
import { issueCertificate } from "../pki/certificate.ts";
import { hostLocalPathFs, isInside, LocalPathStorage } from "./local-path-storage.ts";

let api: TestApi;
let nodeClient: RestClient;
let dir: string;
const stop = new AbortController();
const pvPath = (name = "") => resourcePath(resources.persistentvolumes, "", name);

/** A local-path volume on `node` at `path`, as the provisioner creates it. */
const volume = (name: string, node: string, path: string): PersistentVolume => ({
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: {
    name,
    labels: { "local-path.bosun.dev/node": node },
    annotations: { "pv.kubernetes.io/provisioned-by": "bosun.dev/local-path" },
    finalizers: ["local-path.bosun.dev/cleanup"],
  },
  spec: {
    capacity: { storage: "1Gi" },
    accessModes: ["ReadWriteOnce"],
    persistentVolumeReclaimPolicy: "Delete",
    storageClassName: "local-path",
    hostPath: { path, type: "DirectoryOrCreate" },
  },
});

/** Released by the node: its cleanup finalizer is gone (pv-protection has no controller here). */
const released = (name: string) =>
  eventually(async () => {
    const pv = await api.client.get<PersistentVolume>(pvPath(name));
    return !(pv.metadata?.finalizers ?? []).includes("local-path.bosun.dev/cleanup");
  });

describe("local-path storage (node side)", () => {
  before(async () => {
    api = await startTestApi();
    dir = mkdtempSync(join(tmpdir(), "bosun-local-path-"));
    // The agent's own identity: the Node authorizer and NodeRestriction apply.
    const pair = issueCertificate({
      ca: {
        certificate: new X509Certificate(api.caCertPem),
        privateKey: createPrivateKey(api.caKeyPem),
      },
      commonName: "system:node:n1",
      organizations: ["system:nodes"],
      usages: ["client"],
    });
    nodeClient = new RestClient({
      ...api.client.config,
      certPem: pair.certPem,
      keyPem: pair.keyPem,
    });
    const storage = new LocalPathStorage({
      client: nodeClient,
      nodeNames: ["n1"],
      storageDir: join(dir, "storage"),
      fs: hostLocalPathFs,
      retryMs: 50,
      ...(process.env.BOSUN_TEST_LOG ? { log: createLogger("test") } : {}),
    });
    void storage.run(stop.signal);
    await nodeClient.create(resourcePath(resources.nodes), {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "n1" },
    });
  });
  after(async () => {
    stop.abort();
    nodeClient.close();
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("publishes its storage dir on its Node", async () => {
    const node = await eventually(async () => {
      const n = await api.client.get<Node>(resourcePath(resources.nodes, "", "n1"));
      return n.metadata?.annotations?.["local-path.bosun.dev/storage-dir"] ? n : undefined;
    });
    assert.equal(
      node.metadata?.annotations?.["local-path.bosun.dev/storage-dir"],
      join(dir, "storage"),
    );
  });

  it("creates the directory of a volume on its node, then removes it when deleted", async () => {
    const path = join(dir, "storage", "pvc-1_default_data");
    await api.client.create(pvPath(), volume("pvc-1", "n1", path));
    await eventually(() => existsSync(path));
    assert.equal(statSync(path).mode & 0o777, 0o777);
    writeFileSync(join(path, "file"), "data");
    await api.client.delete(pvPath("pvc-1"));
    await released("pvc-1");
    assert.equal(existsSync(path), false);
  });

  it("ignores other nodes' volumes and paths outside its storage dir", async () => {
    const theirs = join(dir, "storage", "pvc-2_default_theirs");
    const outside = join(dir, "elsewhere", "pvc-3");
    await api.client.create(pvPath(), volume("pvc-2", "n2", theirs));
    await api.client.create(pvPath(), volume("pvc-3", "n1", outside));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(existsSync(theirs), false);
    assert.equal(existsSync(outside), false);
    // Deleting the outside one still releases it (nothing on disk is touched).
    await api.client.delete(pvPath("pvc-3"));
    await released("pvc-3");
    // Another node's volume waits for that node.
    await api.client.delete(pvPath("pvc-2"));
    await new Promise((r) => setTimeout(r, 300));
    const left = await api.client.get<PersistentVolume>(pvPath("pvc-2"));
    assert.ok(left.metadata?.deletionTimestamp);
  });

  it("knows what is inside a directory", () => {
    assert.equal(isInside("/var/lib/bosun/storage", "/var/lib/bosun/storage/pvc-1"), true);
    assert.equal(isInside("/var/lib/bosun/storage", "/var/lib/bosun/storage"), false);
    assert.equal(isInside("/var/lib/bosun/storage", "/var/lib/bosun/storage/../x"), false);
    assert.equal(isInside("/var/lib/bosun/storage", "/var/lib/bosun/storage2/x"), false);
  });
});
