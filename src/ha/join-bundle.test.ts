import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  bundleFiles,
  controlPlaneTokenGroup,
  installJoinBundle,
  type JoinBundle,
  mayFetchJoinBundle,
  openJoinBundle,
  readJoinBundle,
  sealJoinBundle,
} from "./join-bundle.ts";

const token = { id: "abcdef", secret: "0123456789abcdef" };
const bundle: JoinBundle = {
  caCertPem: "CA CERT",
  caKeyPem: "CA KEY",
  serviceAccountKeyPem: "SA KEY",
  serviceAccountPubPem: "SA PUB",
  encryptionConfig: "kind: EncryptionConfiguration\n",
  etcdCACertPem: "ETCD CA CERT",
  etcdCAKeyPem: "ETCD CA KEY",
  etcdEndpoints: ["https://10.0.0.1:2379"],
};

describe("control-plane join bundle", () => {
  it("opens with the token it was sealed for, and keeps nothing readable in the clear", async () => {
    const sealed = await sealJoinBundle(bundle, token);
    assert.equal(sealed.kind, "BosunControlPlaneJoin");
    assert.doesNotMatch(JSON.stringify(sealed), /CA KEY|SA KEY/);
    assert.deepEqual(openJoinBundle(sealed, token), bundle);
    // A fresh salt and nonce each time.
    assert.notEqual((await sealJoinBundle(bundle, token)).data, sealed.data);
  });

  it("refuses another token, another token id, and altered data", async () => {
    const sealed = await sealJoinBundle(bundle, token);
    assert.throws(
      () => openJoinBundle(sealed, { id: "abcdef", secret: "fedcba9876543210" }),
      /token does not match/,
    );
    assert.throws(
      () => openJoinBundle(sealed, { id: "zzzzzz", secret: token.secret }),
      /token does not match/,
    );
    const data = Buffer.from(sealed.data, "base64");
    data[3] = data[3]! ^ 1;
    assert.throws(
      () => openJoinBundle({ ...sealed, data: data.toString("base64") }, token),
      /token does not match/,
    );
    assert.throws(
      () => openJoinBundle({ ...sealed, version: 2 as 1 }, token),
      /not a control-plane join bundle/,
    );
  });

  it("is for bootstrap-token users in the control-plane group only", () => {
    const groups = ["system:bootstrappers", controlPlaneTokenGroup, "system:authenticated"];
    assert.equal(mayFetchJoinBundle({ username: "system:bootstrap:abcdef", groups }), true);
    assert.equal(
      mayFetchJoinBundle({
        username: "system:bootstrap:abcdef",
        groups: ["system:bootstrappers", "system:bootstrappers:bosun:default-node-token"],
      }),
      false,
    );
    // An ordinary user, even one placed in the group, is not a bootstrap token.
    assert.equal(
      mayFetchJoinBundle({
        username: "system:admin",
        groups: ["system:masters", controlPlaneTokenGroup],
      }),
      false,
    );
  });

  it("installs into a fresh data dir with private keys 0600, and refuses another cluster's CA", () => {
    const dir = mkdtempSync(join(tmpdir(), "bosun-bundle-"));
    try {
      installJoinBundle(dir, bundle);
      const f = bundleFiles(dir);
      assert.equal(readFileSync(f.caKey, "utf8"), "CA KEY");
      assert.equal(statSync(f.caKey).mode & 0o777, 0o600);
      assert.equal(statSync(f.etcdCAKey).mode & 0o777, 0o600);
      assert.deepEqual(readJoinBundle(dir, bundle.etcdEndpoints), bundle);
      installJoinBundle(dir, bundle); // a retried join: same CA, fine
      const other = mkdtempSync(join(tmpdir(), "bosun-bundle-"));
      mkdirSync(join(other, "server", "tls"), { recursive: true });
      writeFileSync(bundleFiles(other).caCert, "ANOTHER CA");
      assert.throws(() => installJoinBundle(other, bundle), /CA of another cluster/);
      assert.equal(existsSync(bundleFiles(other).caKey), false);
      rmSync(other, { recursive: true, force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
