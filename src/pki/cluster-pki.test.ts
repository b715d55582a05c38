import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { inspectCertificate } from "./certificate.ts";
import { apiServerSANs, loadOrCreateClusterPKI } from "./cluster-pki.ts";

describe("loadOrCreateClusterPKI", () => {
  let dir = "";
  const opts = { hostName: "Master-1", serverNames: ["api.example"], serverIPs: ["192.168.1.5"] };
  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), "bosun-pki-")), "tls");
  });
  afterEach(async () => {
    await rm(join(dir, ".."), { recursive: true, force: true });
  });

  it("creates the CA, serving, admin and service-account files on first start", async () => {
    const pki = await loadOrCreateClusterPKI(dir, opts);
    assert.deepEqual(pki.generated, ["ca", "serving", "admin", "serviceAccount"]);
    assert.equal(pki.clientCA, pki.ca);
    for (const key of [
      pki.paths.caKey,
      pki.paths.servingKey,
      pki.paths.adminKey,
      pki.paths.serviceAccountKey,
    ]) {
      assert.equal((await stat(key)).mode & 0o777, 0o600, key);
    }
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    const serving = inspectCertificate(pki.serving.certificate);
    assert.deepEqual(serving.dnsNames, [
      "api.example",
      "kubernetes",
      "kubernetes.default",
      "kubernetes.default.svc",
      "kubernetes.default.svc.cluster.local",
      "localhost",
      "master-1",
    ]);
    assert.deepEqual(serving.ipAddresses, ["10.96.0.1", "127.0.0.1", "192.168.1.5", "::1"]);
    assert.deepEqual(serving.usages, ["server"]);
    const admin = inspectCertificate(pki.admin.certificate);
    assert.equal(admin.subject.commonName, "system:admin");
    assert.deepEqual(admin.subject.organizations, ["system:masters"]);
    assert.ok(pki.admin.certificate.checkIssued(pki.ca.certificate));
    assert.equal(pki.serviceAccount.privateKey.asymmetricKeyType, "rsa");
    assert.equal(
      await readFile(pki.paths.serviceAccountPub, "utf8"),
      pki.serviceAccount.publicKeyPem,
    );
  });

  it("loads the same files on later starts", async () => {
    const first = await loadOrCreateClusterPKI(dir, opts);
    const second = await loadOrCreateClusterPKI(dir, {
      ...opts,
      serverIPs: ["192.168.1.5", "127.0.0.1"],
    });
    assert.deepEqual(second.generated, []);
    assert.equal(second.ca.certPem, first.ca.certPem);
    assert.equal(second.serving.certPem, first.serving.certPem);
    assert.equal(second.admin.keyPem, first.admin.keyPem);
    assert.equal(second.serviceAccount.privateKeyPem, first.serviceAccount.privateKeyPem);
  });

  it("reissues only the serving certificate when the server names change", async () => {
    const first = await loadOrCreateClusterPKI(dir, opts);
    const second = await loadOrCreateClusterPKI(dir, { ...opts, serverIPs: ["192.168.1.6"] });
    assert.deepEqual(second.generated, ["serving"]);
    assert.equal(second.ca.certPem, first.ca.certPem);
    assert.equal(second.admin.certPem, first.admin.certPem);
    assert.ok(inspectCertificate(second.serving.certificate).ipAddresses.includes("192.168.1.6"));
    const third = await loadOrCreateClusterPKI(dir, { ...opts, serverIPs: ["192.168.1.6"] });
    assert.deepEqual(third.generated, []);
  });

  it("reissues leaves that are about to expire or do not match their key", async () => {
    const first = await loadOrCreateClusterPKI(dir, opts);
    const later = await loadOrCreateClusterPKI(dir, {
      ...opts,
      now: new Date(Date.now() + 340 * 86400e3),
    });
    assert.deepEqual(later.generated, ["serving", "admin"]);
    await writeFile(first.paths.adminKey, first.serving.keyPem);
    const again = await loadOrCreateClusterPKI(dir, opts);
    assert.deepEqual(again.generated, ["admin"]);
  });

  it("refuses to replace a CA whose key is missing", async () => {
    const first = await loadOrCreateClusterPKI(dir, opts);
    await unlink(first.paths.caKey);
    await assert.rejects(loadOrCreateClusterPKI(dir, opts), /ca\.key is missing/);
  });

  it("names the file when the CA or the service-account key cannot be parsed", async () => {
    const first = await loadOrCreateClusterPKI(dir, opts);
    const caPem = await readFile(first.paths.caCert, "utf8");
    await writeFile(first.paths.caCert, "garbage\n");
    await assert.rejects(loadOrCreateClusterPKI(dir, opts), {
      message: `${first.paths.caCert} is not a PEM certificate (error:0480006C:PEM routines::no start line)`,
    });
    await writeFile(first.paths.caCert, caPem);
    await writeFile(first.paths.serviceAccountKey, "garbage\n");
    await assert.rejects(
      loadOrCreateClusterPKI(dir, opts),
      new RegExp(`^Error: ${first.paths.serviceAccountKey} is not a PEM private key`),
    );
  });

  it("normalises the requested names", () => {
    const sans = apiServerSANs({
      hostName: "h",
      serverNames: ["Localhost"],
      serverIPs: ["0:0::1", "10.96.0.1"],
    });
    assert.deepEqual(sans.ipAddresses, ["10.96.0.1", "127.0.0.1", "::1"]);
    assert.equal(sans.dnsNames.filter((n) => n === "localhost").length, 1);
  });
});
